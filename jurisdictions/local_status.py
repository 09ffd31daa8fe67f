"""A recommendation's local-action status, derived from the links of PUBLISHED
commitments: contested if any link contradicts or rolls it back, else implemented if an
implemented commitment implements or partly addresses it, else addressed if any link
exists, else none. On PostgreSQL the refresh also writes the ids of the jurisdictions
acting (recommendations.acting_jurisdiction_ids, migration 0008 of recommendations), which
the "Acted on by" filter and facet read. Each refresh is one UPDATE over all (or the given)
recommendations that touches only rows whose value changes; no Python loop over rows.
"""

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from recommendations.models import Recommendation

from .models import CommitmentLink

CONTESTING = ("contradicts", "rolls_back")
IMPLEMENTING = ("implements", "partial")


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


def refresh_local_status_sql(recommendation_ids=None) -> int:
    """PostgreSQL: one UPDATE ... FROM (aggregate). Returns the number of rows changed."""
    params = []
    ids_filter = ""
    if recommendation_ids is not None:
        ids_filter = "AND r.id = ANY(%s)"
        params = [list(recommendation_ids)] * 2
    with connection.cursor() as cursor:
        cursor.execute(_status_sql(ids_filter), params)
        return cursor.rowcount


def fresh_status_expressions():
    """The derived status and jurisdiction count of the outer recommendation, as portable
    ORM expressions (EXISTS and a correlated COUNT over published links)."""
    links = CommitmentLink.objects.filter(
        recommendation=OuterRef("pk"), commitment__publication="published"
    )
    acting = (
        links.order_by()
        .values("recommendation")
        .annotate(n=Count("commitment__jurisdiction", distinct=True))
        .values("n")
    )
    status = Case(
        When(Exists(links.filter(relation__in=CONTESTING)), then=Value("contested")),
        When(
            Exists(links.filter(relation__in=IMPLEMENTING, commitment__status="implemented")),
            then=Value("implemented"),
        ),
        When(Exists(links), then=Value("addressed")),
        default=Value("none"),
    )
    return status, Coalesce(Subquery(acting, output_field=IntegerField()), Value(0))


def refresh_local_status_orm(recommendation_ids=None) -> int:
    """Any database: one UPDATE with correlated subqueries, limited to rows that change."""
    status, acting = fresh_status_expressions()
    qs = Recommendation.objects.all()
    if recommendation_ids is not None:
        qs = qs.filter(pk__in=list(recommendation_ids))
    return (
        qs.alias(fresh_status=status, fresh_acting=acting)
        .filter(~Q(local_status=F("fresh_status")) | ~Q(jurisdictions_acting=F("fresh_acting")))
        .update(local_status=status, jurisdictions_acting=acting)
    )


def refresh_local_status(recommendation_ids=None) -> int:
    if connection.vendor == "postgresql":
        return refresh_local_status_sql(recommendation_ids)
    return refresh_local_status_orm(recommendation_ids)
