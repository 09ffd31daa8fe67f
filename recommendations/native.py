"""The project's own recommendation format: what export.csv/export.json write and the
`native` importer reads. One row per recommendation; list cells join values with "; ".

Codes sit beside readable names: recommending_states holds ISO codes and
recommending_state_names the names in the same order; themes holds theme names and
theme_vocabularies the vocabulary of each, in the same order (two vocabularies share names
such as "Death penalty"). The names of the jurisdictions acting are read through a lookup
the jurisdictions app registers (this app knows no jurisdictions)."""

from collections.abc import Callable

from .absolute_urls import base_url

FIELDS = [
    "url",
    "public_id",
    "state_under_review",
    "state_under_review_name",
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
    "text_es",
    "recommending_states",
    "recommending_state_names",
    "positions",
    "response",
    "response_note",
    "action_category",
    "themes",
    "theme_vocabularies",
    "affected_groups",
    "sdg_targets",
    "uhri_id",
    "upr_info_key",
    "body",
    "local_status",
    "local_action",
    "jurisdictions_acting",
    "acting_jurisdictions",
]

LIST_SEPARATOR = "; "

# {jurisdiction id: name}, registered by the jurisdictions app (register_acting_names).
_acting_names: Callable[[], dict[int, str]] = dict


def register_acting_names(lookup: Callable[[], dict[int, str]]) -> None:
    global _acting_names
    _acting_names = lookup


def acting_names() -> dict[int, str]:
    return _acting_names()


def joined(values) -> str:
    return LIST_SEPARATOR.join(values)


def theme_cells(themes) -> tuple[str, str]:
    """(names, vocabularies) of (vocabulary, name) pairs, sorted by name then vocabulary."""
    ordered = sorted(themes, key=lambda pair: (pair[1], pair[0]))
    return joined(name for _, name in ordered), joined(vocab for vocab, _ in ordered)


def state_cells(states) -> tuple[str, str]:
    """(codes, names) of (iso3, name) pairs, sorted by code."""
    ordered = sorted(states)
    return joined(code for code, _ in ordered), joined(name for _, name in ordered)


def row(rec, base: str | None = None, acting: dict[int, str] | None = None) -> dict:
    """Expects a recommendation from Recommendation.objects.for_export(); `base` starts
    its URL (recommendations.absolute_urls.base_url); `acting` is acting_names(), read
    once for many rows."""
    review = rec.review
    states = state_cells((c.iso3, c.name) for c in rec.recommending_countries.all())
    themes = theme_cells((t.vocabulary, t.name) for t in rec.themes.all())
    names = acting_names() if acting is None else acting
    return {
        "url": (base or base_url()) + rec.get_absolute_url(),
        "public_id": rec.public_id,
        "state_under_review": review.state_under_review.iso3,
        "state_under_review_name": review.state_under_review.name,
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
        "text_es": rec.text_es,
        "recommending_states": states[0],
        "recommending_state_names": states[1],
        # The answer to each recommending state, where a source gave one: "AUS:supported".
        "positions": LIST_SEPARATOR.join(
            sorted(f"{p.country.iso3}:{p.response}" for p in rec.positions.all())
        ),
        "response": rec.response,
        "response_note": rec.response_note,
        "action_category": rec.action_category or "",
        "themes": themes[0],
        "theme_vocabularies": themes[1],
        "affected_groups": LIST_SEPARATOR.join(sorted(g.name for g in rec.affected_groups.all())),
        "sdg_targets": LIST_SEPARATOR.join(sorted(t.code for t in rec.sdg_targets.all())),
        "uhri_id": str(rec.uhri_id) if rec.uhri_id else "",
        "upr_info_key": rec.upr_info_key,
        "body": rec.body,
        "local_status": rec.local_status,
        "local_action": rec.get_local_status_display(),
        "jurisdictions_acting": rec.jurisdictions_acting,
        "acting_jurisdictions": joined(
            sorted(names[pk] for pk in rec.acting_jurisdiction_ids if pk in names)
        ),
    }
