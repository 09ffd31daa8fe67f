"""The mirror view (issue 26, point 4): what the United States recommended to other
states, on the real UPR Info exports in ../shared/data, where it is a recommending state."""

from collections import Counter

import pytest
from django.db import connection
from django.urls import reverse

from recommendations.importers.pipeline import import_file
from recommendations.models import Country, Recommendation, Theme
from tests import factories as f
from tests.shared_exports import shared_files

pytestmark = pytest.mark.django_db


def counted_in_sql() -> Counter:
    """(theme id, cycle) -> recommendations the United States made to another state,
    straight from the link tables rather than the facet arrays and index."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.theme_id, v.cycle, count(DISTINCT r.id)
            FROM recommendations_recommendation r
            JOIN recommendations_review v ON v.id = r.review_id
            JOIN recommendations_country s ON s.id = v.state_under_review_id
            JOIN recommendations_recommendation_recommending_countries rc
              ON rc.recommendation_id = r.id
            JOIN recommendations_country us ON us.id = rc.country_id AND us.iso3 = 'USA'
            JOIN recommendations_recommendation_themes t ON t.recommendation_id = r.id
            WHERE s.iso3 <> 'USA'
            GROUP BY 1, 2
            """
        )
        return Counter({(theme, str(cycle)): n for theme, cycle, n in cursor.fetchall()})


@pytest.mark.slow  # both real exports
def test_the_mirror_counts_per_theme_and_cycle_match_the_link_tables(client, reference_data):
    for path in shared_files("upr-info"):
        assert import_file(path).ok

    expected = counted_in_sql()
    assert {cycle for _, cycle in expected} == {"1", "2"}  # sessions 1-5 and 14-17
    response = client.get(reverse("recommendations:mirror"))
    assert response.status_code == 200
    cycles = [label.split()[1] for label in response.context["cycles"]]
    shown = Counter()
    for row in response.context["rows"]:
        for cycle, n in zip(cycles, row["counts"], strict=True):
            if n:
                shown[(row["theme"].pk, cycle)] = n
        assert row["total"] == sum(row["counts"])
    assert shown == expected
    us = Country.objects.get(iso3="USA")
    made = Recommendation.objects.recommended_by(us).exclude(review__state_under_review=us)
    assert response.context["total"] == made.count() > 100

    # A theme page: its count, per cycle, and the full list it links to hold the same set.
    women = Theme.objects.get(vocabulary="upr_info", name="Women's rights")
    page = client.get(women.get_absolute_url())
    section = page.context["mirror"]
    assert section["total"] == sum(n for (t, _), n in expected.items() if t == women.pk)
    assert dict(section["cycles"]) == {
        label: expected[(women.pk, label.split()[1])] for label, _ in section["cycles"]
    }
    listed = client.get(section["url"])
    assert listed.context["page_obj"].paginator.count == section["total"]
    html = page.content.decode()
    assert f"on this theme ({section['total']})" in html
    example = section["examples"][0]
    assert example.review.state_under_review.name in html

    # A recommendation to the United States that the United States also made to others.
    us_review = f.review(state_under_review=us, cycle=3, wg_session=36)
    asked = f.recommendation(
        review=us_review,
        paragraph="26.317",
        text=example.text,
        themes=[women],
    )
    detail = client.get(asked.get_absolute_url()).content.decode()
    assert (
        "The United States made a similar recommendation to "
        f'<a href="{example.review.state_under_review.get_absolute_url()}">' in detail
    )
    # The home page stays about the United States under review.
    home = client.get("/")
    assert (
        home.context["recommendation_count"] == 1 == Recommendation.objects.to_home_state().count()
    )
    assert "recommended to other states" not in home.content.decode()
