"""Learning from other places: the published commitments elsewhere that resemble one
commitment ("Similar commitments elsewhere"), the places that followed a model, and the
instruments answering a recommendation grouped by kind.

Similarity adds three signals, each scaled to 0..1:
- the recommendations both answer (the share of this commitment's links the other has):
  two places answering the same UN paragraph are doing the same job, whatever words
  they use;
- the themes both carry (Jaccard over Commitment.theme_ids, which already holds the
  themes of the linked recommendations and every broader theme);
- text: the full-text rank of an OR of this commitment's words, widened with related
  terms as the link suggestions do (suggestions.expand), scaled by the best candidate;
  on a large table the words most commitments carry are left out (common_lexemes).
Candidates are the commitments sharing a recommendation and the best text matches, at
most CANDIDATES of each, so the cost does not grow with the table; theme overlap only
orders them.
"""

from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch

from recommendations.schema import SEARCH_CONFIG

from .models import Commitment, CommitmentKind, CommitmentStatus, ProgressUpdate, Publication
from .suggestions import expand, significant_words

CANDIDATES = 200
LINK_WEIGHT = 0.5
THEME_WEIGHT = 0.25
TEXT_WEIGHT = 0.25
# The list stops where relevance drops, as the link suggestions' does: a commitment scoring
# under a third of the best one is not "similar" (on the demo, the unrelated ones that
# would fill the list to ten score a fifth of the best or less).
RELEVANCE_SHARE = 1 / 3

# On a large table the words most commitments carry ("ordinance", "city") would make the
# text candidates most of the table, each one ranked: words found in more than this share
# of commitments (PostgreSQL's own statistics of the search vector, kept by ANALYZE) are
# left out of the text query. Below LARGE rows every word counts; ranking all is cheap.
COMMON_SHARE = 0.005
LARGE = 5000
COMMON_CACHE_SECONDS = 3600

# Each candidate's signals are read where it is found (a join back to the commitments
# would make PostgreSQL scan the table for a few hundred ids).
OVERLAP = "(SELECT count(*) FROM unnest(c.theme_ids) x WHERE x = ANY(me.theme_ids))"
PEER_SQL = f"""
WITH me AS (
    SELECT id, jurisdiction_id, theme_ids FROM jurisdictions_commitment WHERE id = %(id)s
), q AS (
    SELECT to_tsquery('{SEARCH_CONFIG}', string_agg(lexeme, ' | ')) AS q
    FROM unnest(tsvector_to_array(to_tsvector('{SEARCH_CONFIG}', %(words)s))) AS lexeme
    WHERE lexeme <> ALL(%(common)s::text[])
), linked AS MATERIALIZED (
    SELECT commitment_id AS id, count(*) AS n
    FROM jurisdictions_commitmentlink
    WHERE recommendation_id IN (
        SELECT recommendation_id FROM jurisdictions_commitmentlink WHERE commitment_id = %(id)s
    )
    GROUP BY 1
), shared AS (
    SELECT c.id, k.n, {OVERLAP} AS overlap, cardinality(c.theme_ids) AS themes
    FROM linked k
    JOIN jurisdictions_commitment c ON c.id = k.id
    CROSS JOIN me
    -- Said again as an array: PostgreSQL then fetches these rows by their key.
    WHERE c.id = ANY(ARRAY(SELECT id FROM linked))
      AND c.publication = %(published)s
      AND c.jurisdiction_id <> me.jurisdiction_id
    ORDER BY k.n DESC, c.id LIMIT {CANDIDATES}
), texty AS (
    SELECT c.id, ts_rank(c.search_vector, q.q) AS r, {OVERLAP} AS overlap,
           cardinality(c.theme_ids) AS themes
    FROM jurisdictions_commitment c CROSS JOIN me CROSS JOIN q
    WHERE c.search_vector @@ q.q
      AND c.publication = %(published)s
      AND c.jurisdiction_id <> me.jurisdiction_id
    ORDER BY r DESC, c.id LIMIT {CANDIDATES}
)
SELECT COALESCE(s.id, t.id), COALESCE(s.n, 0), COALESCE(t.r, 0),
       (SELECT count(*) FROM jurisdictions_commitmentlink WHERE commitment_id = %(id)s),
       COALESCE(s.overlap, t.overlap),
       COALESCE(s.themes, t.themes) + (SELECT cardinality(theme_ids) FROM me)
FROM shared s FULL OUTER JOIN texty t ON t.id = s.id
"""


def common_lexemes() -> list[str]:
    """The lexemes in more than COMMON_SHARE of the commitments, from the statistics
    ANALYZE keeps of the search vector; none while the table is small."""

    def read():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.reltuples, s.most_common_elems::text::text[], "
                "s.most_common_elem_freqs FROM pg_class c LEFT JOIN pg_stats s "
                "ON s.schemaname = current_schema() AND s.tablename = c.relname "
                "AND s.attname = 'search_vector' "
                "WHERE c.oid = 'jurisdictions_commitment'::regclass"
            )
            row = cursor.fetchone()
        if row is None or row[0] < LARGE or not row[1]:
            return []
        lexemes, freqs = row[1], row[2]
        return [lex for lex, share in zip(lexemes, freqs, strict=False) if share > COMMON_SHARE]

    return cache.get_or_set("peers:common-lexemes", read, COMMON_CACHE_SECONDS)


def _query_words(commitment) -> str:
    words = significant_words(f"{commitment.title} {commitment.summary}")
    terms, _ = expand(words)
    return " ".join(terms)


def ranked_peer_ids(commitment, limit: int = 10) -> list[tuple[int, float]]:
    """(id, score) of the `limit` most similar published commitments of other
    jurisdictions, best first (ties to the lower id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            PEER_SQL,
            {
                "id": commitment.pk,
                "words": _query_words(commitment),
                "common": common_lexemes(),
                "published": Publication.PUBLISHED,
            },
        )
        rows = cursor.fetchall()
    best_text = max((row[2] for row in rows), default=0) or 1
    scored = []
    for pk, shared_links, rank, links, shared_themes, both in rows:
        union = both - shared_themes
        score = (
            LINK_WEIGHT * (shared_links / links if links else 0)
            + THEME_WEIGHT * (shared_themes / union if union else 0)
            + TEXT_WEIGHT * rank / best_text
        )
        scored.append((-score, pk))
    scored.sort()
    best = -scored[0][0] if scored else 0
    return [(pk, -neg) for neg, pk in scored[:limit] if -neg >= best * RELEVANCE_SHARE]


def _published_updates():
    return Prefetch(
        "updates",
        ProgressUpdate.objects.filter(publication=Publication.PUBLISHED).order_by(
            "-reported_on", "-id"
        ),
        to_attr="published_updates",
    )


def similar_commitments(commitment, limit: int = 10) -> list[Commitment]:
    """The most similar published commitments elsewhere, best first, each with .score
    and .latest_update (its latest published progress update, or None)."""
    ranked = ranked_peer_ids(commitment, limit)
    found = (
        Commitment.objects.published()
        .select_related("jurisdiction")
        .defer("search_vector", "search_vector_es")
        .prefetch_related(_published_updates())
        .in_bulk([pk for pk, _ in ranked])
    )
    peers = []
    for pk, score in ranked:
        if pk in found:
            peer = found[pk]
            peer.score = score
            peer.latest_update = peer.published_updates[0] if peer.published_updates else None
            peers.append(peer)
    return peers


def followers(commitment) -> list[Commitment]:
    """The published commitments modelled on this one, oldest adoption first."""
    return list(
        commitment.followers.published()
        .select_related("jurisdiction")
        .defer("search_vector", "search_vector_es")
        .order_by("adopted_on", "jurisdiction__name", "id")
    )


def commitment_context(commitment) -> dict:
    """The commitment page's learning sections: similar commitments elsewhere, what it
    was modelled on (when that is public) and the places that followed it."""
    model = commitment.modelled_on
    if model is not None and model.publication != Publication.PUBLISHED:
        model = None
    return {
        "similar_commitments": similar_commitments(commitment),
        "model": model,
        "followers": followers(commitment),
    }


KIND_ORDER = {kind: i for i, kind in enumerate(CommitmentKind.values)}


def instruments_by_kind(links) -> list[tuple[str, list]]:
    """The links answering a recommendation, grouped by the kind of instrument (in the
    order of CommitmentKind), implemented ones first within each kind."""
    labels = dict(CommitmentKind.choices)
    groups: dict[str, list] = {}
    for link in links:
        groups.setdefault(link.commitment.kind, []).append(link)
    ordered = []
    for kind in sorted(groups, key=lambda k: KIND_ORDER.get(k, 99)):
        rows = sorted(
            groups[kind],
            key=lambda link: (
                link.commitment.status != CommitmentStatus.IMPLEMENTED,
                link.commitment.jurisdiction.name,
                link.commitment.title,
            ),
        )
        ordered.append((labels.get(kind, kind), rows))
    return ordered
