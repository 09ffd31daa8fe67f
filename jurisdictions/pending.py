"""The Redis set of recommendation ids waiting for a targeted status refresh, and the flag
that says a refresh task is already queued for them."""

import redis
from django.conf import settings

PENDING = "upr:status-refresh:pending"
QUEUED = "upr:status-refresh:queued"
# How long a burst of edits is collected before one refresh runs.
REFRESH_DELAY_SECONDS = 30


def client():
    return redis.Redis.from_url(settings.REDIS_URL)


def key(name: str) -> str:
    """`name` inside this site's part of the Redis database: the cache's KEY_PREFIX, when
    one is set because the database is shared (another site, a test run)."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    return f"{prefix}:{name}" if prefix else name


def add(ids: list[int]) -> bool:
    """Adds the ids; True for the first change of a burst, which must queue the task."""
    connection = client()
    connection.sadd(key(PENDING), *ids)
    return bool(connection.set(key(QUEUED), "1", nx=True, ex=REFRESH_DELAY_SECONDS + 600))


def take_pending_ids() -> list[int]:
    """The ids waiting for a refresh. The queued flag is cleared first, so a change that
    arrives while this refresh runs queues the next one instead of being missed."""
    connection = client()
    connection.delete(key(QUEUED))
    return sorted(int(pk) for pk in connection.smembers(key(PENDING)))


def forget_pending_ids(ids: list[int]) -> None:
    if ids:
        client().srem(key(PENDING), *ids)
