"""Set-up shared by the tests. Fixtures used by more than one test module live here; helpers
that are not fixtures live in tests/helpers.py (and tests/browser.py for Chromium).

Markers (declared in pyproject.toml): `browser` drives Chromium, `redis` needs a Redis
broker (most of those start a real Celery worker), `slow` is everything a developer
leaves out with `make test-fast` (pytest -m "not slow"): every `browser` and `redis` test
is marked `slow` here, and the other slow ones carry the marker themselves."""

import logging
import os

import pytest
from django.db import connection
from django.test.signals import setting_changed

from tests.helpers import ORIGINAL, LocalServer


def pytest_configure(config):
    if os.environ.get("REDIS_URL"):
        from tests.helpers import use_redis_namespace

        use_redis_namespace()


def pytest_unconfigure(config):
    # Kombu's bindings and the last test's cache entries have no expiry; leave nothing.
    if os.environ.get("REDIS_URL"):
        import redis

        from tests.helpers import clear_redis_namespace

        clear_redis_namespace(redis.Redis.from_url(os.environ["REDIS_URL"]))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark browser and Redis tests `slow` (before `-m` selects), and skip Redis tests
    where REDIS_URL is unset; .ci/run sets it and fails if anything was skipped."""
    has_redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if "browser" in item.keywords or "redis" in item.keywords:
            item.add_marker(pytest.mark.slow)
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis (REDIS_URL)"))


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production settings redirect to HTTPS; the test client and live server speak HTTP.
    settings.SECURE_SSL_REDIRECT = False
    # The hashed-manifest storage needs collectstatic first; tests serve the sources.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The production hasher is slow on purpose; tests sign in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Unit tests run tasks eagerly even when REDIS_URL names a broker; tests marked
    `redis` start a real worker and send to the real broker instead."""
    from upr_tracker.celery import app

    if "redis" in request.keywords:
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    # With REDIS_URL the cache is shared across tests; start each one empty. Only this
    # run's keys go (the cache's KEY_PREFIX, tests/helpers.py REDIS_NAMESPACE).
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _ratelimit_clock_stands_still(monkeypatch):
    # django-ratelimit counts in fixed windows whose edges fall at a moment of each minute
    # that depends on the key: a test sending requests across one saw its count start
    # again (five requests under a limit of four, all answered). Within a test the
    # limiter's clock stands still; the windows themselves are the library's.
    import types

    from django_ratelimit import core

    now = core.time.time()
    monkeypatch.setattr(core, "time", types.SimpleNamespace(time=lambda: now))


def _reverse_maps_follow_the_default_language(*, setting, **kwargs):
    # Django caches each language's reverse map, and the default language is the one
    # without a prefix: a test that makes Spanish the default (spanish_visitor) must not
    # leave later tests reversing Spanish addresses without /es/.
    if setting in {"LANGUAGE_CODE", "LANGUAGES"}:
        from django.urls import clear_url_caches

        clear_url_caches()


setting_changed.connect(_reverse_maps_follow_the_default_language)


@pytest.fixture(autouse=True)
def _english_to_start_with():
    # A request leaves its language active in the thread (a streamed download still needs
    # it after the view returns): a test that asked for a page under /es/ must not leave
    # the next one reversing /es/ addresses.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(scope="session", autouse=True)
def _no_stray_sessions(django_db_setup, django_db_blocker):
    """Worker subprocesses (one is killed on purpose) can leave PostgreSQL sessions on
    the test database, which would stop pytest-django from dropping it at the end."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# --- Data ------------------------------------------------------------------------------


@pytest.fixture
def reference_data(db):
    from jurisdictions.seed import seed_jurisdictions
    from recommendations.seed import seed_reference

    seed_reference()
    seed_jurisdictions()


@pytest.fixture
def cat(db):
    """The browsing tests' small catalogue (tests/browse_data.py)."""
    from tests.browse_data import build_catalogue

    return build_catalogue()


@pytest.fixture
def report_data(db):
    """The reports tests' recommendations and commitments (tests/report_data.py)."""
    from tests.report_data import build_report_data

    return build_report_data()


@pytest.fixture
def without_paragraph(report_data):
    """A first-cycle recommendation to the United States, by Cuba and France, with no
    paragraph number (as UPR Info's records come): its citation names the review, its
    recommenders and its public identifier."""
    from datetime import date

    from tests import factories

    cuba = factories.country(iso3="CUB", name="Cuba")
    first = factories.review(
        state_under_review=report_data.usa,
        cycle=1,
        wg_session=9,
        report_symbol="A/HRC/16/11",
        review_date=date(2010, 11, 5),
    )
    rec = factories.recommendation(
        review=first, paragraph="", recommending_countries=[report_data.france, cuba]
    )
    rec.refresh_from_db()  # its permanent public identifier, given by the database
    return rec


