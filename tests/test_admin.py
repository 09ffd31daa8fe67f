"""The Django admin is how curators work until their own screens exist."""

import pytest
from django.contrib import admin
from django.urls import reverse

from jurisdictions.models import Commitment
from recommendations.models import Recommendation

from . import factories

pytestmark = pytest.mark.django_db

OUR_APPS = {"recommendations", "jurisdictions"}


def registered_models():
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-for-tests")
    client.force_login(user)
    return client


@pytest.fixture
def many_rows(reference_data):
    themes = [factories.theme() for _ in range(3)]
    countries = list(factories.country() for _ in range(3))
    review = factories.review(
        state_under_review=factories.country(iso3="USA", name="United States")
        if not countries[0].__class__.objects.filter(iso3="USA").exists()
        else countries[0].__class__.objects.get(iso3="USA")
    )
    for _ in range(25):
        rec = factories.recommendation(
            review=review, recommending_countries=countries, themes=themes
        )
        commitment = factories.commitment()
        commitment.themes.set(themes)
        factories.link(commitment, rec)
        factories.update(commitment)


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_every_changelist_and_add_page_answers_for_a_superuser(
    superuser_client, model, reference_data
):
    opts = model._meta
    changelist = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    assert changelist.status_code == 200
    add = superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in (200, 403)  # some models are read-only by design


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(
    superuser_client, model, many_rows, django_assert_max_num_queries
):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    with django_assert_max_num_queries(14):
        response = superuser_client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("model", [Recommendation, Commitment])
def test_change_page_with_inlines_opens(superuser_client, many_rows, model):
    obj = model.objects.first()
    opts = model._meta
    response = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200
    history = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    )
    assert history.status_code == 200


def test_admin_form_refuses_a_target_date_before_adoption(superuser_client, many_rows):
    commitment = Commitment.objects.first()
    url = reverse("admin:jurisdictions_commitment_change", args=[commitment.pk])
    data = {
        "jurisdiction": commitment.jurisdiction_id,
        "title": "Changed title",
        "kind": "ordinance",
        "status": "adopted",
        "adopted_on": "2021-06-01",
        "target_date": "2020-01-01",
        "publication": "published",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
    }
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "The target date cannot be before the adoption date." in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.title != "Changed title"


def test_admin_form_refuses_a_duplicate_paragraph(superuser_client, many_rows):
    first, second = Recommendation.objects.all()[:2]
    url = reverse("admin:recommendations_recommendation_change", args=[second.pk])
    data = {
        "review": second.review_id,
        "paragraph": first.paragraph,
        "text": second.text,
        "response": "supported",
        "commitment_links-TOTAL_FORMS": "0",
        "commitment_links-INITIAL_FORMS": "0",
    }
    response = superuser_client.post(url, data)
    assert response.status_code == 200

    assert "already has a recommendation with this paragraph number" in response.content.decode()
    second.refresh_from_db()
    assert second.paragraph != first.paragraph


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:recommendations_recommendation_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
