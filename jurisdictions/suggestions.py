"""Which recommendations a commitment probably answers, and a search box for the rest.

On PostgreSQL the ranking uses the recommendations' full-text ``search_vector`` with an
OR of the commitment's significant words (an AND of a whole summary would match nothing).
On SQLite, used for quick local runs, a word-overlap score over a capped candidate set
gives the same kind of ordering.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q

from recommendations.models import Recommendation

STOPWORDS = set(
    """a about above after again all also an and any are as at be been before being below
    between both but by can city county do does each for from further had has have having
    here how if in into is it its itself more most no nor not of off on once only or other
    our out over own same shall should so some state such than that the their them then
    there these they this those through to too under until up upon very was we were what
    when where which while who whom why will with within would you your""".split()
)
WORD = re.compile(r"[a-z]{3,}")
MAX_TERMS = 40
FALLBACK_CANDIDATES = 3000


def significant_words(text: str) -> list[str]:
    seen = []
    for word in WORD.findall(text.lower()):
        if word not in STOPWORDS and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _overlap_rank(words: list[str], queryset, limit: int):
    wanted = {_stem(w) for w in words}
    scored = []
    for pk, text in queryset.values_list("pk", "text")[:FALLBACK_CANDIDATES]:
        found = {_stem(w) for w in WORD.findall(text.lower())}
        score = len(wanted & found)
        if score:
            scored.append((-score, pk))
    scored.sort()
    ids = [pk for _, pk in scored[:limit]]
    by_id = Recommendation.objects.for_list().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def suggest_for(commitment, limit: int = 10):
    """Top ``limit`` recommendations matching the commitment's title and summary, best first,
    leaving out those already linked."""
    words = significant_words(f"{commitment.title} {commitment.summary}")
    if not words:
        return []
    candidates = Recommendation.objects.exclude(commitment_links__commitment=commitment)
    if connection.vendor != "postgresql":
        return _overlap_rank(words, candidates, limit)
    query = SearchQuery(" | ".join(words), search_type="raw", config="english")
    return list(
        candidates.for_list()
        .filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "pk")[:limit]
    )


def search(text: str, limit: int = 20):
    """The search box: a paragraph number like 26.49 or free text."""
    text = text.strip()
    if not text:
        return []
    base = Recommendation.objects.for_list()
    if re.fullmatch(r"\d+(\.\d+)*", text):
        by_number = Q(paragraph=text) | (Q(pk=int(text)) if text.isdigit() else Q(pk=None))
        return list(base.filter(by_number)[:limit])
    if connection.vendor != "postgresql":
        words = significant_words(text) or [text.lower()]
        narrowed = base
        for word in words[:5]:
            narrowed = narrowed.filter(text__icontains=word)
        return list(narrowed[:limit])
    query = SearchQuery(text, search_type="websearch", config="english")
    return list(
        base.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "pk")[:limit]
    )
