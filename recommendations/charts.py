"""The home page's SVG bar chart of recommendations by theme and response, computed as
plain numbers for the template to draw."""

from django.db import connection
from django.db.models import Count, Q

from .models import FacetCount, Recommendation, Response, Theme

RESPONSE_COLOURS = {
    Response.SUPPORTED: "#1b6e3a",
    Response.SUPPORTED_IN_PART: "#5b8f2a",
    Response.NOTED: "#a23b2a",
    Response.PENDING: "#59606b",
}


def theme_chart(limit: int = 12) -> dict:
    """Horizontal stacked bars: recommendations per theme, split by response, for the
    themes with the most recommendations."""
    # Only the United States' reviews, like the figures beside the chart: the kept counts
    # are over every review, so they serve only while no other state's is imported.
    kept = connection.vendor == "postgresql" and FacetCount.objects.only_home_state()
    rows = _kept_rows(limit) if kept else _counted_rows(limit)
    return _bars(rows)


def _kept_rows(limit: int) -> list[dict]:
    """The same rows as _counted_rows, from the counts PostgreSQL keeps by theme and
    response (FacetCount), so the home page never counts the theme links."""
    split = {}
    for value, n in FacetCount.objects.filter(facet="theme_response", n__gt=0).values_list(
        "value", "n"
    ):
        pk, response = value.split(" ", 1)
        split.setdefault(int(pk), {})[response] = n
    themes = Theme.objects.filter(pk__in=list(split))
    # One vocabulary only: UPR Info and UHRI share names such as "Death penalty".
    vocabulary = (
        Theme.Vocabulary.UPR_INFO
        if any(t.vocabulary == Theme.Vocabulary.UPR_INFO for t in themes)
        else Theme.Vocabulary.UHRI
    )
    rows = [
        {
            "theme__name": t.name,
            "theme__slug": t.slug,
            "theme__vocabulary": t.vocabulary,
            "total": sum(split[t.pk].values()),
            **{key: split[t.pk].get(key, 0) for key in RESPONSE_COLOURS},
        }
        for t in themes
        if t.vocabulary == vocabulary
    ]
    return sorted(rows, key=lambda row: (-row["total"], row["theme__name"]))[:limit]


def _counted_rows(limit: int) -> list[dict]:
    # The United States' recommendations are a few thousand at most; listed first, they
    # spare the planner a semi-join it misjudges once other states' reviews fill the table.
    ids = list(Recommendation.objects.to_home_state().values_list("pk", flat=True))
    through = Recommendation.themes.through.objects.filter(recommendation_id__in=ids)
    # One vocabulary only: UPR Info and UHRI share names such as "Death penalty".
    vocabulary = (
        Theme.Vocabulary.UPR_INFO
        if through.filter(theme__vocabulary=Theme.Vocabulary.UPR_INFO).exists()
        else Theme.Vocabulary.UHRI
    )
    rows = list(
        through.filter(theme__vocabulary=vocabulary)
        .values("theme__name", "theme__slug", "theme__vocabulary")
        .annotate(
            total=Count("id"),
            **{
                key: Count("id", filter=Q(recommendation__response=key)) for key in RESPONSE_COLOURS
            },
        )
        .order_by("-total", "theme__name")[:limit]
    )
    return rows


def _bars(rows: list[dict]) -> dict:
    biggest = max((row["total"] for row in rows), default=0) or 1
    bars = []
    for row in rows:
        # Positions in percent of the longest bar: the SVG of each bar stretches to the
        # width it gets, and the labels stay HTML text at the page's own size.
        x = 0.0
        segments = []
        for key, colour in RESPONSE_COLOURS.items():
            width = row[key] * 100 / biggest
            if row[key]:
                segments.append(
                    {
                        "x": round(x, 2),
                        "width": max(round(width, 2), 0.5),
                        "colour": colour,
                        "label": f"{Response(key).label}: {row[key]}",
                    }
                )
            x += width
        bars.append(
            {
                "name": row["theme__name"],
                "slug": row["theme__slug"],
                "total": row["total"],
                "segments": segments,
            }
        )
    return {"bars": bars}
