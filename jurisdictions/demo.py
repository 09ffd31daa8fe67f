"""Demo local actions: real state and city measures, described in our own words.

Idempotent: jurisdictions match on slug, networks on slug, commitments on
(jurisdiction, title), links on (commitment, recommendation), updates on
(commitment, date, summary), indicators on (commitment, name), measurements on
(indicator, date), milestones on (commitment, title).
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from recommendations.models import Recommendation, Review, Theme
from recommendations.seed import _upsert

from .models import (
    Commitment,
    CommitmentLink,
    Jurisdiction,
    Network,
    NetworkMembership,
    ProgressUpdate,
    Publication,
)
from .progress.models import Indicator, Measurement, Milestone

DATA = Path(__file__).parent / "demo_data" / "local_actions.json"
# Spanish titles and summaries of a few demo commitments and their updates, in our words.
SPANISH = Path(__file__).parent / "demo_data" / "local_actions_es.json"


def _date(value):
    return date.fromisoformat(value) if value else None


@transaction.atomic
def seed_local_actions(path: Path = DATA) -> dict[str, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for row in data["jurisdictions"]:
        parent = Jurisdiction.objects.get(slug=row["parent"]) if row.get("parent") else None
        _upsert(
            Jurisdiction,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "kind": row["kind"],
                "state_code": row.get("state_code", ""),
                "fips": row.get("fips", ""),
                "ocd_id": row.get("ocd_id", ""),
                "parent": parent,
                "website": row.get("website", ""),
            },
        )
    for row in data["networks"]:
        _upsert(
            Network,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "kind": row["kind"],
                "description": row.get("description", ""),
                "url": row.get("url", ""),
            },
        )
        network = Network.objects.get(slug=row["slug"])
        for member in row["members"]:
            _upsert(
                NetworkMembership,
                {
                    "network": network,
                    "jurisdiction": Jurisdiction.objects.get(slug=member["jurisdiction"]),
                },
                {"joined_on": _date(member.get("joined_on")), "note": member.get("note", "")},
            )

    review = Review.objects.get(state_under_review__iso3="USA", cycle=3)
    recs = {r.paragraph: r for r in Recommendation.objects.filter(review=review)}
    themes = {t.name: t for t in Theme.objects.filter(vocabulary="uhri")}
    for row in data["commitments"]:
        jurisdiction = Jurisdiction.objects.get(slug=row["jurisdiction"])
        adopted = _date(row.get("adopted_on"))
        _upsert(
            Commitment,
            {"jurisdiction": jurisdiction, "title": row["title"]},
            {
                "kind": row["kind"],
                "instrument_ref": row.get("instrument_ref", ""),
                "summary": row.get("summary", ""),
                "status": row["status"],
                "adopted_on": adopted,
                "target_date": _date(row.get("target_date")),
                "responsible_office": row.get("responsible_office", ""),
                "source_url": row.get("source_url", ""),
                "publication": Publication.PUBLISHED,
            },
        )
        commitment = Commitment.objects.get(jurisdiction=jurisdiction, title=row["title"])
        if commitment.published_at is None:
            # A stable date for the demo: when the measure was adopted, else today.
            moment = adopted or timezone.localdate()
            commitment.published_at = timezone.make_aware(
                timezone.datetime(moment.year, moment.month, moment.day, 12)
            )
            commitment.save(update_fields=["published_at"])
        commitment.themes.set(themes[name] for name in row.get("themes", []))
        for link in row.get("links", []):
            _upsert(
                CommitmentLink,
                {"commitment": commitment, "recommendation": recs[link["paragraph"]]},
                {"relation": link["relation"], "rationale": link.get("rationale", "")},
            )
        for upd in row.get("updates", []):
            _upsert(
                ProgressUpdate,
                {
                    "commitment": commitment,
                    "reported_on": _date(upd["reported_on"]),
                    "summary": upd["summary"],
                },
                {
                    "status": upd.get("status", ""),
                    "evidence_url": upd.get("evidence_url", ""),
                    "publication": Publication.PUBLISHED,
                },
            )
        _seed_progress(commitment, row)
    seed_spanish()
    return {
        "jurisdictions": Jurisdiction.objects.count(),
        "networks": Network.objects.count(),
        "commitments": Commitment.objects.count(),
        "links": CommitmentLink.objects.count(),
        "progress updates": ProgressUpdate.objects.count(),
        "indicators": Indicator.objects.count(),
        "measurements": Measurement.objects.count(),
        "milestones": Milestone.objects.count(),
    }


def seed_spanish(path: Path = SPANISH) -> None:
    """Fills Spanish fields that are still empty; what staff wrote since stays."""
    for row in json.loads(path.read_text(encoding="utf-8"))["commitments"]:
        commitment = Commitment.objects.get(
            jurisdiction__slug=row["jurisdiction"], title=row["title"]
        )
        Commitment.objects.filter(pk=commitment.pk, title_es="").update(title_es=row["title_es"])
        Commitment.objects.filter(pk=commitment.pk, summary_es="").update(
            summary_es=row["summary_es"]
        )
        for upd in row.get("updates", []):
            ProgressUpdate.objects.filter(
                commitment=commitment, reported_on=_date(upd["reported_on"]), summary_es=""
            ).update(summary_es=upd["summary_es"])


def _seed_progress(commitment, row):
    """A few demo commitments carry indicators with dated measurements and milestones. The
    figures are illustrative, said so in each indicator's name, and their source links
    point at example.org, so nobody takes them for official statistics."""
    for spec in row.get("indicators", []):
        _upsert(
            Indicator,
            {"commitment": commitment, "name": spec["name"]},
            {
                "unit": spec["unit"],
                "direction": spec["direction"],
                "baseline_value": Decimal(str(spec["baseline_value"])),
                "baseline_date": _date(spec["baseline_date"]),
                "target_value": Decimal(str(spec["target_value"])),
                "target_date": _date(spec["target_date"]),
                "publication": Publication.PUBLISHED,
            },
        )
        indicator = Indicator.objects.get(commitment=commitment, name=spec["name"])
        for measured in spec["measurements"]:
            _upsert(
                Measurement,
                {"indicator": indicator, "measured_on": _date(measured["measured_on"])},
                {
                    "value": Decimal(str(measured["value"])),
                    "source_url": measured["source_url"],
                    "publication": Publication.PUBLISHED,
                },
            )
    for milestone in row.get("milestones", []):
        _upsert(
            Milestone,
            {"commitment": commitment, "title": milestone["title"]},
            {"due_on": _date(milestone["due_on"]), "done_on": _date(milestone["done_on"])},
        )
