"""Django's Redis cache, made to fail soft: while Redis is down a page costs its queries
again instead of returning a 500 (Django's RedisCache has no such option).

Every Redis error becomes a miss, and a warning in the log. `add()` answers True during
an outage: the rate limits on sign-in (allauth's lock) and on subscribing
(django-ratelimit's counter) are built on it, and "stored" lets the request through, so
those limits fail open rather than shutting everyone out.

`clear()` removes only this site's keys when KEY_PREFIX is set, so a Redis database shared
with another site or another test run is never flushed.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def _soft(fallback):
    def decorate(method):
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                log.warning(
                    "Cache unavailable (%s); carrying on without it: %s", method.__name__, error
                )
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        wrapper.__name__ = method.__name__
        return wrapper

    return decorate


class FailSoftRedisCacheClient(RedisCacheClient):
    add = _soft(True)(RedisCacheClient.add)
    get = _soft(lambda key, default: default)(RedisCacheClient.get)
    set = _soft(None)(RedisCacheClient.set)
    touch = _soft(False)(RedisCacheClient.touch)
    delete = _soft(False)(RedisCacheClient.delete)
    get_many = _soft(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _soft(False)(RedisCacheClient.has_key)
    # django-ratelimit reads None from incr() as "could not count" (RATELIMIT_FAIL_OPEN).
    incr = _soft(None)(RedisCacheClient.incr)
    set_many = _soft(None)(RedisCacheClient.set_many)
    delete_many = _soft(None)(RedisCacheClient.delete_many)

    @_soft(False)
    def clear_prefix(self, prefix: str) -> bool:
        client = self.get_client(None, write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return True

    clear = _soft(False)(RedisCacheClient.clear)


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient

    def clear(self):
        if self.key_prefix:
            return self._cache.clear_prefix(self.key_prefix)
        return self._cache.clear()
