"""Which recommendations a commitment probably answers, and a search box for the rest.

A suggestion's score adds two signals, each scaled to 0..1 over the candidates:
- text relevance between the commitment's title and summary and the recommendation's text,
  with the commitment's words widened by a small map of related terms (an eviction
  ordinance also searches for housing and homelessness, a moratorium for capital
  punishment), since UN wording and local wording rarely share the same nouns;
- shared themes: the commitment's own themes (and their equivalents in the other
  vocabulary) plus the themes its words point to through the same map.
The text part is the full-text rank of an OR of the words (in the search configuration
of Recommendation.search_vector), over a bounded candidate set, so the cost does not grow
with the table.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Q

from recommendations.models import Recommendation, Theme, search_rank, text_search
from recommendations.schema import SEARCH_CONFIG

STOPWORDS = set(
    """a about above after again all also an and any are as at be been before being below
    between both but by can city county do does each for from further had has have having
    here how if in into is it its itself more most no nor not of off on once only or other
    our out over own same shall should so some state such than that the their them then
    there these they this those through to too under until up upon very was we were what
    when where which while who whom why will with within would you your
    every add adds added make makes made give gives given provide provides including
    include includes new first one two year years
    facing people person persons experiencing case cases right rights""".split()
)
WORD = re.compile(r"[a-z]{3,}")
MAX_TERMS = 40
TEXT_CANDIDATES = 200
THEME_CANDIDATES = 200
# Shared themes weigh a little less than text: a theme is broad (dozens of
# recommendations share "Right to housing"), the text says what exactly is asked.
TEXT_WEIGHT = 0.6
THEME_WEIGHT = 0.4
# A theme the staff member picked for the commitment is a statement, not a guess: sharing
# it outweighs a text match on its own.
CHOSEN_THEME_BONUS = 0.3
# The list stops where relevance drops: a suggestion scoring under two thirds of the best
# one is left out (on the demo data the right pick scores at the top or within a fifth of
# it, and the unrelated ones that used to fill the list to ten score 0.6 of it or less).
RELEVANCE_DROP = 0.67

# Concepts: words a commitment may use -> words UN recommendations use for the same
# thing, and words that name the matching themes in either vocabulary.
CONCEPTS = [
    (
        "housing eviction evictions evicted homeless homelessness tenant tenants renter "
        "renters rent rental landlord landlords shelter unhoused encampment encampments",
        "housing homelessness homeless eviction shelter tenants",
        ["housing"],
    ),
    (
        "death penalty capital execution executions executed moratorium reprieve",
        "capital punishment executions death penalty moratorium abolition",
        ["death penalty"],
    ),
    (
        "police policing officer officers force deadly brutality enforcement",
        "police force brutality policing officers",
        ["state agents", "public security", "right to life"],
    ),
    (
        "cedaw women woman girls gender equity sex",
        "women cedaw gender girls",
        ["women"],
    ),
    (
        "water sanitation sewer sewage utility utilities shutoff shutoffs",
        "water sanitation",
        ["water"],
    ),
    (
        "poverty poor income affordability affordable arrears debt fines fees",
        "poverty poor inequality",
        ["poverty"],
    ),
    (
        "child children youth juvenile minors",
        "children child",
        ["child"],
    ),
    (
        "immigrant immigrants immigration migrant migrants refugee refugees asylum "
        "deportation sanctuary",
        "migrants immigration asylum refugees",
        ["migrant"],
    ),
    (
        "climate emissions carbon energy sustainability",
        "climate emission environmental",
        ["climate", "environment"],
    ),
    (
        "vote voting voter voters ballot election elections felony",
        "voting vote election",
        ["vote"],
    ),
    (
        "health medical hospital clinic medicaid insurance care",
        "health care",
        ["health"],
    ),
    (
        "jail jails prison prisons detention solitary incarceration prisoners inmates",
        "detention prisons torture custody",
        ["torture", "detention"],
    ),
    (
        "racial race racism black",
        "racial racism discrimination",
        ["racial", "discrimination"],
    ),
    (
        "tribe tribes tribal native indigenous",
        "native indigenous",
        ["indigenous"],
    ),
    (
        "wage wages worker workers employment labor labour jobs",
        "workers labour employment",
        ["labour"],
    ),
]


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


def expand(words: list[str]) -> tuple[list[str], list[str]]:
    """The commitment's words plus the related terms of every concept they touch, and the
    theme-name fragments of those concepts."""
    stems = {_stem(w) for w in words}
    terms, theme_words = list(words), []
    for triggers, related, names in CONCEPTS:
        if stems & {_stem(t) for t in triggers.split()}:
            terms += [t for t in related.split() if t not in terms]
            theme_words += names
    return terms[: MAX_TERMS * 2], theme_words


def chosen_theme_ids(commitment) -> set[int]:
    """The commitment's own themes and their equivalents: mapped as related, or of the
    same name in the other vocabulary."""
    own = list(commitment.themes.values_list("pk", "name")) if commitment.pk else []
    if not own:
        return set()
    wanted = Q(pk__in=[pk for pk, _ in own]) | Q(related__in=[pk for pk, _ in own])
    for _, name in own:
        wanted |= Q(name__iexact=name)
    return set(Theme.objects.filter(wanted).values_list("pk", flat=True))


def concept_theme_ids(theme_words: list[str]) -> set[int]:
    """The themes named by the concepts the commitment's words touch."""
    if not theme_words:
        return set()
    wanted = Q()
    for fragment in theme_words:
        wanted |= Q(name__icontains=fragment)
    return set(Theme.objects.filter(wanted).values_list("pk", flat=True))


