"""Impossible data is refused twice: by model validation (forms) and by the database."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jurisdictions.models import Commitment, CommitmentLink, Jurisdiction, NetworkMembership
from recommendations.models import Country, Recommendation, Review, Theme, cycle_for_session

from . import factories

pytestmark = pytest.mark.django_db


def refused_by_database(make) -> bool:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()
    return True


def test_a_response_outside_the_vocabulary_is_refused():
    rec = factories.recommendation()
    rec.response = "rejected"
    with pytest.raises(ValidationError) as err:
        rec.full_clean()
    assert "response" in err.value.message_dict
    assert refused_by_database(
        lambda: Recommendation.objects.filter(pk=rec.pk).update(response="rejected")
    )


def test_a_paragraph_cannot_appear_twice_in_one_review():
    rec = factories.recommendation(paragraph="26.49")
    duplicate = Recommendation(review=rec.review, paragraph="26.49", text="Another text.")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    assert refused_by_database(
        lambda: Recommendation.objects.create(review=rec.review, paragraph="26.49", text="x")
    )


def test_the_same_paragraph_in_another_review_is_fine():
    rec = factories.recommendation(paragraph="26.49")
    other = factories.review(state_under_review=rec.review.state_under_review, cycle=2)
    assert factories.recommendation(review=other, paragraph="26.49").pk


def test_recommendations_without_a_paragraph_may_share_a_review():
    first = factories.recommendation(paragraph="")
    second = factories.recommendation(review=first.review, paragraph="")
    assert first.review_id == second.review_id


def test_action_category_must_be_between_one_and_five():
    rec = factories.recommendation()
    assert refused_by_database(
        lambda: Recommendation.objects.filter(pk=rec.pk).update(action_category=6)
    )


def test_a_recommendation_needs_text():
    review = factories.review()
    assert refused_by_database(
        lambda: Recommendation.objects.create(review=review, paragraph="1.1")
    )


def test_the_uhri_annotation_id_is_unique():
    rec = factories.recommendation(uhri_id="5d1b2e3f-0000-4000-8000-000000000001")
    assert refused_by_database(
        lambda: factories.recommendation(
            review=rec.review, uhri_id="5d1b2e3f-0000-4000-8000-000000000001"
        )
    )


def test_one_review_per_state_and_cycle():
    review = factories.review()
    assert refused_by_database(
        lambda: Review.objects.create(state_under_review=review.state_under_review, cycle=3)
    )


def test_review_status_outside_the_vocabulary_is_refused():
    review = factories.review()
    assert refused_by_database(
        lambda: Review.objects.filter(pk=review.pk).update(status="cancelled")
    )


def test_a_session_must_match_its_cycle():
    review = factories.review(cycle=3, wg_session=22)
    with pytest.raises(ValidationError) as err:
        review.full_clean()
    assert "belongs to cycle 2" in str(err.value)


@pytest.mark.parametrize(
    "session, cycle",
    [
        (1, 1),
        (9, 1),
        (12, 1),
        (13, 2),
        (22, 2),
        (26, 2),
        (27, 3),
        (36, 3),
        (40, 3),
        (41, 4),
        (50, 4),
        (54, 4),
    ],
)
def test_cycles_follow_working_group_sessions(session, cycle):
    assert cycle_for_session(session) == cycle


def test_country_codes_are_unique_and_upper_case():
    factories.country(iso3="QQA")
    assert refused_by_database(lambda: Country.objects.create(iso3="QQA", name="Elsewhere"))
    assert refused_by_database(lambda: Country.objects.create(iso3="qqb", name="Lower"))


def test_theme_names_are_unique_within_a_vocabulary_only():
    factories.theme(vocabulary="uhri", name="Death penalty")
    factories.theme(vocabulary="upr_info", name="Death penalty")
    assert refused_by_database(lambda: factories.theme(vocabulary="uhri", name="Death penalty"))


def test_a_theme_parent_must_share_its_vocabulary():
    parent = factories.theme(vocabulary="uhri", name="Civil rights")
    child = Theme(vocabulary="upr_info", name="Justice", slug="upr-info-justice", parent=parent)
    with pytest.raises(ValidationError) as err:
        child.full_clean()
    assert "parent" in err.value.message_dict


def test_a_target_date_before_adoption_is_refused():
    commitment = factories.commitment(adopted_on=date(2020, 5, 1))
    commitment.target_date = date(2019, 1, 1)
    with pytest.raises(ValidationError) as err:
        commitment.full_clean()
    assert err.value.message_dict["target_date"] == [
        "The target date cannot be before the adoption date."
    ]
    assert refused_by_database(
        lambda: Commitment.objects.filter(pk=commitment.pk).update(target_date=date(2019, 1, 1))
    )


@pytest.mark.parametrize(
    "field, value",
    [("status", "abandoned"), ("kind", "tweet"), ("publication", "hidden")],
)
def test_commitment_choices_are_enforced_by_the_database(field, value):
    commitment = factories.commitment()
    assert refused_by_database(
        lambda: Commitment.objects.filter(pk=commitment.pk).update(**{field: value})
    )


def test_a_commitment_links_to_a_recommendation_once():
    commitment = factories.commitment()
    rec = factories.recommendation()
    factories.link(commitment, rec)
    assert refused_by_database(lambda: factories.link(commitment, rec))
    assert refused_by_database(
        lambda: CommitmentLink.objects.filter(commitment=commitment).update(relation="ignores")
    )


def test_fips_codes_are_unique_but_may_be_empty():
    factories.jurisdiction(fips="4261000")
    factories.jurisdiction(fips="")
    factories.jurisdiction(fips="")
    assert refused_by_database(lambda: factories.jurisdiction(fips="4261000"))


def test_a_jurisdiction_cannot_be_its_own_parent():
    place = factories.jurisdiction()
    assert refused_by_database(
        lambda: Jurisdiction.objects.filter(pk=place.pk).update(parent=place)
    )


def test_a_jurisdiction_joins_a_network_once():
    from jurisdictions.models import Network

    network = Network.objects.create(name="Cities for CEDAW", slug="cities-for-cedaw")
    place = factories.jurisdiction()
    NetworkMembership.objects.create(network=network, jurisdiction=place)
    assert refused_by_database(
        lambda: NetworkMembership.objects.create(network=network, jurisdiction=place)
    )


def test_citation_names_the_report_and_paragraph():
    rec = factories.recommendation(paragraph="26.49")
    assert rec.citation == "A/HRC/46/15, para. 26.49"
