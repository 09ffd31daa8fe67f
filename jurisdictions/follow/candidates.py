"""What a digest run of many saved searches asks each one: which of the commitments that
changed in the run's widest window does it reach?

Asking each search for its changes (searches.changes) joins a broad search with every
commitment, a scan per search on a large database. A run instead loads the few changed
commitments once, with what reaches each (its jurisdiction, the recommendations it
answers), then matches each search against those rows alone: one query over a few ids per
search, and the changes themselves come from memory, newest first as the feed has them."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.fields import ArrayField
from django.db.models import F, IntegerField, Lookup, Value
from django.db.models.functions import Cast

from ..models import Commitment, CommitmentLink
from .models import ListKind, SavedSearch
from .searches import changed_since, matching


class AnyOf(Lookup):
    """`<field> = ANY(<array>)`."""

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def one_of(ids) -> AnyOf:
    """`pk = ANY(%s)`, the ids sent as one array: `pk__in` makes each of a few thousand ids a
    parameter of its own, which costs more in Python than the query does in the database."""
    # Cast rather than a typed Value: an ArrayField value preps every element in Python.
    return AnyOf(F("pk"), Cast(Value(list(ids)), ArrayField(IntegerField())))


@dataclass(frozen=True)
class Candidates:
    """The published commitments changed since a moment (each with .changed_at and its
    jurisdiction), and the rows of each list page that reach them."""

    commitments: dict[int, Commitment]
    by_jurisdiction: dict[int, list[int]]
    by_recommendation: dict[int, list[int]]

    @classmethod
    def since(cls, since: datetime | None) -> "Candidates":
        changed = changed_since(Commitment.objects.published(), since).select_related(
            "jurisdiction"
        )
        commitments = {commitment.pk: commitment for commitment in changed.order_by()}
        answers = CommitmentLink.objects.filter(commitment_id__in=commitments).order_by()
        return cls(
            commitments,
            _grouped((c.jurisdiction_id, pk) for pk, c in commitments.items()),
            _grouped(answers.values_list("recommendation_id", "commitment_id")),
        )

    def changes(self, search: SavedSearch, since: datetime) -> list[Commitment]:
        """What searches.changes(search, since) finds, from the candidates."""
        rows = self._rows(search.kind)
        found = matching(search).filter(one_of(rows)).order_by().values_list("pk", flat=True)
        reached = (self.commitments[pk] for pk in self._reaching(search.kind, found))
        return sorted(
            (commitment for commitment in reached if commitment.changed_at > since),
            key=lambda commitment: (commitment.changed_at, commitment.pk),
            reverse=True,
        )

    def _rows(self, kind: str):
        """The candidates among a list page's own rows."""
        if kind == ListKind.COMMITMENTS:
            return self.commitments
        if kind == ListKind.JURISDICTIONS:
            return self.by_jurisdiction
        return self.by_recommendation

    def _reaching(self, kind: str, found) -> set[int]:
        """The candidate commitments reached through `found`, rows of the list page."""
        if kind == ListKind.COMMITMENTS:
            return set(found)
        through = self._rows(kind)
        return {pk for row in found for pk in through[row]}


def _grouped(pairs) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped
