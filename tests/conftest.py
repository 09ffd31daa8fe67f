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


@pytest.fixture
def reference_data(db):
    from jurisdictions.seed import seed_jurisdictions
    from recommendations.seed import seed_reference

    seed_reference()
    seed_jurisdictions()
