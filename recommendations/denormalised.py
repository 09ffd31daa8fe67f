"""Bulk writers and the facet arrays (schema.py).

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
def deferred(setting: str, sync, touched: set):
    """Inside a transaction: the triggers that read `setting` stand aside while the body
    writes; then `sync(touched)` brings the rows in step once. `touched` is filled by the
    caller with the ids of every row whose links it writes. The setting is local to the
    transaction, so an error that rolls it back also ends the deferral."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [setting])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'off', true)", [setting])
    sync(touched)


def call_in_chunks(function: str, ids, size: int) -> None:
    """SELECT function(ids) over the sorted ids, `size` at a time."""
    ids = sorted(ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), size):
            cursor.execute(f"SELECT {function}(%s::bigint[])", [ids[start : start + size]])


def deferred_arrays(touched: set):
    """The recommendations' facet arrays, deferred (see deferred())."""
    return deferred(DEFER, sync_arrays, touched)


def sync_arrays(ids) -> None:
    call_in_chunks("recommendations_sync_arrays", ids, 5000)


def repair_arrays() -> int:
    """Rewrites the facet arrays that differ from the links (a writer that bypassed the
    triggers, a trigger that was missing); how many rows it rewrote. The nightly status
    job runs it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT recommendations_stale_arrays()")
        ids = cursor.fetchone()[0]
    sync_arrays(ids)
    return len(ids)
