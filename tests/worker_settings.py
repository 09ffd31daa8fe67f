"""Settings of the worker subprocess in tests/test_worker_integration.py: production's,
plus what the test servers need. Never used outside the test suite."""

import os

from upr_tracker.settings import *  # noqa: F403

# The tests serve pages and exports from 127.0.0.1, which production refuses to fetch.
FETCH_ALLOW_LOOPBACK = True

# The test run's own keys in the shared Redis database (tests/helpers.py, REDIS_NAMESPACE).
_NAMESPACE = os.environ.get("UPR_TEST_REDIS_NAMESPACE")
if _NAMESPACE and REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = _NAMESPACE  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": f"{_NAMESPACE}:",
    }
