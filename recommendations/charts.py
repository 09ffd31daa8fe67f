"""The home page's SVG bar chart of recommendations by theme and response, computed as
plain numbers for the template to draw."""

from . import facets
from .models import Response, Theme

RESPONSE_COLOURS = {
    Response.SUPPORTED: "#1b6e3a",
    Response.SUPPORTED_IN_PART: "#5b8f2a",
    Response.NOTED: "#a23b2a",
    Response.PENDING: "#59606b",
}


def theme_chart(limit: int = 12) -> dict:
    """Horizontal stacked bars: recommendations to the United States per theme, split by
    response, for the themes with the most recommendations (counted by the facet index,
    like every such figure)."""
    split = facets.split_counts("theme", "response", RESPONSE_COLOURS)
    tagged = {int(pk) for counts in split.values() for pk in counts}
    themes = list(Theme.objects.filter(pk__in=tagged))
    # One vocabulary only: UPR Info and UHRI share names such as "Death penalty".
    vocabulary = (
        Theme.Vocabulary.UPR_INFO
        if any(t.vocabulary == Theme.Vocabulary.UPR_INFO for t in themes)
        else Theme.Vocabulary.UHRI
    )
    rows = []
    for theme in themes:
        if theme.vocabulary != vocabulary:
            continue
        by_response = {key: split[key].get(str(theme.pk), 0) for key in RESPONSE_COLOURS}
        rows.append(
            {
                "theme__name": theme.name,
                "theme__slug": theme.slug,
                "theme__vocabulary": theme.vocabulary,
                "total": sum(by_response.values()),
                **by_response,
            }
        )
    rows.sort(key=lambda row: (-row["total"], row["theme__name"]))
    return _bars(rows[:limit])


def with_labels(chart: dict) -> dict:
    """Names each segment ("Supported: 12") in the active language. The cached chart holds
    keys and numbers only: the same entry serves every language, and a lazy translation
    costs about a millisecond to unpickle (each builds a class), tens of them per page."""
    labels = dict(Response.choices)
    for bar in chart["bars"]:
        for segment in bar["segments"]:
            segment["label"] = f"{labels[segment['key']]}: {segment['count']}"
    return chart


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
                        "key": key,
                        "count": row[key],
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
