""" "Cite this": one CSL-JSON record per cited thing, and the other formats (plain text,
BibTeX, RIS) written from that record, so the four can never say different things.
The schema.org JSON-LD of the same pages is here too. The commitment's record is built in
jurisdictions/citations.py from the same writers."""

import re

from django.http import HttpResponse, JsonResponse
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .templatetags.un_documents import undocs_url

SITE_NAME = "UPR Tracker"
UPR_AUTHOR = "UN Human Rights Council, Working Group on the Universal Periodic Review"
LABELS = [("txt", _("Plain text")), ("json", "CSL-JSON"), ("bib", "BibTeX"), ("ris", "RIS")]
FORMATS = {
    "txt": "text/plain; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json",
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
}


def recommendation_csl(rec, url: str) -> dict:
    review = rec.review
    state = review.state_under_review.name
    symbol = review.report_symbol
    record = {
        "id": rec.public_id,
        "type": "document",
        "title": f"Recommendation {rec.paragraph or rec.public_id} to {state}: {rec.text}",
        "author": [{"literal": UPR_AUTHOR}],
        "container-title": f"Report of the Working Group on the Universal Periodic Review: {state}",
        "publisher": "United Nations",
        "URL": url,
        "note": f"{rec.citation}. Permanent identifier {rec.public_id} ({SITE_NAME}).",
    }
    if symbol:
        record["number"] = symbol
    if rec.paragraph:
        record["locator"] = f"para. {rec.paragraph}"
    if review.year:
        record["issued"] = {"date-parts": [[review.year]]}
    return record


def plain_text(csl: dict) -> str:
    author = "; ".join(a.get("literal") or a.get("family", "") for a in csl.get("author", []))
    year = _year(csl)
    parts = [author + (f" ({year})" if year else ""), csl["title"]]
    if csl.get("container-title"):
        parts.append(csl["container-title"])
    where = ", ".join(x for x in [csl.get("number"), csl.get("locator")] if x)
    if where:
        parts.append(where)
    parts.append(f"{SITE_NAME}, {csl['URL']}")
    return ". ".join(p.rstrip(".") for p in parts if p) + "."


def bibtex(csl: dict) -> str:
    entry = {
        "author": "{" + " and ".join(_bib(a.get("literal", "")) for a in csl["author"]) + "}",
        "title": "{" + _bib(csl["title"]) + "}",
        "howpublished": _bib(", ".join(x for x in [csl.get("number"), csl.get("locator")] if x)),
        "organization": _bib(csl.get("publisher", "")),
        "year": str(_year(csl) or ""),
        "url": csl["URL"],
        "note": _bib(csl.get("note", "")),
    }
    key = re.sub(r"[^A-Za-z0-9:._-]+", "_", str(csl["id"]))
    fields = ",\n".join(f"  {name} = {{{value}}}" for name, value in entry.items() if value)
    return f"@misc{{{key},\n{fields}\n}}\n"


def ris(csl: dict) -> str:
    lines = [("TY", "GOVDOC" if csl["type"] != "legislation" else "BILL")]
    lines += [("AU", a.get("literal", "")) for a in csl["author"]]
    lines += [
        ("TI", csl["title"]),
        ("T2", csl.get("container-title", "")),
        ("PB", csl.get("publisher", "")),
        ("PY", str(_year(csl) or "")),
        ("M1", csl.get("number", "")),
        ("SP", csl.get("locator", "")),
        ("UR", csl["URL"]),
        ("ID", str(csl["id"])),
        ("N1", csl.get("note", "")),
        ("ER", ""),
    ]
    # RIS is one tag per line: a line break inside a value would start a bogus tag.
    return "".join(
        f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines if value or tag == "ER"
    )


def respond(csl: dict, fmt: str) -> HttpResponse:
    """The citation as a download in one of FORMATS."""
    if fmt == "json":
        response = JsonResponse([csl], safe=False, json_dumps_params={"indent": 2})
        response["Content-Type"] = FORMATS["json"]
    else:
        writer = {"txt": plain_text, "bib": bibtex, "ris": ris}[fmt]
        response = HttpResponse(writer(csl), content_type=FORMATS[fmt])
    name = slugify(str(csl["id"])) or "citation"
    response["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return response


def recommendation_json_ld(rec, url: str) -> dict:
    review = rec.review
    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "identifier": rec.public_id,
        "name": rec.citation,
        "text": rec.text,
        "url": url,
        "inLanguage": "en",
        "author": {"@type": "Organization", "name": UPR_AUTHOR},
        "contributor": [
            {"@type": "Country", "name": c.name, "identifier": c.iso3}
            for c in rec.recommending_countries.all()
        ],
        "about": [t.name for t in rec.themes.all()],
        "spatialCoverage": {"@type": "Country", "name": review.state_under_review.name},
    }
    if review.report_symbol:
        data["isPartOf"] = {
            "@type": "Report",
            "name": review.report_symbol,
            "identifier": review.report_symbol,
            "url": undocs_url(review.report_symbol),
        }
    if review.year:
        data["datePublished"] = str(review.year)
    return data


def json_ld_tag(data: dict):
    """A <script type="application/ld+json"> data block (never run, so the page's
    Content-Security-Policy does not apply), escaped as json_script escapes."""
    tag = json_script(data)
    return mark_safe(tag.replace('type="application/json"', 'type="application/ld+json"', 1))


def _year(csl: dict):
    parts = csl.get("issued", {}).get("date-parts") or [[None]]
    return parts[0][0]


_BIB_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def _bib(value: str) -> str:
    """BibTeX's special characters escaped; line breaks as spaces."""
    value = " ".join(value.split())
    return _BIB_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) not in "\\^~" else " ", value)
