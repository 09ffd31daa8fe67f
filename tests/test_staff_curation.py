"""Curators' edits of recommendations and themes (jurisdictions/staff/curation.py): what
the database would refuse is refused by the form first, with the reason on the page."""

import pytest
from django.urls import reverse

from recommendations.models import Theme
from tests import factories as f

pytestmark = pytest.mark.django_db


def edit_recommendation(client, rec, **changes):
    data = {"paragraph": rec.paragraph, "text": rec.text, "response": rec.response}
    return client.post(reverse("staff:recommendation-edit", args=[rec.pk]), {**data, **changes})


def test_a_paragraph_already_used_in_the_review_is_refused_on_the_form(client, curator):
    taken = f.recommendation(paragraph="26.49")
    rec = f.recommendation(review=taken.review, paragraph="26.50")

    response = edit_recommendation(client, rec, paragraph="26.49")

    assert response.status_code == 200
    assert "already has a recommendation with this paragraph number" in response.content.decode()
    rec.refresh_from_db()
    assert rec.paragraph == "26.50"


def test_a_paragraph_used_only_in_another_review_is_accepted(client, curator):
    f.recommendation(paragraph="26.49", review=f.review())
    later = f.review(cycle=4, wg_session=50, report_symbol="A/HRC/59/15")
    rec = f.recommendation(paragraph="26.50", review=later)

    assert edit_recommendation(client, rec, paragraph="26.49").status_code == 302
    assert edit_recommendation(client, rec, paragraph="").status_code == 302


def edit_theme(client, theme, parent):
    return client.post(
        reverse("staff:theme-edit", args=[theme.pk]),
        {"vocabulary": theme.vocabulary, "name": theme.name, "parent": parent.pk},
    )


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_a_theme_cannot_be_placed_under_itself_or_a_theme_below_it(client, curator, depth):
    top = f.theme(name="Housing")
    chain = [top]
    for n in range(depth):
        chain.append(f.theme(name=f"Housing level {n + 1}", parent=chain[-1]))

    response = edit_theme(client, top, parent=chain[-1])

    assert response.status_code == 200
    assert "A theme cannot be placed under itself." in response.content.decode()
    top.refresh_from_db()
    assert top.parent_id is None


def test_a_theme_can_move_under_a_theme_beside_it(client, curator):
    housing, shelter = f.theme(name="Housing"), f.theme(name="Shelter")
    f.theme(name="Evictions", parent=shelter)

    assert edit_theme(client, shelter, parent=housing).status_code == 302
    assert Theme.ancestor_ids(shelter.pk) == [shelter.pk, housing.pk]
