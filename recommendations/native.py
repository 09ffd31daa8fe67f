"""The project's own recommendation format: what export.csv/export.json write and the
`native` importer reads. One row per recommendation; list cells join values with "; "."""

from .absolute_urls import base_url

FIELDS = [
    "url",
    "public_id",
    "state_under_review",
    "cycle",
    "wg_session",
    "report_symbol",
    "review_date",
    "response_symbol",
    "response_date",
    "review_status",
    "review_notes",
    "paragraph",
    "citation",
    "text",
    "recommending_states",
    "positions",
    "response",
    "response_note",
    "action_category",
    "themes",
    "affected_groups",
    "sdg_targets",
    "uhri_id",
    "upr_info_key",
    "body",
    "local_status",
    "jurisdictions_acting",
]

LIST_SEPARATOR = "; "


def row(rec, base: str | None = None) -> dict:
    """Expects a recommendation from Recommendation.objects.for_export(); `base` starts
    its URL (recommendations.absolute_urls.base_url)."""
    review = rec.review
    return {
        "url": (base or base_url()) + rec.get_absolute_url(),
        "public_id": rec.public_id,
        "state_under_review": review.state_under_review.iso3,
        "cycle": review.cycle,
        "wg_session": review.wg_session or "",
        "report_symbol": review.report_symbol,
        # The review's own fields repeat on each of its rows, so that an import of the file
        # into an empty site rebuilds the review too.
        "review_date": review.review_date.isoformat() if review.review_date else "",
        "response_symbol": review.response_symbol,
        "response_date": review.response_date.isoformat() if review.response_date else "",
        "review_status": review.status,
        "review_notes": review.notes,
        "paragraph": rec.paragraph,
        "citation": rec.citation,
        "text": rec.text,
        "recommending_states": LIST_SEPARATOR.join(
            sorted(c.iso3 for c in rec.recommending_countries.all())
        ),
        # The answer to each recommending state, where a source gave one: "AUS:supported".
        "positions": LIST_SEPARATOR.join(
            sorted(f"{p.country.iso3}:{p.response}" for p in rec.positions.all())
        ),
        "response": rec.response,
        "response_note": rec.response_note,
        "action_category": rec.action_category or "",
        # vocabulary:name keeps same-named themes of different vocabularies apart
        "themes": LIST_SEPARATOR.join(sorted(f"{t.vocabulary}:{t.name}" for t in rec.themes.all())),
        "affected_groups": LIST_SEPARATOR.join(sorted(g.name for g in rec.affected_groups.all())),
        "sdg_targets": LIST_SEPARATOR.join(sorted(t.code for t in rec.sdg_targets.all())),
        "uhri_id": str(rec.uhri_id) if rec.uhri_id else "",
        "upr_info_key": rec.upr_info_key,
        "body": rec.body,
        "local_status": rec.local_status,
        "jurisdictions_acting": rec.jurisdictions_acting,
    }
