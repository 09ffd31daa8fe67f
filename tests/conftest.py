import os

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Skip service-bound tests only where the service is absent by design (the embedded
    run). .ci/run fails the PostgreSQL + Redis pass if anything was skipped there."""
    on_postgres = connection.vendor == "postgresql"
    has_redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL)"))
        if "redis" in item.keywords and not (has_redis and on_postgres):
            item.add_marker(pytest.mark.skip(reason="needs Redis (REDIS_URL) and PostgreSQL"))


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
    # With REDIS_URL the cache is shared across tests; start each one empty.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def reference_data(db):
    from jurisdictions.seed import seed_jurisdictions
    from recommendations.seed import seed_reference

    seed_reference()
    seed_jurisdictions()


@pytest.fixture(scope="session", autouse=True)
def _no_stray_sessions(django_db_setup, django_db_blocker):
    """Worker subprocesses (one is killed on purpose) can leave PostgreSQL sessions on
    the test database, which would stop pytest-django from dropping it at the end."""
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
