"""Bulk writers and the commitments' theme_ids (migration 0009).

The triggers on commitment tags and links rewrite a commitment's theme_ids after every
statement that changes them: fine for an edit, but a bulk writer that writes tags, then
links, would rewrite each new row twice. It wraps its writes in deferred_theme_ids(ids):
the triggers stand aside for the transaction, and the rows are brought in step once, by
the same SQL function, when the writes are done (the kept counts follow that update).

repair_theme_ids() finds and rewrites arrays that drifted from the tags and links; the
daily status job runs it, a check against writers that bypassed the triggers.
"""

from contextlib import contextmanager

from django.db import connection

DEFER = "jurisdictions.defer_theme_ids"


@contextmanager
def deferred_theme_ids(touched: set):
    """Inside a transaction. `touched` is filled by the caller with the ids of every
    commitment whose tags or links it writes. The setting is local to the transaction, so
    an error that rolls it back also ends the deferral."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [DEFER])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'off', true)", [DEFER])
    sync_theme_ids(touched)


def sync_theme_ids(ids) -> None:
    ids = sorted(ids)
    if connection.vendor != "postgresql" or not ids:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 20000):
            cursor.execute(
                "SELECT jurisdictions_sync_theme_ids(%s::bigint[])", [ids[start : start + 20000]]
            )


def repair_theme_ids() -> int:
    """Rewrites the arrays that differ from what the tags and links say; how many."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT jurisdictions_stale_theme_ids()")
        ids = cursor.fetchone()[0]
    sync_theme_ids(ids)
    return len(ids)
