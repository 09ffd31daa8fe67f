"""Settings of the worker subprocess in tests/test_worker_integration.py: production's,
plus what the test servers need. Never used outside the test suite."""

from upr_tracker.settings import *  # noqa: F403

# The tests serve pages and exports from 127.0.0.1, which production refuses to fetch.
FETCH_ALLOW_LOOPBACK = True
