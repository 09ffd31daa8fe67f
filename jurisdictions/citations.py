""" "Cite this" for a published commitment: its CSL-JSON record and schema.org JSON-LD; the
other formats are written from the record by recommendations/cite_formats.py."""

from recommendations.cite_formats import SITE_NAME

LEGISLATION = {"ordinance", "resolution", "executive_order", "law", "budget", "proclamation"}


def commitment_csl(commitment, url: str) -> dict:
    jurisdiction = commitment.jurisdiction
    record = {
        "id": f"commitment-{commitment.pk}",
        "type": "legislation" if commitment.kind in LEGISLATION else "document",
        "title": commitment.title,
        "author": [{"literal": str(jurisdiction)}],
        "container-title": f"{commitment.get_kind_display()} of {jurisdiction}",
        "publisher": str(jurisdiction),
        "URL": url,
        "note": f"Published commitment {commitment.pk} on {SITE_NAME}.",
    }
    if commitment.instrument_ref:
        record["number"] = commitment.instrument_ref
    if commitment.adopted_on:
        day = commitment.adopted_on
        record["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    return record


def commitment_json_ld(commitment, url: str, recommendation_urls: list[str]) -> dict:
    jurisdiction = commitment.jurisdiction
    place = {"@type": "AdministrativeArea", "name": str(jurisdiction)}
    if jurisdiction.ocd_id:
        place["identifier"] = jurisdiction.ocd_id
    data = {
        "@context": "https://schema.org",
        "@type": "Legislation" if commitment.kind in LEGISLATION else "CreativeWork",
        "name": commitment.title,
        "url": url,
        "identifier": f"commitment-{commitment.pk}",
        "description": commitment.summary,
        "author": {"@type": "GovernmentOrganization", "name": str(jurisdiction)},
        "spatialCoverage": place,
        "about": [t.name for t in commitment.themes.all()],
        "citation": recommendation_urls,
    }
    if commitment.kind in LEGISLATION:
        data["legislationJurisdiction"] = str(jurisdiction)
        if commitment.instrument_ref:
            data["legislationIdentifier"] = commitment.instrument_ref
        if commitment.adopted_on:
            data["legislationDate"] = commitment.adopted_on.isoformat()
    elif commitment.adopted_on:
        data["datePublished"] = commitment.adopted_on.isoformat()
    if commitment.source_url:
        data["sameAs"] = commitment.source_url
    return data
