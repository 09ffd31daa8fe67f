"""The local-action panels that public pages of the recommendations app show: headline
commitment figures and the state tile map on the home page, the commitments answering one
recommendation, a theme's commitments. register() hands them to recommendations.panels, so
recommendations/ never imports this app."""

from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from recommendations import panels

from .models import Commitment, CommitmentLink, Jurisdiction, Publication, ThemeActionCount

HOME_CACHE_SECONDS = 300
TILE = 44
MAP_WIDTH = 11 * TILE
MAP_HEIGHT = 8 * TILE


def home_figures() -> dict:
    """Published commitments by status and by state, the jurisdictions acting, and the
    latest commitments; whole-table aggregates, so the home page keeps them for a few
    minutes instead of counting on every visit."""
    commitments = Commitment.objects.published()
    # COUNT(*), not COUNT(id): an index on (publication, status) then answers it alone.
    by_status = dict(commitments.values_list("status").annotate(n=Count("*")).order_by())
    by_state, acting = _published_by_state()
    return {
        "commitment_count": sum(by_status.values()),
        "by_status": by_status,
        "jurisdictions_acting": acting,
        "latest": list(
            commitments.select_related("jurisdiction").order_by("-published_at", "-id")[:8]
        ),
        "tiles": state_tiles(by_state),
    }


def _published_by_state() -> tuple[dict[str, int], int]:
    """({state code: published commitments}, jurisdictions with one or more). Counted per
    jurisdiction first and only then joined to the jurisdictions: at 100,000 commitments
    that is a third of the time of joining every commitment."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH per AS (SELECT jurisdiction_id, count(*) AS n FROM jurisdictions_commitment "
            "WHERE publication = %s GROUP BY 1) "
            "SELECT j.state_code, sum(per.n), count(*) FROM per "
            "JOIN jurisdictions_jurisdiction j ON j.id = per.jurisdiction_id "
            "GROUP BY ROLLUP (j.state_code) ORDER BY GROUPING(j.state_code)",
            [Publication.PUBLISHED],
        )
        rows = cursor.fetchall()
    acting = rows[-1][2] if rows else 0  # the rollup's total row comes last
    return {code: int(n) for code, n, _ in rows[:-1] if code}, acting


# Tile-grid positions (column, row) of the states and DC on the home page map.
STATE_TILES = {
    "AK": (0, 0), "ME": (10, 0), "VT": (9, 1), "NH": (10, 1),
    "WA": (0, 2), "ID": (1, 2), "MT": (2, 2), "ND": (3, 2), "MN": (4, 2), "IL": (5, 2),
    "WI": (6, 2), "MI": (7, 2), "NY": (8, 2), "RI": (9, 2), "MA": (10, 2),
    "OR": (0, 3), "NV": (1, 3), "WY": (2, 3), "SD": (3, 3), "IA": (4, 3), "IN": (5, 3),
    "OH": (6, 3), "PA": (7, 3), "NJ": (8, 3), "CT": (9, 3),
    "CA": (0, 4), "UT": (1, 4), "CO": (2, 4), "NE": (3, 4), "MO": (4, 4), "KY": (5, 4),
    "WV": (6, 4), "VA": (7, 4), "MD": (8, 4), "DE": (9, 4),
    "AZ": (1, 5), "NM": (2, 5), "KS": (3, 5), "AR": (4, 5), "TN": (5, 5), "NC": (6, 5),
    "SC": (7, 5), "DC": (8, 5),
    "OK": (3, 6), "LA": (4, 6), "MS": (5, 6), "AL": (6, 6), "GA": (7, 6),
    "HI": (0, 7), "TX": (3, 7), "FL": (8, 7),
}  # fmt: skip


def state_tiles(counts: dict[str, int]) -> list[dict]:
    """One tile per state and DC with the published commitments of the state and every
    jurisdiction inside it (matched on the USPS code each jurisdiction carries)."""
    states = {
        row["state_code"]: row
        for row in Jurisdiction.objects.filter(
            state_code__in=STATE_TILES, parent__isnull=False, parent__parent__isnull=True
        ).values("state_code", "slug", "name")
    }
    tiles = []
    for code, (col, row) in STATE_TILES.items():
        state = states.get(code)
        n = counts.get(code, 0)
        tiles.append(
            {
                "code": code,
                "name": state["name"] if state else code,
                "slug": state["slug"] if state else "",
                "count": n,
                # Where the square and its two lines of text sit inside the tile.
                "box_x": col * TILE + 1,
                "box_y": row * TILE + 1,
                "text_x": col * TILE + 22,
                "code_y": row * TILE + 19,
                "count_y": row * TILE + 37,
                "fill": _tile_fill(n),
                "ink": "#ffffff" if n >= 10 else "#1d1d1f",
            }
        )
    return tiles


# The map's shades: (fewest commitments, most or None, fill, legend words).
MAP_SHADES = [
    (0, 0, "#eef1f4", pgettext_lazy("no commitments", "none")),
    (1, 2, "#c6dbef", "1–2"),
    (3, 9, "#9ecae1", "3–9"),
    (10, 49, "#2f6faa", "10–49"),
    (50, None, "#0b3d73", gettext_lazy("50 or more")),
]


def _tile_fill(n: int) -> str:
    for low, high, fill, _ in MAP_SHADES:
        if low <= n and (high is None or n <= high):
            return fill
    return MAP_SHADES[-1][2]


HOME_FIGURES_KEY = "home:local-figures:v2"


def forget_home_figures() -> None:
    cache.delete(HOME_FIGURES_KEY)


def home_context() -> dict:
    # The cache holds numbers, not the statuses' names: see recommendations.charts.with_labels.
    figures = cache.get_or_set(HOME_FIGURES_KEY, home_figures, HOME_CACHE_SECONDS)
    by_status = figures.pop("by_status")
    return {
        **figures,
        "tiles": _linked_tiles(figures["tiles"]),
        "statuses": [(label, by_status.get(key, 0)) for key, label in Commitment.Status.choices],
        "map_width": MAP_WIDTH,
        "map_height": MAP_HEIGHT,
        "map_legend": [(fill, words) for _, _, fill, words in MAP_SHADES],
    }


def _linked_tiles(tiles: list[dict]) -> list[dict]:
    """Each state's tile with its link to the commitments it counts and the link's name,
    in the visitor's language. Here rather than in the template's loop: a {% url %} and a
    {% blocktranslate %} per tile were half of the home page's rendering."""
    commitments = reverse("jurisdictions:commitment-list")
    for tile in tiles:
        if not tile["slug"]:
            continue
        tile["href"] = f"{commitments}?state={tile['code']}"
        tile["label"] = ngettext(
            "%(name)s: %(n)s published commitment of the state and the places in it",
            "%(name)s: %(n)s published commitments of the state and the places in it",
            tile["count"],
        ) % {"name": tile["name"], "n": localize(tile["count"])}
    return tiles


