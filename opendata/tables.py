"""The tables of the daily bulk files: what each holds and the rows it is read from.

Every table starts from the queryset the API and the exports show (published commitments
only, and so on), so the files hold exactly the public data. Related records are named by
their public keys (ISO codes, slugs, public identifiers, commitment numbers), as in the
API. Rows are read with iterator(chunk_size=...) and handed on one at a time: memory stays
flat however large the data set. A list cell joins its values with "; ", as the
recommendation export does (recommendations/native.py)."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.urls import reverse

from jurisdictions.models import (
    Commitment,
    CommitmentLink,
    Jurisdiction,
    Network,
    NetworkMembership,
    ProgressUpdate,
)
from recommendations import exports, native
from recommendations.models import (
    AffectedGroup,
    Country,
    Recommendation,
    Review,
    SdgGoal,
    SdgTarget,
    Theme,
)

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    fields: list[str]
    read: Callable[[str], Iterator[tuple]]

    def rows(self, base: str) -> Iterator[tuple]:
        """Rows as tuples in `fields` order: text, numbers, ISO dates or None."""
        return self.read(base)


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return native.joined(sorted(value))
    return value


def _values(queryset, lookups: list[str]) -> Iterator[tuple]:
    for row in queryset.values_list(*lookups).order_by("pk").iterator(chunk_size=CHUNK_SIZE):
        yield tuple(_plain(v) for v in row)


def _table(name: str, title: str, queryset: Callable, *columns: str, url: str = "") -> Table:
    """A table read straight from `queryset()`; a column "field=lookup" names a related
    or renamed value. With `url`, a first column holds the record's page, named by the
    route `url` from the first of `columns`."""
    fields = [c.partition("=")[0] for c in columns]
    lookups = [c.partition("=")[2] or c for c in columns]
    if not url:
        return Table(name, title, fields, lambda base: _values(queryset(), lookups))

    def read(base):
        prefix = base + reverse(url, args=[0]).removesuffix("0/")
        for row in _values(queryset(), lookups):
            yield (f"{prefix}{row[0]}/", *row)

    return Table(name, title, ["url", *fields], read)


def _recommendations(base: str) -> Iterator[tuple]:
    for row in exports.recommendation_rows(Recommendation.objects.for_export(), base):
        yield tuple(row.values())


def _commitments():
    themes = ArraySubquery(Theme.objects.filter(commitments=OuterRef("pk")).values("slug"))
    return Commitment.objects.for_export().annotate(theme_slugs=themes)


TABLES = [
    _table(
        "countries",
        "States, observers and groups",
        Country.objects.all,
        *["iso3", "name", "formal_name", "region", "kind"],
    ),
    _table(
        "themes",
        "Themes of every vocabulary, each naming its broader theme",
        Theme.objects.all,
        *["slug", "vocabulary", "name", "name_es", "parent=parent__slug", "description"],
    ),
    _table(
        "affected_groups", "Groups of affected persons", AffectedGroup.objects.all, "slug", "name"
    ),
    _table("sdg_goals", "Sustainable Development Goals", SdgGoal.objects.all, "number", "title"),
    _table(
        "sdg_targets",
        "Sustainable Development Goal targets",
        SdgTarget.objects.all,
        *["code", "goal=goal__number", "title"],
    ),
    _table(
        "reviews",
        "Reviews: one state under review in one UPR cycle",
        Review.objects.all,
        *["id", "state_under_review=state_under_review__iso3", "cycle", "wg_session"],
        *["review_date", "report_symbol", "response_symbol", "response_date", "status", "notes"],
    ),
    Table(
        "recommendations",
        "Recommendations with their responses, themes, affected groups and SDG targets",
        list(native.FIELDS),
        _recommendations,
    ),
    _table(
        "jurisdictions",
        "US jurisdictions: federal, states, counties, cities, tribal nations",
        Jurisdiction.objects.all,
        *["slug", "name", "kind", "state_code", "geoid=fips", "ocd_id", "website"],
        "parent=parent__slug",
        url="jurisdictions:jurisdiction-detail",
    ),
    _table(
        "networks",
        "Networks, campaigns and joint pledges that jurisdictions join",
        Network.objects.all,
        *["slug", "name", "kind", "description", "url"],
    ),
    _table(
        "network_memberships",
        "Which jurisdiction joined which network, and when",
        NetworkMembership.objects.all,
        *["network=network__slug", "jurisdiction=jurisdiction__slug", "joined_on", "note"],
    ),
    _table(
        "commitments",
        "Published state and local commitments",
        _commitments,
        *["id", "title", "title_es", "jurisdiction=jurisdiction__slug", "kind", "instrument_ref"],
        *["status", "adopted_on", "target_date", "responsible_office", "summary", "summary_es"],
        "source_url",
        *["themes=theme_slugs", "published_at", "updated_at"],
        url="jurisdictions:commitment-detail",
    ),
    _table(
        "commitment_links",
        "Which published commitment answers which recommendation, how and why",
        CommitmentLink.objects.published,
        *["id", "commitment=commitment_id", "recommendation=recommendation__public_id"],
        *["relation", "rationale"],
    ),
    _table(
        "progress_updates",
        "Published progress updates of published commitments",
        ProgressUpdate.objects.published,
        *["id", "commitment=commitment_id", "reported_on", "status", "summary", "summary_es"],
        *["evidence_url", "created_at"],
    ),
]

BY_NAME = {table.name: table for table in TABLES}