@pytest.fixture
def cuban(report_data):
    """A cycle-3 recommendation made to Cuba, beside the report data's United States ones."""
    from tests import factories

    cuba = factories.country(iso3="CUB", name="Cuba")
    review = factories.review(state_under_review=cuba, cycle=3, report_symbol="A/HRC/39/16")
    return factories.recommendation(
        review=review,
        paragraph="24.1",
        text="Lift the restrictions on independent newspapers.",
        response="noted",
        recommending_countries=[report_data.france],
    )


@pytest.fixture
def staff_scene(db):
    """Every staff and curator page with the data that fills it (tests/staff_pages.py)."""
    from tests.staff_pages import build_staff_scene

    return build_staff_scene()


@pytest.fixture
def demo_pittsburgh(db):
    """The demo data a newcomer loads (seed_demo); returns its jurisdiction, Pittsburgh."""
    import io

    from django.core.management import call_command

    from jurisdictions.models import Jurisdiction

    call_command("seed_demo", stdout=io.StringIO())
    return Jurisdiction.objects.get(slug="pittsburgh")


# --- Staff -----------------------------------------------------------------------------


@pytest.fixture
def pittsburgh(db):
    from tests import factories as f

    return f.jurisdiction(name="Pittsburgh", slug="pittsburgh")


@pytest.fixture
def editor(client, pittsburgh):
    """An editor of Pittsburgh, signed in on `client`."""
    from tests import factories as f

    person = f.user(email="editor@pittsburgh.example")
    f.membership(person, pittsburgh)
    client.force_login(person)
    return person


@pytest.fixture
def manager(client, pittsburgh):
    """A manager of Pittsburgh, signed in on `client`."""
    from tests import factories as f

    person = f.user(email="manager@pittsburgh.example")
    f.membership(person, pittsburgh, role="manager")
    client.force_login(person)
    return person


@pytest.fixture
def curator(client):
    """A curator, signed in on `client`."""
    from tests import factories as f

    person = f.curator(email="curator@example.org")
    client.force_login(person)
    return person


# --- Servers and workers ---------------------------------------------------------------


@pytest.fixture
def server():
    """A local HTTP server (tests.helpers.LocalServer); tests fill in its `routes`."""
    with LocalServer() as running:
        yield running


@pytest.fixture
def upstream_source(server, reference_data, settings, tmp_path):
    """An upstream UPR Info source whose export (`ORIGINAL`, ETag "v1") `server` serves
    from 127.0.0.1, which production refuses to fetch; downloads go to a fresh MEDIA_ROOT."""
    from recommendations.models import UpstreamSource

    settings.FETCH_ALLOW_LOOPBACK = True
    settings.MEDIA_ROOT = tmp_path
    server.routes["/export.csv"] = (200, ORIGINAL, {"ETag": '"v1"'})
    return UpstreamSource.objects.create(
        name="UPR Info", url=server.url("/export.csv"), format="upr_info"
    )


@pytest.fixture
def broker(transactional_db):
    """This run's keys in the Redis database, emptied, and tasks sent to it for a real
    worker to run."""
    import redis

    from tests.helpers import clear_redis_namespace
    from upr_tracker.celery import app

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    clear_redis_namespace(client)
    app.conf.task_always_eager = False
    return client


@pytest.fixture
def redis_down(settings, monkeypatch, caplog):
    """The cache and the Celery broker at a Redis that is not there. Returns the log, to
    check each failure was written down."""
    from tests.helpers import unused_port, use_redis_at

    use_redis_at(f"redis://127.0.0.1:{unused_port()}/0", settings, monkeypatch)
    caplog.set_level(logging.WARNING)
    return caplog


# --- Webhooks --------------------------------------------------------------------------


@pytest.fixture
def loopback(settings):
    """The receiver listens on 127.0.0.1, which production refuses (as the link checker's
    tests do); retries wait a second at first, not a minute."""
    settings.FETCH_ALLOW_LOOPBACK = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 1
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 15


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs `action` and then what it queued after the commit, as the worker would;
    returns what `action` returned (a response, for a client's post)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


# --- Languages -------------------------------------------------------------------------


@pytest.fixture
def spanish_visitor(settings, client):
    """`client` as a visitor reading in Spanish. The site's default language is made
    Spanish too, so a page is Spanish however the language is chosen (the Accept-Language
    header, an /es/ prefix redirect, or the default); request with follow=True."""
    settings.LANGUAGES = [("en", "English"), ("es", "Español")]
    settings.LANGUAGE_CODE = "es"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client
