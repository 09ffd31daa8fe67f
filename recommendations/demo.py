"""Demo reviews and recommendations: facts from the 2020 US review, summaries in our words.

Idempotent: rows are matched on their natural keys (state + cycle, report + paragraph).
Only missing paragraphs are written: one already present, imported from the UN's files
for instance, is left as it is (to see changed demo summaries, seed an empty database).
"""

import csv
from datetime import date
from pathlib import Path

from django.db import transaction

from .models import (
    AffectedGroup,
    CalendarEntry,
    CalendarEntryKind,
    Country,
    Recommendation,
    Review,
    SdgTarget,
    Theme,
)
from .recurrence import refresh_recommended_again
from .seed import _upsert

DATA = Path(__file__).parent / "demo_data" / "recommendations.csv"
# Spanish versions of a few demo summaries and theme names, in our words.
SPANISH = Path(__file__).parent / "demo_data" / "recommendations_es.csv"
SPANISH_THEMES = Path(__file__).parent / "demo_data" / "themes_es.csv"

US_REVIEWS = [
    # cycle, session, review date, report, addendum, response date, status, note
    (
        1,
        9,
        date(2010, 11, 5),
        "A/HRC/16/11",
        "A/HRC/16/11/Add.1",
        None,
        "responded",
        "228 recommendations from 55 states; the written response came in March 2011.",
    ),
    (
        2,
        22,
        date(2015, 5, 11),
        "A/HRC/30/12",
        "A/HRC/30/12/Add.1",
        date(2015, 9, 1),
        "responded",
        "343 recommendations; 260 supported in whole or in part.",
    ),
    (
        3,
        36,
        date(2020, 11, 9),
        "A/HRC/46/15",
        "A/HRC/46/15/Add.1",
        date(2021, 3, 4),
        "responded",
        "347 recommendations from 114 states: 263 supported, 17 supported in part, 67 noted.",
    ),
    (
        4,
        50,
        None,
        "",
        "",
        None,
        "postponed",
        "Planned for November 2025; the United States said it would not take part and the "
        "Council moved the review into 2026.",
    ),
]


def seed_reviews() -> None:
    usa = Country.objects.get(iso3="USA")
    for cycle, session, held, report, addendum, answered, status, note in US_REVIEWS:
        _upsert(
            Review,
            {"state_under_review": usa, "cycle": cycle},
            {
                "wg_session": session,
                "review_date": held,
                "report_symbol": report,
                "response_symbol": addendum,
                "response_date": answered,
                "status": status,
                "notes": note,
            },
        )


ILLUSTRATIVE = "Illustrative date for the demo, not an official deadline."
# Dates the public record does not give (DOMAIN facts give the sessions and responses,
# which the calendar reads from the reviews above): each says so in its note, which the
# calendar and its feed show.
ILLUSTRATIVE_DATES = [
    # cycle, kind, day
    (3, CalendarEntryKind.MIDTERM_REPORT, date(2023, 3, 15)),
    (4, CalendarEntryKind.STAKEHOLDER_DEADLINE, date(2025, 4, 14)),
    (4, CalendarEntryKind.NATIONAL_REPORT, date(2025, 8, 4)),
]


def seed_calendar() -> int:
    """The UPR calendar's demo dates that no review holds: the illustrative deadlines
    above. The sessions and responses, and the postponement of the fourth review (its
    status and notes), come from the reviews themselves. Upserts on (review, kind)."""
    reviews = {r.cycle: r for r in Review.objects.filter(state_under_review__iso3="USA")}
    for cycle, kind, day in ILLUSTRATIVE_DATES:
        _upsert(
            CalendarEntry,
            {"review": reviews[cycle], "kind": kind},
            {"starts_on": day, "ends_on": None, "title": "", "note": ILLUSTRATIVE},
        )
    return len(ILLUSTRATIVE_DATES)


def _split(value: str, sep: str = ";") -> list[str]:
    return [part.strip() for part in value.split(sep) if part.strip()]


@transaction.atomic
def seed_recommendations(path: Path = DATA) -> int:
    seed_reviews()
    seed_calendar()
    review = Review.objects.get(state_under_review__iso3="USA", cycle=3)
    countries = {c.iso3: c for c in Country.objects.all()}
    uhri = {t.name: t for t in Theme.objects.filter(vocabulary="uhri")}
    upr_info = {t.name: t for t in Theme.objects.filter(vocabulary="upr_info")}
    groups = {g.name: g for g in AffectedGroup.objects.all()}
    targets = {t.code: t for t in SdgTarget.objects.all()}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Demo summaries stand in for the UN's data, never over it: a paragraph already in the
    # database (imported, edited by a curator, or seeded before) keeps what it holds.
    present = set(Recommendation.objects.filter(review=review).values_list("paragraph", flat=True))
    for row in rows:
        if row["paragraph"] in present:
            continue
        values = {
            "text": row["summary"].strip(),
            "response": row["response"],
            "response_note": row.get("response_note", "").strip(),
            "action_category": int(row["action_category"]) if row["action_category"] else None,
        }
        rec = Recommendation.objects.create(review=review, paragraph=row["paragraph"], **values)
        rec.recommending_countries.set(
            countries[c] for c in _split(row["recommending_states"], " ")
        )
        rec.themes.set(
            [uhri[name] for name in _split(row["uhri_themes"])]
            + [upr_info[name] for name in _split(row["upr_info_issues"])]
        )
        rec.affected_groups.set(groups[name] for name in _split(row["affected_groups"]))
        rec.sdg_targets.set(targets[code] for code in _split(row["sdg_targets"], " "))
    refresh_recommended_again(Recommendation.objects.filter(review=review))
    seed_spanish(review)
    return len(rows)


def seed_spanish(review) -> None:
    """The Spanish of a demo summary goes only onto that summary (a record holding the UN's
    text keeps its own), and never over a Spanish text already there."""
    with SPANISH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Recommendation.objects.filter(
                review=review, paragraph=row["paragraph"], text=row["text"], text_es=""
            ).update(text_es=row["text_es"])
    with SPANISH_THEMES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Theme.objects.filter(vocabulary=row["vocabulary"], name=row["name"], name_es="").update(
                name_es=row["name_es"]
            )
