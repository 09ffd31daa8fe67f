"""A recommendation's local-action status, derived from the links of PUBLISHED
commitments: contested if any link contradicts or rolls it back, else implemented if an
implemented commitment implements or partly addresses it, else addressed if any link
exists, else none. The refresh also writes how many jurisdictions act and their ids
(Recommendation.acting_jurisdiction_ids), which the "Acted on by" filter and facet read.
Each refresh is one UPDATE over all (or the given) recommendations that touches only rows
whose value changes; no Python loop over rows.
"""

from django.db import connection


def _status_sql(ids_filter: str) -> str:
    # The inner aggregate reads only published links; the LEFT JOIN gives every other
    # recommendation "none" / 0, and the last condition skips rows that would not change.
    return f"""
        WITH agg AS (
            SELECT l.recommendation_id AS id,
                   CASE
                     WHEN bool_or(l.relation IN ('contradicts', 'rolls_back')) THEN 'contested'
                     WHEN bool_or(l.relation IN ('implements', 'partial')
                                  AND c.status = 'implemented') THEN 'implemented'
                     ELSE 'addressed'
                   END AS local_status,
                   COUNT(DISTINCT c.jurisdiction_id) AS acting,
                   array_agg(DISTINCT c.jurisdiction_id::integer) AS ids
            FROM jurisdictions_commitmentlink l
            JOIN jurisdictions_commitment c ON c.id = l.commitment_id
            WHERE c.publication = 'published' {ids_filter.replace("r.id", "l.recommendation_id")}
            GROUP BY l.recommendation_id
        ),
        fresh AS (
            SELECT r.id,
                   COALESCE(agg.local_status, 'none') AS local_status,
                   COALESCE(agg.acting, 0) AS acting,
                   COALESCE(agg.ids, '{{}}') AS ids
            FROM recommendations_recommendation r
            LEFT JOIN agg ON agg.id = r.id
            WHERE TRUE {ids_filter}
        )
        UPDATE recommendations_recommendation AS target
        SET local_status = fresh.local_status, jurisdictions_acting = fresh.acting,
            acting_jurisdiction_ids = fresh.ids
        FROM fresh
        WHERE target.id = fresh.id
          AND (target.local_status <> fresh.local_status
               OR target.jurisdictions_acting <> fresh.acting
               OR target.acting_jurisdiction_ids <> fresh.ids)
    """


def refresh_local_status(recommendation_ids=None) -> int:
    """One UPDATE ... FROM (aggregate) over all (or the given) recommendations; the
    number of rows changed. The full refresh is also the repair of these columns: it
    compares every row with the links, whatever wrote it."""
    params = []
    ids_filter = ""
    if recommendation_ids is not None:
        ids_filter = "AND r.id = ANY(%s)"
        params = [list(recommendation_ids)] * 2
    with connection.cursor() as cursor:
        cursor.execute(_status_sql(ids_filter), params)
        return cursor.rowcount
