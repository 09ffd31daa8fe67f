"""The mirror view: what the United States recommended to other states, beside what it
received. UPR Info exports list the United States as a recommending state of other
states' reviews; those recommendations carry UPR Info issues like any other.

- /mirror/: per theme, the recommendations the United States made to other states,
  counted per cycle (facets.py, the one way counts are made), with a link to the full
  list (/recommendations/?country=USA&under_review=all&theme=...), which counts the
  same set.
- A theme page shows the same for its theme and, since the United States' own review
  is tagged in UHRI's vocabulary and UPR Info's, for the equivalent themes of the other
  vocabulary: its narrower themes, the themes a curator marked related, those of the
  same name, and the pairs of CROSSWALK.
- A recommendation made to the United States shows the recommendations the United States
  made to others on one of its themes (or an equivalent) with the closest words: the
  words shared (similar_made_by_us).
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import facets
from .filters import cycle_labels
from .models import HOME_STATE, Country, Recommendation, Theme
from .schema import SEARCH_CONFIG

# UHRI themes and the UPR Info issues that cover the same ground (the two vocabularies
# the United States' reviews are tagged in).
CROSSWALK = [
    ("Right to adequate housing", "Right to housing"),
    ("Right to water and sanitation", "Right to water"),
    ("Discrimination against women", "Women's rights"),
    ("Advancement of women", "Women's rights"),
    ("Violence against women", "Women's rights"),
    ("Human rights & poverty", "Poverty"),
    (
        "Prohibition of torture & ill-treatment (including cruel, inhuman or degrading "
        "treatment)",
        "Torture and other CID treatment",
    ),
    ("Arbitrary arrest & detention", "Detention"),
    ("Administration of justice & fair trial", "Justice"),
    ("Right to life", "Extrajudicial executions"),
    ("Children: rights", "Rights of the Child"),
    ("Children: definition", "Rights of the Child"),
    ("Labour rights and right to work", "Labour"),
    ("Human rights & the environment", "Environment"),
    ("Human rights & climate change", "Environment"),
    ("Right to participate in public affairs & right to vote", "Elections"),
    ("Ratification of & accession to international instruments", "International instruments"),
    ("Migrants", "Migrants"),
]  # fmt: skip
EXAMPLES = 5
SIMILAR = 3
# Similar: on an equivalent theme and sharing this many significant words; the best of
# CANDIDATES full-text matches are compared.
MIN_SHARED = 3
CANDIDATES = 30
STOPWORDS = set(
    """about above after again also among and any are been before being both but can
    could each every for from further has have its into more most must not other our
    out over own same shall should some such than that the their them then there these
    they this those through under until upon very was were what when where which while
    who whom will with within would your united states america government including
    ensure take measures continue efforts country national all""".split()
)
WORD = re.compile(r"[a-z]{4,}")


def home_state() -> Country | None:
    return Country.objects.filter(iso3=HOME_STATE).first()


def equivalent_theme_ids(themes) -> list[int]:
    """The ids of `themes`, the themes equivalent to them in other vocabularies (related
    by a curator, of the same name, or paired in CROSSWALK), and every theme under any of
    those."""
    themes = list(themes)
    if not themes:
        return []
    names = {t.name.casefold() for t in themes}
    for uhri, upr_info in CROSSWALK:
        if uhri.casefold() in names:
            names.add(upr_info.casefold())
        if upr_info.casefold() in names:
            names.add(uhri.casefold())
    wanted = Q(pk__in=[t.pk for t in themes]) | Q(related__in=[t.pk for t in themes])
    for name in names:
        wanted |= Q(name__iexact=name)
    found = Theme.objects.filter(wanted).values_list("pk", flat=True).distinct()
    return Theme.objects.with_narrower(found)


def made_by_us(us):
    """Recommendations the United States made to other states."""
    return Recommendation.objects.recommended_by(us).exclude(review__state_under_review=us)


def list_url(slugs) -> str:
    query = urlencode(
        [("country", HOME_STATE), ("under_review", facets.EVERY_STATE)]
        + [("theme", slug) for slug in sorted(slugs)]
    )
    return f"{reverse('recommendations:recommendation-list')}?{query}"


def theme_context(theme) -> dict:
    """The theme page's mirror: what the United States recommended to other states on the
    theme or an equivalent one, per cycle, with a few examples."""
    us = home_state()
    if us is None:
        return {}
    ids = equivalent_theme_ids([theme])
    per_cycle = facets.counts_of(
        "cycle", under_review=facets.EVERY_STATE, country=[us.pk], theme=ids
    )
    labels = cycle_labels(None)
    examples = list(
        made_by_us(us)
        .with_any_theme(ids)
        .select_related("review__state_under_review")
        .defer("search_vector", "search_vector_es")
        .order_by("-review__cycle", "-id")[:EXAMPLES]
    )
    covered = list(Theme.objects.filter(pk__in=ids).order_by("vocabulary", "name"))
    return {
        "mirror": {
            "total": sum(per_cycle.values()),
            "cycles": [
                (labels.get(c, _("Cycle {n}").format(n=c)), per_cycle[c])
                for c in sorted(per_cycle, key=int)
            ],
            "examples": examples,
            "url": list_url(t.slug for t in covered),
            "themes": [t for t in covered if t.pk != theme.pk],
        }
    }


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    words = []
    for word in WORD.findall(text.lower()):
        if word not in STOPWORDS and word not in words:
            words.append(word)
    return words


def similar_made_by_us(recommendation, limit: int = SIMILAR) -> list[Recommendation]:
    """Recommendations the United States made to other states on one of the themes of
    `recommendation` (or an equivalent) that share at least MIN_SHARED of its significant
    words (stemmed), most shared first, then by full-text rank. The rank alone is no
    measure of likeness: an OR of words ranks a text sharing one common word."""
    if recommendation.review.state_under_review.iso3 != HOME_STATE:
        return []
    us = home_state()
    words = _words(recommendation.text)
    ids = equivalent_theme_ids(recommendation.themes.all())
    if us is None or not words or not ids:
        return []
    query = SearchQuery(" | ".join(words[:30]), search_type="raw", config=SEARCH_CONFIG)
    candidates = (
        made_by_us(us)
        .with_any_theme(ids)
        .filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .select_related("review__state_under_review")
        .defer("search_vector", "search_vector_es")
        .order_by("-rank", "id")[:CANDIDATES]
    )
    mine = {_stem(w) for w in words}
    scored = []
    for rec in candidates:
        shared = len(mine & {_stem(w) for w in _words(rec.text)})
        if shared >= MIN_SHARED:
            scored.append((-shared, -rec.rank, rec.pk, rec))
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored[:limit]]


def recommendation_context(recommendation) -> dict:
    return {"made_by_us": similar_made_by_us(recommendation)}


def mirror(request):
    """/mirror/: per theme, the recommendations the United States made to other states,
    counted per cycle."""
    us = home_state()
    rows, cycles = [], []
    if us is not None:
        themes = list(Theme.objects.order_by("vocabulary", "name"))
        counts = facets.split_counts(
            "cycle",
            "theme",
            [str(t.pk) for t in themes],
            under_review=facets.EVERY_STATE,
            country=[us.pk],
        )
        cycles = sorted({c for per in counts.values() for c in per}, key=int)
        for theme in themes:
            per = counts[str(theme.pk)]
            if per:
                rows.append(
                    {
                        "theme": theme,
                        "counts": [per.get(c, 0) for c in cycles],
                        "total": sum(per.values()),
                        "url": list_url([theme.slug]),
                    }
                )
        rows.sort(key=lambda row: (-row["total"], row["theme"].name))
    labels = cycle_labels(None)
    context = {
        "rows": rows,
        "cycles": [labels.get(c, _("Cycle {n}").format(n=c)) for c in cycles],
        "all_url": list_url([]),
        "total": facets.counts_of("under_review", under_review=facets.EVERY_STATE, country=[us.pk])
        if us
        else {},
    }
    context["total"] = sum(context["total"].values())
    return render(request, "recommendations/mirror.html", context)
