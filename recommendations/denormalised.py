"""Bulk writers and the denormalised facet arrays (migration 0008).

The link-table triggers rewrite a recommendation's arrays after every statement that
changes its links: fine for an edit, but an import writes four link tables and would
rewrite each new row four times. A bulk writer wraps its writes in deferred_arrays(ids):
the triggers stand aside for the transaction, and the rows are brought in step once, by
the same SQL function, when the writes are done.
"""

from contextlib import contextmanager

from django.db import connection

DEFER = "recommendations.defer_arrays"


@contextmanager
def deferred_arrays(touched: set):
    """Inside a transaction. `touched` is filled by the caller with the ids of every
    recommendation whose links it writes. The setting is local to the transaction, so an
    error that rolls it back also ends the deferral."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [DEFER])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'off', true)", [DEFER])
    sync_arrays(touched)


def sync_arrays(ids) -> None:
    ids = sorted(ids)
    if connection.vendor != "postgresql" or not ids:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            cursor.execute(
                "SELECT recommendations_sync_arrays(%s::bigint[])", [ids[start : start + 5000]]
            )
