"""A test run keeps to keys of its own in the Redis database REDIS_URL names: another
process using the same database (a developer's server, a second run, a benchmark) is
neither read nor emptied by the tests (tests/helpers.py, REDIS_NAMESPACE)."""

import os

import pytest
import redis
from django.core.cache import cache

from tests import factories

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

FOREIGN = {"other-site:1:facets:v4:0:abc": b"theirs", "celery": b"their queue"}


@pytest.fixture
def neighbour():
    """Keys another process keeps in the same database, there before the test starts."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key, value in FOREIGN.items():
        client.set(key, value)
    yield client
    client.delete(*FOREIGN)


def kept(client) -> dict:
    return {key: client.get(key) for key in FOREIGN}


def test_clearing_the_cache_leaves_another_processes_keys(neighbour):
    cache.set("ours", 1)

    cache.clear()

    assert cache.get("ours") is None
    assert kept(neighbour) == FOREIGN


def test_the_broker_fixture_empties_only_this_runs_keys(neighbour, broker):
    assert kept(neighbour) == FOREIGN


def test_the_facet_cache_is_looked_for_under_this_runs_prefix(neighbour, client, reference_data):
    from tests.test_browse_denormalised import cache_keys

    factories.recommendation(text="Protect the right to vote.")
    assert not cache_keys()
    client.get("/recommendations/")
    assert cache_keys() and all(key.startswith(cache.key_prefix.encode()) for key in cache_keys())
