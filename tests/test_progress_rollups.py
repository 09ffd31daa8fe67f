"""Roll-ups (on track, late, done) and the timelines of jurisdiction and recommendation
pages."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from jurisdictions.models import Commitment
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    today = timezone.localdate()
    place = f.jurisdiction(name="Riverton", slug="riverton")
    housing = f.theme(name="Housing")
    rows = [
        ("Shelter beds", "in_progress", today + timedelta(days=90)),  # on track
        ("Rent registry", "adopted", None),  # on track: no target date
        ("Tenant counsel", "in_progress", today - timedelta(days=10)),  # late
        ("Lead pipes", "stalled", today + timedelta(days=300)),  # late: stalled
        ("Water shutoff ban", "implemented", today - timedelta(days=50)),  # done
        ("Curfew rule", "repealed", None),
    ]
    made = []
    for title, status, target in rows:
        c = f.commitment(
            jurisdiction=place,
            title=title,
            status=status,
            target_date=target,
            adopted_on=today - timedelta(days=700),
        )
        c.themes.add(housing)
        made.append(c)
    f.commitment(jurisdiction=place, title="Draft plan", status="stalled", publication="draft")
    return place, housing, made


def _expected(commitments, today):
    """The definition, written out again over the Python objects."""
    open_ = {"proposed", "adopted", "in_progress", "stalled"}
    late = [
        c
        for c in commitments
        if c.status in open_ and (c.status == "stalled" or (c.target_date or date.max) < today)
    ]
    done = [c for c in commitments if c.status == "implemented"]
    on_track = [c for c in commitments if c.status in open_ and c not in late]
    return len(on_track), len(late), len(done)


def test_the_rollup_counts_published_commitments_one_way(town, client):
    place, housing, made = town
    today = timezone.localdate()

    rollup = Commitment.objects.published().filter(jurisdiction=place).rollup(today)

    assert (rollup.on_track, rollup.late, rollup.done) == _expected(made, today) == (2, 2, 1)
    assert (rollup.total, rollup.repealed) == (6, 1)
    assert [(key, percent) for key, _, _, percent in rollup.rows] == [
        ("on_track", round(100 * 2 / 6)),
        ("late", round(100 * 2 / 6)),
        ("done", round(100 * 1 / 6)),
        ("repealed", round(100 * 1 / 6)),
    ]
    page = client.get(place.get_absolute_url()).content.decode()
    assert "How its 6 published commitments stand<" in page
    assert "<strong>33%</strong> on track (2)" in page
    assert "<strong>17%</strong> done (1)" in page
    theme_page = client.get(housing.get_absolute_url()).content.decode()
    assert "<strong>33%</strong> late (2)" in theme_page


def test_the_jurisdiction_export_carries_the_same_rollup(town, client):
    place, _, made = town
    response = client.get("/jurisdictions/export.csv")
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(response.getvalue().decode()))}
    on_track, late, done = _expected(made, timezone.localdate())
    assert {k: rows["riverton"][k] for k in rows["riverton"] if k.startswith("rollup_")} == {
        "rollup_total": "6",
        "rollup_on_track": str(on_track),
        "rollup_late": str(late),
        "rollup_done": str(done),
        "rollup_repealed": "1",
    }


def test_the_commitment_export_gives_each_its_standing_as_the_rollup_counts_it(town, client):
    place, housing, made = town
    response = client.get("/commitments/export.csv", {"theme": housing.slug})
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    standings = {row["title"]: row["standing"] for row in rows}
    assert standings == {
        "Shelter beds": "on_track",
        "Rent registry": "on_track",
        "Tenant counsel": "late",
        "Lead pipes": "late",
        "Water shutoff ban": "done",
        "Curfew rule": "repealed",
    }
    rollup = Commitment.objects.published().on_themes([housing]).rollup()
    counted = [list(standings.values()).count(k) for k in ("on_track", "late", "done")]
    assert counted == [rollup.on_track, rollup.late, rollup.done]


def test_the_jurisdiction_page_puts_its_commitments_on_one_axis(town, client):
    place, _, made = town
    f.milestone(made[0], title="Beds opened", due_on=timezone.localdate() - timedelta(days=30))

    page = client.get(place.get_absolute_url()).content.decode()

    assert "Commitments over time" in page
    assert page.count('<rect class="span') == 6
    assert 'class="span late"' in page and 'class="span done"' in page
    target = made[0].target_date
    assert f"target date {target:%Y-%m-%d}; milestone “Beds opened” due" in page


def test_the_recommendation_page_tells_the_story_in_date_order(client):
    review = f.review(review_date=date(2020, 11, 9), response_date=date(2021, 3, 4))
    rec = f.recommendation(review=review, response="supported")
    place = f.jurisdiction(name="Lakeside", slug="lakeside")
    plan = f.commitment(
        jurisdiction=place, title="Lakeside water plan", adopted_on=date(2021, 7, 1)
    )
    f.link(plan, rec)
    f.update(plan, reported_on=date(2022, 2, 1), status="in_progress", summary="Funded.")
    f.update(plan, reported_on=date(2021, 9, 1), summary="Not public.", publication="draft")
    hidden = f.commitment(jurisdiction=place, title="Secret draft", publication="draft")
    f.link(hidden, rec)

    page = client.get(rec.get_absolute_url()).content.decode()

    story = page[page.index('id="story-heading"') :]
    order = [
        "2020-11-09</time> Reviewed",
        "2021-03-04</time> Response: supported",
        "2021-07-01</time> <a",
        "2022-02-01</time> <a",
    ]
    positions = [story.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Progress (in progress): Lakeside water plan" in story
    assert "2021-09-01" not in story and "Secret draft" not in story
