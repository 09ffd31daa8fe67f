"""Follow this search: subscribe to a list's filters by email (double opt-in), get a
daily or weekly digest of exactly what changed within it, read it as an Atom feed, and
manage every subscription of an address from one signed page."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.http import QueryDict
from django.utils import timezone

from jurisdictions import digests as site_digests
from jurisdictions.follow import digests as search_digests
from jurisdictions.follow import searches
from jurisdictions.follow.candidates import Candidates
from jurisdictions.follow.models import SavedSearch
from jurisdictions.models import Commitment, DigestDelivery, Subscription
from jurisdictions.tasks import queue_pending_digests, send_search_digests
from tests import factories as f
from tests.test_feeds import entry_titles

pytestmark = pytest.mark.django_db


def follow(client, capture, path, email="reader@example.org", frequency="weekly"):
    with capture(execute=True):
        return client.post(path, {"email": email, "frequency": frequency})


def link_in(body, name):
    return re.search(rf"http\S+/subscriptions/{name}/\S+/", body).group(0).split("testserver")[-1]


def following(kind, query, email="reader@example.org", frequency="weekly", days_ago=3):
    search = searches.saved_search(kind, QueryDict(query))
    return Subscription.objects.create(
        email=email,
        token=f"t-{email}-{kind}-{query}",
        search=search,
        frequency=frequency,
        confirmed_at=timezone.now() - timedelta(days=days_ago),
    )


def published(**kw):
    return f.commitment(published_at=timezone.now(), **kw)


@pytest.fixture
def policing():
    """A theme, a recommendation on it and one on something else."""
    theme = f.theme(name="Policing")
    return {
        "theme": theme,
        "on_theme": f.recommendation(themes=[theme], text="Reform police oversight."),
        "elsewhere": f.recommendation(text="Ratify a treaty."),
    }


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/recommendations/?response=noted", "recommendations"),
        ("/commitments/?status=adopted", "commitments"),
        ("/jurisdictions/?state=PA", "jurisdictions"),
    ],
)
def test_every_list_page_offers_to_follow_its_search_and_its_feed(client, path, kind):
    f.commitment()
    page = client.get(path).content.decode()
    query = path.split("?")[1]

    assert f'href="/subscriptions/follow/{kind}/?{query}"' in page
    assert f'href="/{kind}/feed/?{query}"' in page


def test_following_a_search_asks_for_confirmation_then_confirms(
    client, policing, django_capture_on_commit_callbacks
):
    path = f"/subscriptions/follow/recommendations/?theme={policing['theme'].slug}&page=3"
    form = client.get(path)
    assert "Follow this search" in form.content.decode()

    answer = follow(client, django_capture_on_commit_callbacks, path, frequency="daily")

    assert "Check your email" in answer.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None and subscription.frequency == "daily"
    assert subscription.search.kind == "recommendations"
    # The page number is not part of the search.
    assert subscription.search.query == f"theme={policing['theme'].slug}"
    assert len(mail.outbox) == 1
    client.get(link_in(mail.outbox[0].body, "confirm"))
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None


def test_the_same_filters_in_another_order_are_one_saved_search():
    one = searches.saved_search("commitments", QueryDict("status=adopted&kind=ordinance&page=2"))
    two = searches.saved_search(
        "commitments", QueryDict("kind=ordinance&sort=title&status=adopted")
    )
    assert one == two
    assert SavedSearch.objects.count() == 1


def test_an_unknown_list_is_not_found(client):
    assert client.get("/subscriptions/follow/secrets/").status_code == 404


def test_a_bad_address_is_a_form_error_and_nothing_is_stored(client):
    answer = client.post("/subscriptions/follow/commitments/", {"email": "nope", "frequency": "x"})
    assert answer.status_code == 200
    assert "Enter a valid email address" in answer.content.decode()
    assert not Subscription.objects.exists()


def test_the_subscribe_rate_limit_applies_to_following_a_search(client, settings):
    settings.SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR = 2
    for n in range(2):
        client.post("/subscriptions/follow/commitments/", {"email": f"a{n}@example.org"})
    answer = client.post("/subscriptions/follow/commitments/", {"email": "b@example.org"})
    assert answer.status_code == 429


def test_the_digest_lists_exactly_the_local_action_within_the_search(policing):
    following("recommendations", f"theme={policing['theme'].slug}")
    acting = published(title="Civilian oversight board")
    f.link(acting, policing["on_theme"])
    f.link(published(title="Treaty resolution"), policing["elsewhere"])
    f.link(f.commitment(title="Draft idea", publication="draft"), policing["on_theme"])

    send_search_digests("weekly")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "[new] Civilian oversight board" in message.body
    assert "Treaty resolution" not in message.body and "Draft idea" not in message.body
    assert f"/recommendations/?theme={policing['theme'].slug}" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/subscriptions/manage/" in message.body


def test_commitment_and_jurisdiction_searches_list_their_own_changes():
    pa, ny = f.jurisdiction(state_code="PA"), f.jurisdiction(state_code="NY")
    following("commitments", "status=implemented", email="status@example.org")
    following("jurisdictions", "state=NY", email="place@example.org")
    published(jurisdiction=pa, title="Done in PA", status="implemented")
    published(jurisdiction=ny, title="Adopted in NY", status="adopted")

    send_search_digests("weekly")

    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "Done in PA" in bodies["status@example.org"]
    assert "Adopted in NY" not in bodies["status@example.org"]
    assert "Adopted in NY" in bodies["place@example.org"]
    assert "Done in PA" not in bodies["place@example.org"]


def test_a_status_change_is_listed_as_changed_and_the_next_digest_starts_after_it():
    town = f.jurisdiction(state_code="PA")
    subscription = following("commitments", "state=PA", frequency="daily")
    plan = published(jurisdiction=town, title="Shelter plan")
    Commitment.objects.filter(pk=plan.pk).update(
        published_at=subscription.confirmed_at - timedelta(days=9)
    )
    now = timezone.now()
    search_digests.prepare_search_digests(now, "daily")
    assert "[changed] Shelter plan" in DigestDelivery.objects.get().body

    # Nothing changed since: tomorrow's run writes nothing.
    Commitment.objects.filter(pk=plan.pk).update(updated_at=now - timedelta(minutes=1))
    counts = search_digests.prepare_search_digests(now + timedelta(days=1), "daily")
    assert counts["digests"] == 0
    assert DigestDelivery.objects.count() == 1


def test_no_email_when_nothing_changed_and_a_rerun_sends_nothing_twice(policing):
    following("recommendations", f"theme={policing['theme'].slug}")
    send_search_digests("weekly")
    assert mail.outbox == []

    # A quiet week moves the window all the same: the next run is next week's.
    f.link(published(title="Oversight"), policing["on_theme"])
    send_search_digests("weekly")
    assert mail.outbox == []
    next_week = timezone.now() + timedelta(days=7)
    search_digests.prepare_search_digests(next_week, "weekly")
    search_digests.prepare_search_digests(next_week, "weekly")
    queue_pending_digests()
    queue_pending_digests()
    assert len(mail.outbox) == 1
    assert "Oversight" in mail.outbox[0].body


def test_a_daily_run_leaves_weekly_followers_alone():
    following("commitments", "", frequency="weekly")
    published(title="Anything")

    send_search_digests("daily")
    assert mail.outbox == []
    send_search_digests("weekly")
    assert len(mail.outbox) == 1


def test_one_click_unsubscribe_from_the_digest_header(client):
    subscription = following("commitments", "")
    published(title="Anything")
    send_search_digests("weekly")

    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").split("testserver")[-1]
    url = url.split("127.0.0.1:8000")[-1]
    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_each_distinct_search_is_evaluated_once_for_all_its_followers(
    policing, django_assert_max_num_queries
):
    for n in range(12):
        following("recommendations", f"theme={policing['theme'].slug}", email=f"r{n}@example.org")
    f.link(published(title="Oversight"), policing["on_theme"])

    # The run's widest window and what changed in it (the commitments, then the
    # recommendations they answer), the subscriptions due, the search's theme and its
    # narrower themes, its changes, then in one transaction an INSERT of the 12 digests and
    # an UPDATE of their windows: a fixed number, not one query per follower.
    with django_assert_max_num_queries(13) as captured:
        counts = search_digests.prepare_search_digests(timezone.now(), "weekly")

    assert counts == {"searches": 1, "digests": 12, "quiet": 0}
    sql = [q["sql"] for q in captured.captured_queries]
    # The links of what changed are read once for the run; the search is matched once,
    # against those links' recommendations only.
    assert len([q for q in sql if "commitmentlink" in q]) == 1
    assert len([q for q in sql if q.startswith('SELECT "recommendations_recommendation"')]) == 1


def test_a_digest_run_finds_for_each_search_what_its_feed_query_finds(policing):
    """The run's candidates (follow/candidates.py) against the one-query answer the feed
    gives (searches.changes), for every kind of list and windows of different ages."""
    now = timezone.now()
    pa, ny = (
        f.jurisdiction(name="Erie", state_code="PA"),
        f.jurisdiction(name="Albany", state_code="NY"),
    )
    recent = published(jurisdiction=pa, title="Oversight", status="in_progress")
    f.link(recent, policing["on_theme"])
    older = published(jurisdiction=ny, title="Housing plan", status="implemented")
    f.link(older, policing["elsewhere"])
    updated = published(jurisdiction=ny, title="Water plan")
    f.update(updated)
    f.commitment(jurisdiction=pa, title="Draft", publication="draft")
    Commitment.objects.filter(pk=older.pk).update(
        updated_at=now - timedelta(days=5), published_at=now - timedelta(days=5)
    )
    Commitment.objects.filter(pk=updated.pk).update(
        updated_at=now - timedelta(days=20), published_at=now - timedelta(days=20)
    )
    queries = [
        ("recommendations", f"theme={policing['theme'].slug}&under_review=all"),
        ("recommendations", "under_review=all"),
        ("recommendations", "response=noted&under_review=all"),
        ("commitments", ""),
        ("commitments", "status=implemented"),
        ("jurisdictions", "state=NY"),
        ("jurisdictions", "q=Erie"),
    ]
    widest = now - timedelta(days=30)
    candidates = Candidates.since(widest)
    compared = 0
    for kind, query in queries:
        search = searches.saved_search(kind, QueryDict(query))
        for since in (widest, now - timedelta(days=7), now - timedelta(days=1)):
            expected = [c.pk for c in searches.changes(search, since)]
            assert [c.pk for c in candidates.changes(search, since)] == expected, (kind, query)
            compared += bool(expected)
    assert compared >= 10  # most pairs find something, so the comparison means something


# --- Atom ------------------------------------------------------------------------------


def test_every_search_has_an_atom_feed_of_its_changes(client, policing):
    pa = f.jurisdiction(name="Erie", state_code="PA")
    ny = f.jurisdiction(name="Albany", state_code="NY")
    f.link(published(jurisdiction=pa, title="Oversight"), policing["on_theme"])
    published(jurisdiction=ny, title="Housing plan", status="implemented")

    theme = policing["theme"].slug
    assert entry_titles(client, f"/recommendations/feed/?theme={theme}") == ["Oversight (Erie, PA)"]
    assert entry_titles(client, "/commitments/feed/?status=implemented") == [
        "Housing plan (Albany, NY)"
    ]
    assert entry_titles(client, "/jurisdictions/feed/?state=PA") == ["Oversight (Erie, PA)"]
    # Values a filter refuses are ignored, as on the page.
    assert len(entry_titles(client, "/commitments/feed/?status=nonsense&year=x")) == 2


# --- One place to manage subscriptions -------------------------------------------------


def test_the_signed_page_lists_changes_and_ends_every_subscription_of_the_address(client):
    town = f.jurisdiction(name="Springfield")
    search = following("commitments", "status=adopted")
    theme = Subscription.objects.create(
        email="Reader@example.org", token="theme", jurisdiction=town, confirmed_at=timezone.now()
    )
    other = following("commitments", "", email="other@example.org")
    page_url = site_digests.manage_url("reader@example.org").split("127.0.0.1:8000")[-1]

    page = client.get(page_url).content.decode()
    assert "Commitments: status adopted" in page and "Springfield" in page
    assert "other@example.org" not in page

    client.post(page_url, {"subscription": search.pk, "action": "frequency", "frequency": "daily"})
    search.refresh_from_db()
    assert search.frequency == "daily"
    # Only a search's digest can be daily.
    client.post(page_url, {"subscription": theme.pk, "action": "frequency", "frequency": "daily"})
    theme.refresh_from_db()
    assert theme.frequency == "weekly"
    # Another address's subscription cannot be touched from this page.
    client.post(page_url, {"subscription": other.pk, "action": "unsubscribe"})
    other.refresh_from_db()
    assert other.unsubscribed_at is None

    client.post(page_url, {"subscription": search.pk, "action": "unsubscribe"})
    search.refresh_from_db()
    assert search.unsubscribed_at is not None
    client.post(page_url, {"action": "unsubscribe-all"})
    theme.refresh_from_db()
    assert theme.unsubscribed_at is not None


def test_a_tampered_manage_link_is_refused(client):
    assert client.get("/subscriptions/manage/reader@example.org:forged/").status_code == 404


def test_a_staff_account_manages_the_subscriptions_of_its_address(client, editor):
    mine = following("commitments", "", email=editor.email)
    following("commitments", "", email="someone@example.org")

    page = client.get("/subscriptions/mine/").content.decode()
    assert "Commitments: all" in page
    client.post("/subscriptions/mine/", {"subscription": mine.pk, "action": "unsubscribe"})
    mine.refresh_from_db()
    assert mine.unsubscribed_at is not None


def test_the_staff_page_needs_an_account(client):
    response = client.get("/subscriptions/mine/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_search_too_long_to_keep_is_a_form_error(client):
    themes = "&".join(f"q={'x' * 250}{n}" for n in range(10))
    answer = client.post(
        f"/subscriptions/follow/commitments/?{themes}",
        {"email": "a@example.org", "frequency": "weekly"},
    )
    assert answer.status_code == 200
    assert "too many filters to follow" in answer.content.decode()
    assert not Subscription.objects.exists() and not SavedSearch.objects.exists()