def _text_scores(terms: list[str], candidates) -> dict[int, float]:
    query = SearchQuery(" | ".join(terms), search_type="raw", config=SEARCH_CONFIG)
    rows = (
        candidates.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "pk")
        .values_list("pk", "rank")[:TEXT_CANDIDATES]
    )
    return dict(rows)


def _theme_scores(theme_ids: set[int], candidates) -> dict[int, int]:
    if not theme_ids:
        return {}
    rows = (
        candidates.filter(themes__in=theme_ids)
        .values("pk")
        .annotate(shared=Count("themes", distinct=True))
        .order_by("-shared", "pk")
        .values_list("pk", "shared")[:THEME_CANDIDATES]
    )
    return dict(rows)


def combine(
    text: dict[int, float], themes: dict[int, int], chosen: dict[int, int], limit: int
) -> list[int]:
    """Ids best first: text scaled by its best value among the candidates, shared themes
    by two (two shared themes are as good as it gets), each weighted; sharing a theme the
    commitment carries counts in full, plus a bonus. At most `limit`, and none scoring
    under RELEVANCE_DROP of the best."""
    top_text = max(text.values(), default=0) or 1
    scored = []
    for pk in set(text) | set(themes) | set(chosen):
        score = TEXT_WEIGHT * text.get(pk, 0) / top_text
        if chosen.get(pk):
            score += THEME_WEIGHT + CHOSEN_THEME_BONUS
        else:
            score += THEME_WEIGHT * min(themes.get(pk, 0), 2) / 2
        scored.append((-score, pk))
    scored.sort()
    best = -scored[0][0] if scored else 0
    return [pk for score, pk in scored[:limit] if -score >= best * RELEVANCE_DROP]


def suggest_for(commitment, limit: int = 10):
    """Up to ``limit`` recommendations for the commitment, best first, leaving out those
    already linked and those far less relevant than the best (combine())."""
    words = significant_words(f"{commitment.title} {commitment.summary}")
    terms, theme_words = expand(words)
    chosen_ids = chosen_theme_ids(commitment)
    theme_ids = chosen_ids | concept_theme_ids(theme_words)
    if not words and not theme_ids:
        return []
    candidates = Recommendation.objects.all()
    if commitment.pk:
        candidates = candidates.exclude(commitment_links__commitment=commitment)
    text = _text_scores(terms, candidates) if words else {}
    themes = _theme_scores(theme_ids, candidates)
    chosen = _theme_scores(chosen_ids, candidates)
    ids = combine(text, themes, chosen, limit)
    by_id = Recommendation.objects.for_list().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def search(text: str, limit: int = 20):
    """The search box: a paragraph number like 26.49 or free text."""
    text = text.strip()
    if not text:
        return []
    base = Recommendation.objects.for_list()
    if re.fullmatch(r"\d+(\.\d+)*", text):
        by_number = Q(paragraph=text) | (Q(pk=int(text)) if text.isdigit() else Q(pk=None))
        return list(base.filter(by_number)[:limit])
    return list(
        base.filter(text_search(text))
        .annotate(rank=search_rank(text))
        .order_by("-rank", "pk")[:limit]
    )
