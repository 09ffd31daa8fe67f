"""Bulk writers, and the repairs of what the triggers of schema.py keep: the commitments'
theme_ids and the kept theme counts (ThemeActionCount, ThemeJurisdictionCount).

The triggers on commitment tags and links rewrite a commitment's theme_ids after every
statement that changes them: fine for an edit, but a bulk writer that writes tags, then
links, would rewrite each new row twice. It wraps its writes in deferred_theme_ids(ids):
the triggers stand aside for the transaction, and the rows are brought in step once, by
the same SQL function, when the writes are done (the kept counts follow that update).

repair_theme_ids() and repair_theme_counts() find and rewrite what drifted from a clean
computation (a writer that bypassed the triggers, a trigger that was missing); the daily
commitment job runs both, arrays first, since the counts are counted from the arrays.
"""

from django.db import connection, transaction

from recommendations.denormalised import call_in_chunks, deferred

from .schema import DEFER, FRESH_COUNTS


def deferred_theme_ids(touched: set):
    """The commitments' theme_ids, deferred: `touched` holds every commitment whose tags
    or links the caller writes (recommendations.denormalised.deferred)."""
    return deferred(DEFER, sync_theme_ids, touched)


def sync_theme_ids(ids) -> None:
    call_in_chunks("jurisdictions_sync_theme_ids", ids, 20000)


def repair_theme_ids() -> int:
    """Rewrites the arrays that differ from what the tags and links say; how many."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT jurisdictions_stale_theme_ids()")
        ids = cursor.fetchone()[0]
    sync_theme_ids(ids)
    return len(ids)


# Each statement: the kept rows that differ from the fresh counts, set right. A kept row
# the fresh counts lack goes to 0 (rows that fall to zero stay, as the triggers leave them).
REPAIR_PAIRS = f"""
WITH fresh AS ({FRESH_COUNTS}),
wrong AS (
  SELECT f.theme_id, f.jurisdiction_id, f.commitments FROM fresh f
  LEFT JOIN jurisdictions_themejurisdictioncount k
    ON k.theme_id = f.theme_id AND k.jurisdiction_id = f.jurisdiction_id
  WHERE k.commitments IS DISTINCT FROM f.commitments
  UNION ALL
  SELECT k.theme_id, k.jurisdiction_id, 0 FROM jurisdictions_themejurisdictioncount k
  WHERE k.commitments <> 0 AND NOT EXISTS (
    SELECT FROM fresh f WHERE f.theme_id = k.theme_id AND f.jurisdiction_id = k.jurisdiction_id)
)
INSERT INTO jurisdictions_themejurisdictioncount AS k (theme_id, jurisdiction_id, commitments)
SELECT theme_id, jurisdiction_id, commitments FROM wrong ORDER BY theme_id, jurisdiction_id
ON CONFLICT (theme_id, jurisdiction_id) DO UPDATE SET commitments = EXCLUDED.commitments
"""
REPAIR_THEMES = f"""
WITH fresh AS (
  SELECT theme_id, SUM(commitments)::integer AS commitments, COUNT(*)::integer AS jurisdictions
  FROM ({FRESH_COUNTS}) AS pairs GROUP BY theme_id
),
wrong AS (
  SELECT f.theme_id, f.commitments, f.jurisdictions FROM fresh f
  LEFT JOIN jurisdictions_themeactioncount a ON a.theme_id = f.theme_id
  WHERE (a.commitments, a.jurisdictions) IS DISTINCT FROM (f.commitments, f.jurisdictions)
  UNION ALL
  SELECT a.theme_id, 0, 0 FROM jurisdictions_themeactioncount a
  WHERE (a.commitments <> 0 OR a.jurisdictions <> 0)
    AND NOT EXISTS (SELECT FROM fresh f WHERE f.theme_id = a.theme_id)
)
INSERT INTO jurisdictions_themeactioncount AS a (theme_id, commitments, jurisdictions)
SELECT theme_id, commitments, jurisdictions FROM wrong ORDER BY theme_id
ON CONFLICT (theme_id) DO UPDATE SET
  commitments = EXCLUDED.commitments, jurisdictions = EXCLUDED.jurisdictions
"""


def repair_theme_counts() -> int:
    """Sets every kept theme count that differs from a count over the published
    commitments' arrays; how many rows it rewrote. Writers of commitments wait while it
    runs (a count trigger that fired meanwhile would add its change to a count about to be
    overwritten); the repair itself waits for those whose change is not yet committed."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "LOCK TABLE jurisdictions_themejurisdictioncount, jurisdictions_themeactioncount "
            "IN SHARE ROW EXCLUSIVE MODE"
        )
        cursor.execute(REPAIR_PAIRS)
        pairs = cursor.rowcount
        cursor.execute(REPAIR_THEMES)
        return pairs + cursor.rowcount
