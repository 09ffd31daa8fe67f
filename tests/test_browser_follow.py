"""Follow this search in Chromium: filter the recommendations, follow the search,
confirm from the mail, a city acts on one of the matches and another on something else,
the digest job runs, the mail lists exactly the change, one click unsubscribes."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from jurisdictions.models import Subscription
from jurisdictions.tasks import send_search_digests
from tests import factories
from tests.browse_data import build_catalogue
from tests.browser import chromium_page
from tests.test_browser_advocate import check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(transactional_db):
    return build_catalogue()


def test_follow_a_filtered_search_get_exactly_its_change_and_unsubscribe_in_one_click(
    live_server, catalogue, settings
):
    settings.SITE_URL = live_server.url
    with chromium_page(viewport={"width": 1280, "height": 800}) as page:
        page.goto(live_server.url + "/recommendations/")
        check(page, "theme", "Death penalty")
        assert page.get_by_role("heading", name="2 recommendations").is_visible()

        page.get_by_role("link", name="Follow this search").click()
        page.wait_for_url(re.compile(r"/subscriptions/follow/recommendations/\?.*theme="))
        page.get_by_label("Your email address").fill("advocate@example.org")
        page.get_by_label("Daily").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Follow").click()
        assert "Check your email" in page.content()

        confirm = re.search(r"http\S+/subscriptions/confirm/\S+/", mail.outbox[-1].body)
        page.goto(confirm.group(0))
        assert page.get_by_role("heading", level=1).inner_text() == "Subscription confirmed"

        # Erie acts on a death-penalty recommendation; Pittsburgh on police training,
        # which the search does not hold; a draft is not public.
        erie, pittsburgh = catalogue.erie, catalogue.pittsburgh
        moratorium = factories.commitment(
            jurisdiction=erie, title="Erie moratorium resolution", published_at=timezone.now()
        )
        factories.link(moratorium, catalogue.moratorium)
        training = factories.commitment(
            jurisdiction=pittsburgh, title="Use of force policy", published_at=timezone.now()
        )
        factories.link(training, catalogue.training)
        factories.link(
            factories.commitment(jurisdiction=erie, title="Unfinished draft", publication="draft"),
            catalogue.abolish,
        )
        sent_before = len(mail.outbox)
        send_search_digests("daily")

        assert len(mail.outbox) == sent_before + 1
        digest = mail.outbox[-1]
        assert digest.to == ["advocate@example.org"]
        listed = [line for line in digest.body.splitlines() if line.startswith("- [")]
        assert listed == ["- [new] Erie moratorium resolution (Erie, PA) – Adopted"]
        search_link = re.search(r"The search: (\S+)", digest.body).group(1)
        page.goto(search_link)
        assert page.get_by_role("heading", name="2 recommendations").is_visible()

        # What a mail client does with List-Unsubscribe-Post: one POST, no page, no form.
        assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = digest.extra_headers["List-Unsubscribe"].strip("<>")
        answer = page.request.post(unsubscribe, form={"List-Unsubscribe": "One-Click"})
        assert answer.status == 200

    subscription = Subscription.objects.get(email="advocate@example.org")
    assert subscription.unsubscribed_at is not None
    # Nothing more is sent once unsubscribed.
    factories.link(
        factories.commitment(jurisdiction=erie, title="Later", published_at=timezone.now()),
        catalogue.abolish,
    )
    send_search_digests("daily")
    assert len(mail.outbox) == sent_before + 1