def recommendation_context(recommendation) -> dict:
    """The published commitments answering one recommendation, grouped by jurisdiction."""
    links = (
        CommitmentLink.objects.filter(recommendation=recommendation)
        .filter(commitment__in=Commitment.objects.published())
        .select_related("commitment__jurisdiction")
        .order_by("commitment__jurisdiction__name", "commitment__title")
    )
    return {"links": list(links)}


def theme_context(theme) -> dict:
    """The theme's local action (Commitment.objects.on_themes): the latest commitments,
    how many there are, and the jurisdictions behind them."""
    on_theme = Commitment.objects.published().on_themes([theme])
    counts = ThemeActionCount.objects.for_theme(theme)
    return {
        "commitments": on_theme.select_related("jurisdiction").order_by("-published_at", "-id")[
            :20
        ],
        "theme_commitment_count": counts["commitments"],
        "acting_jurisdictions": counts["leading"],
        "acting_jurisdiction_count": counts["jurisdictions"],
    }


def theme_list_context(themes) -> dict:
    """Sets commitment_count on each theme: its published local action, as on its page."""
    counts = ThemeActionCount.objects.by_theme()
    for theme in themes:
        theme.commitment_count = counts.get(theme.pk, 0)
    return {}


def register() -> None:
    panels.register("home", home_context)
    panels.register("recommendation", recommendation_context)
    panels.register("theme", theme_context)
    panels.register("theme_list", theme_list_context)
