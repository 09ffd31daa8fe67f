"""Public pages lead to the history and follow-by-email pages; curators reach imports."""

import pytest
from django.urls import reverse

from . import factories

pytestmark = pytest.mark.django_db


def test_a_commitment_page_links_to_its_history(client):
    commitment = factories.commitment()
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert reverse("history:commitment", args=[commitment.pk]) in page


def test_a_recommendation_page_links_to_its_history_and_to_following_it(client):
    rec = factories.recommendation()
    page = client.get(rec.get_absolute_url()).content.decode()
    assert reverse("history:recommendation", args=[rec.pk]) in page
    assert f"{reverse('subscriptions:subscribe')}?recommendation={rec.pk}" in page


def test_theme_and_jurisdiction_pages_offer_email_follow(client):
    theme = factories.theme()
    place = factories.jurisdiction()
    assert f"?theme={theme.slug}" in client.get(theme.get_absolute_url()).content.decode()
    assert f"?jurisdiction={place.slug}" in client.get(place.get_absolute_url()).content.decode()


def test_the_follow_form_arrives_with_the_jurisdiction_chosen(client):
    place = factories.jurisdiction()
    page = client.get(f"{reverse('subscriptions:subscribe')}?jurisdiction={place.slug}")
    assert f'value="{place}"' in page.content.decode()


def test_curators_see_the_imports_link_in_the_staff_menu(client):
    client.force_login(factories.curator())
    page = client.get(reverse("staff:home")).content.decode()
    assert reverse("imports:list") in page
