"""What a spreadsheet upload would do, sheet by sheet: rows to create, change, leave
unchanged or hold as conflicts, and errors by sheet, row and column. The commitment sheet
(commitment_import.py) and the further sheets (sheets.py) fill the same plan."""

from dataclasses import dataclass, field

from .models import Commitment

# The most rows of one sheet (and of a CSV import): a larger file is split.
MAX_ROWS = 2000
ACTIONS = ["create", "change", "unchanged", "conflict"]


class PlanOutdated(Exception):
    """A record changed between the dry run and the apply."""


COMMITMENTS_SHEET = "Commitments"


@dataclass
class RowPlan:
    row: int
    action: str  # create, change, unchanged, conflict
    commitment: Commitment | None = None
    form: object = None
    theme_ids: list[int] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # field, old, new
    title: str = ""
    # The further sheets (sheets.py): the record the row changes, its checked values and
    # the id of the commitment or indicator it belongs to.
    sheet: str = COMMITMENTS_SHEET
    sheet_key: str = "commitments"
    record: object = None
    values: dict | None = None
    parent: int | None = None

    def settle(self, downloaded_version, current_version):
        """The action of a row for an existing record, once its changes are known."""
        if not self.changes:
            self.action = "unchanged"
        elif downloaded_version != current_version:
            # Saved by someone else since the download: show it, never overwrite it.
            self.action = "conflict"
        else:
            self.action = "change"

    @property
    def current(self):
        return self.commitment if self.commitment is not None else self.record

    @property
    def name_now(self) -> str:
        """The row's record as it is named now (a commitment's title before the change)."""
        return self.commitment.title if self.commitment is not None else self.title


@dataclass
class UploadPlan:
    filename: str
    rows: list[RowPlan] = field(default_factory=list)
    # sheet, row, column, reason
    errors: list[tuple[str, int, str, str]] = field(default_factory=list)

    def of(self, action, sheet_key=None):
        return [
            r
            for r in self.rows
            if r.action == action and (sheet_key is None or r.sheet_key == sheet_key)
        ]

    @property
    def counts(self) -> dict[str, int]:
        return {action: len(self.of(action)) for action in ACTIONS}

    def fingerprint(self) -> list:
        """What the dry run showed, row by row: the apply goes ahead only if it is the
        same."""
        return [[r.sheet_key, r.row, r.action, r.changes] for r in self.rows]

    @property
    def sheet_counts(self) -> list[tuple[str, dict[str, int]]]:
        """Each sheet of the file with its rows per action, in the file's order."""
        sheets = {}
        for r in self.rows:
            sheets.setdefault(r.sheet, dict.fromkeys(ACTIONS, 0))[r.action] += 1
        return list(sheets.items())

    @property
    def ok(self) -> bool:
        return not self.errors
