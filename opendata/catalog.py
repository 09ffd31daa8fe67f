"""The licence of the open data and the DCAT-US 1.1 catalogue (/data.json) that lists the
bulk files, the API and their licence, as US federal and city open-data portals do, so
harvesters (data.gov, CKAN) can find them."""

from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import bulk

LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "id": "CC-BY-4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "UPR Tracker",
}
DCAT_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
DCAT_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"


# DCAT-US wants an address on a named domain; .invalid is reserved for addresses that
# must never be delivered (RFC 2606), so a harvester sees plainly that none is set.
NO_CONTACT = "contact@example.invalid"


def contact_email() -> str:
    """OPEN_DATA_CONTACT_EMAIL, else the sender address of the site's mail; a machine-local
    one (the development default noreply@localhost) is no contact for the public."""
    address = settings.OPEN_DATA_CONTACT_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2]
    return address if "." in domain.strip(".") else NO_CONTACT


def data_json(base: str) -> dict:
    """The catalogue: one dataset, the latest set's files as its distributions (at their
    stable /data/latest/ addresses), and the API."""
    days = bulk.days()
    latest = days[0] if days else None
    manifest = bulk.manifest(latest) if latest else None
    distributions = []
    for entry in (manifest or {}).get("files", []):
        url = base + reverse("opendata:latest-file", args=[entry["name"]])
        table = entry.get("table")
        distributions.append(
            {
                "@type": "dcat:Distribution",
                "title": f"{table} (JSON Lines, gzip)" if table else "Every table (CSV, zip)",
                "description": (
                    f"{entry['rows']} rows, one JSON object per line. SHA-256 {entry['sha256']}."
                    if table
                    else "One CSV file per table, UTF-8 with a header row. "
                    f"SHA-256 {entry['sha256']}."
                ),
                "downloadURL": url,
                "mediaType": entry["media_type"],
                "format": "JSON Lines" if table else "CSV",
                "describedBy": base + reverse("opendata:latest-file", args=[bulk.MANIFEST]),
                "describedByType": "application/json",
            }
        )
    distributions.append(
        {
            "@type": "dcat:Distribution",
            "title": "Read API",
            "description": "JSON API with the filters and search of the web pages.",
            "accessURL": base + reverse("api:docs"),
            "format": "API",
            "conformsTo": "https://spec.openapis.org/oas/v3.0.3",
            "describedBy": base + reverse("api:openapi"),
            "describedByType": "application/vnd.oai.openapi+json",
        }
    )
    # Before the first bulk set only the API is offered, and it serves today's data.
    modified = latest or timezone.now().date().isoformat()
    return {
        "@context": DCAT_CONTEXT,
        "@id": base + reverse("opendata:data-json"),
        "@type": "dcat:Catalog",
        "conformsTo": DCAT_SCHEMA,
        "describedBy": f"{DCAT_SCHEMA}/catalog.json",
        "dataset": [
            {
                "@type": "dcat:Dataset",
                "title": "UPR Tracker: UN Universal Periodic Review recommendations and US "
                "state and local commitments",
                "description": "The recommendations other states made in the UN Universal "
                "Periodic Review, how the state under review answered them, and the "
                "published commitments of US states, counties, cities and tribal nations "
                "that act on them, with their progress updates. Rebuilt daily.",
                "keyword": [
                    "human rights",
                    "Universal Periodic Review",
                    "United Nations",
                    "local government",
                    "recommendations",
                ],
                "modified": modified,
                "publisher": {"@type": "org:Organization", "name": settings.OPEN_DATA_PUBLISHER},
                "contactPoint": {
                    "@type": "vcard:Contact",
                    "fn": settings.OPEN_DATA_PUBLISHER,
                    "hasEmail": f"mailto:{contact_email()}",
                },
                "identifier": base + reverse("opendata:index"),
                "accessLevel": "public",
                "license": LICENCE["url"],
                "spatial": "United States",
                "accrualPeriodicity": "R/P1D",
                "landingPage": base + reverse("opendata:index"),
                "distribution": distributions,
            }
        ],
    }
