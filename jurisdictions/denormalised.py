"""Bulk writers and the commitments' theme_ids (migration 0009).

The triggers on commitment tags and links rewrite a commitment's theme_ids after every
statement that changes them: fine for an edit, but a bulk writer that writes tags, then
links, would rewrite each new row twice. It wraps its writes in deferred_theme_ids(ids):
the triggers stand aside for the transaction, and the rows are brought in step once, by
the same SQL function, when the writes are done (the kept counts follow that update).

repair_theme_ids() finds and rewrites arrays that drifted from the tags and links; the
daily status job runs it, a check against writers that bypassed the triggers.
"""

from django.db import connection

from recommendations.denormalised import call_in_chunks, deferred

DEFER = "jurisdictions.defer_theme_ids"


def deferred_theme_ids(touched: set):
    """The commitments' theme_ids, deferred: `touched` holds every commitment whose tags
    or links the caller writes (recommendations.denormalised.deferred)."""
    return deferred(DEFER, sync_theme_ids, touched)


def sync_theme_ids(ids) -> None:
    call_in_chunks("jurisdictions_sync_theme_ids", ids, 20000)


def repair_theme_ids() -> int:
    """Rewrites the arrays that differ from what the tags and links say; how many."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT jurisdictions_stale_theme_ids()")
        ids = cursor.fetchone()[0]
    sync_theme_ids(ids)
    return len(ids)
