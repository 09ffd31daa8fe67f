""" "Recommended again": recommendations to one state under review that repeat, in the same
or nearly the same words, a recommendation of another cycle.

Computed when recommendations are written, per state under review, and stored in
RecommendedAgain; the detail page reads at most five rows. Comparing every pair of a
state's 1,000-1,500 recommendations would take about a second per state, so candidates are
found first: two texts are compared only if they share two of their four rarest words
(rarest among that state's recommendations), which a repeat in nearly the same words
does. Each candidate pair is then scored with rapidfuzz.
"""

from collections import Counter
from itertools import combinations

from django.db import transaction
from rapidfuzz import fuzz

from .importers.common import normalise_text
from .models import Recommendation, RecommendedAgain

# Ratio (0-100) of the normalised texts from which two recommendations say the same.
MIN_SCORE = 75
# The detail page shows five; more are not stored.
KEEP = 5
# How many of a text's rarest words make its keys, and a key shared by more texts than
# MAX_GROUP is too common to point at a repeat.
RARE_WORDS = 4
MAX_GROUP = 200
STOP_WORDS = set(
    "a an and are as at be by for from in is its it of on or that the their this to with".split()
)


def _words(text: str) -> set[str]:
    return {w for w in text.split() if w not in STOP_WORDS and len(w) > 2}


def pairs_for(rows) -> dict[tuple[int, int], int]:
    """rows: (id, cycle, text). Returns {(id, other id): score} for recommendations of
    different cycles, the KEEP best for each id."""
    texts = {pk: normalise_text(text) for pk, _, text in rows}
    cycles = {pk: cycle for pk, cycle, _ in rows}
    words = {pk: _words(text) for pk, text in texts.items()}
    frequency = Counter(w for found in words.values() for w in found)
    groups = {}
    for pk, found in words.items():
        rarest = sorted(found, key=lambda w: (frequency[w], w))[:RARE_WORDS]
        keys = list(combinations(rarest, 2)) or [tuple(rarest)]
        for key in keys:
            groups.setdefault(key, []).append(pk)
    found, seen = {}, set()
    for members in groups.values():
        if len(members) < 2 or len(members) > MAX_GROUP:
            continue
        for a, b in combinations(members, 2):
            if cycles[a] == cycles[b] or (a, b) in seen:
                continue
            seen.add((a, b))
            score = fuzz.ratio(texts[a], texts[b], score_cutoff=MIN_SCORE)
            if score:
                found[(a, b)] = found[(b, a)] = round(score)
    best = {}
    for (a, b), score in found.items():
        best.setdefault(a, []).append((-score, cycles[b], b))
    return {(a, b): -score for a, ranked in best.items() for score, _, b in sorted(ranked)[:KEEP]}


def refresh_recommended_again(queryset) -> int:
    """Recomputes "recommended again" for the states under review of the recommendations
    in `queryset`. Every writer of recommendation text or reviews calls this (the
    importer, the admin, the curator form, the seeds); the detail page only reads."""
    states = set(queryset.values_list("review__state_under_review", flat=True).distinct())
    return refresh_states(states)


def refresh_states(state_ids) -> int:
    """Recomputes the pairs of these states under review; returns how many are stored."""
    stored = 0
    for state_id in sorted(state_ids):
        rows = list(
            Recommendation.objects.filter(review__state_under_review=state_id).values_list(
                "id", "review__cycle", "text"
            )
        )
        pairs = pairs_for(rows)
        with transaction.atomic():
            RecommendedAgain.objects.filter(
                recommendation__review__state_under_review=state_id
            ).delete()
            RecommendedAgain.objects.bulk_create(
                [
                    RecommendedAgain(recommendation_id=a, other_id=b, score=score)
                    for (a, b), score in pairs.items()
                ],
                batch_size=2000,
            )
        stored += len(pairs)
    return stored
