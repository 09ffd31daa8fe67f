"""Loading a day's bulk files into an empty instance, so that it shows the same public data
under the same permanent identifiers (recommendations' public ids, commitment, link and
update numbers, review numbers, slugs).

Recommendations go through the native importer, which already reads the recommendation
table's format back unchanged and keeps public ids (recommendations/importers/native.py):
there is one way in for them. The other tables are small or plain and are written here.
Derived columns (local action, jurisdictions acting, overdue and stale) are recomputed by
the jobs that keep them, as after any import. Everything is one transaction: a file that
fails its checksum or a row that does not fit leaves the database as it was."""

import csv
import gzip
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from simple_history.utils import bulk_create_with_history

from jurisdictions.local_status import refresh_local_status
from jurisdictions.models import (
    Commitment,
    CommitmentLink,
    Jurisdiction,
    Network,
    NetworkMembership,
    ProgressUpdate,
)
from jurisdictions.publication import Publication
from recommendations.csv_cells import neutralise_row, restore
from recommendations.importers.pipeline import import_file
from recommendations.models import (
    AffectedGroup,
    Country,
    Recommendation,
    Review,
    SdgGoal,
    SdgTarget,
    Theme,
)

from . import bulk
from .tables import BY_NAME

BATCH = 2000
FORMATS = ("csv", "jsonl")


class LoadError(Exception):
    pass


class BulkSet:
    """One day's folder, read as CSV (from the zip) or as JSON Lines."""

    def __init__(self, folder: Path, fmt: str):
        self.folder = Path(folder)
        self.fmt = fmt
        if fmt not in FORMATS:
            raise LoadError(f"Unknown format {fmt!r}: say csv or jsonl.")
        try:
            self.manifest = json.loads((self.folder / bulk.MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise LoadError(f"No readable {bulk.MANIFEST} in {self.folder}: {exc}") from exc
        self._check()

    def _check(self):
        for entry in self.manifest.get("files", []):
            if entry["format"] != self.fmt:
                continue
            path = self.folder / entry["name"]
            if not path.is_file():
                raise LoadError(f"{entry['name']} is missing.")
            if bulk.file_sha256(path) != entry["sha256"]:
                raise LoadError(f"{entry['name']} does not match its SHA-256 in the manifest.")

    def rows(self, table: str) -> Iterator[dict]:
        """The table's rows as dicts; an empty cell is None."""
        if self.fmt == "jsonl":
            with gzip.open(self.folder / bulk.jsonl_name(table), "rt", encoding="utf-8") as fh:
                for line in fh:
                    yield {k: (None if v == "" else v) for k, v in json.loads(line).items()}
            return
        with zipfile.ZipFile(self.folder / bulk.CSV_ZIP) as archive:
            with archive.open(f"{table}.csv") as member:
                reader = csv.reader(io.TextIOWrapper(member, encoding="utf-8", newline=""))
                header = next(reader)
                for cells in reader:
                    yield {
                        k: (restore(v) if v != "" else None)
                        for k, v in zip(header, cells, strict=True)
                    }


def _text(value) -> str:
    return "" if value is None else str(value)


def _check_empty():
    if Recommendation.objects.exists() or Commitment.objects.exists():
        raise LoadError(
            "This database already holds recommendations or commitments: load a bulk set "
            "only into an empty instance (after migrate, optionally seed_reference)."
        )


def load(folder, fmt: str = "jsonl") -> dict:
    data = BulkSet(folder, fmt)
    counts = {}
    with transaction.atomic():
        _check_empty()
        counts["countries"] = _countries(data)
        counts["sdg_goals"], counts["sdg_targets"] = _sdgs(data)
        counts["affected_groups"] = _upsert(
            AffectedGroup, "slug", data.rows("affected_groups"), ["name"]
        )
        counts["themes"] = _themes(data)
        counts["reviews"] = _reviews(data)
        counts["recommendations"] = _recommendations(data)
        counts["jurisdictions"] = _jurisdictions(data)
        counts["networks"] = _upsert(
            Network, "slug", data.rows("networks"), ["name", "kind", "description", "url"]
        )
        counts["network_memberships"] = _memberships(data)
        counts["commitments"] = _commitments(data)
        counts["commitment_links"] = _links(data)
        counts["progress_updates"] = _updates(data)
        _reset_sequences()
        refresh_local_status()
    # The commitment job's overdue and stale flags (and its theme array checks), as each
    # night; it records its own run.
    from jurisdictions.tasks import refresh_commitment_statuses

    refresh_commitment_statuses()
    return counts


def _upsert(model, key: str, rows, fields: list[str], rename: dict | None = None) -> int:
    rename = rename or {}
    n = 0
    for row in rows:
        defaults = {rename.get(f, f): _text(row.get(f)) for f in fields}
        model.objects.update_or_create(**{key: row[key]}, defaults=defaults)
        n += 1
    return n


def _countries(data) -> int:
    return _upsert(
        Country, "iso3", data.rows("countries"), ["name", "formal_name", "region", "kind"]
    )


def _sdgs(data) -> tuple[int, int]:
    goals = 0
    for row in data.rows("sdg_goals"):
        SdgGoal.objects.update_or_create(
            number=int(row["number"]), defaults={"title": _text(row["title"])}
        )
        goals += 1
    by_number = dict(SdgGoal.objects.values_list("number", "pk"))
    targets = 0
    for row in data.rows("sdg_targets"):
        SdgTarget.objects.update_or_create(
            code=row["code"],
            defaults={"goal_id": by_number[int(row["goal"])], "title": _text(row["title"])},
        )
        targets += 1
    return goals, targets


def _upsert_tree(model, rows, defaults) -> int:
    """Rows keyed by slug that name their parent's slug: every row first, then parents."""
    parents = {}
    for row in rows:
        model.objects.update_or_create(slug=row["slug"], defaults=defaults(row))
        parents[row["slug"]] = row["parent"]
    by_slug = dict(model.objects.values_list("slug", "pk"))
    for slug, parent in parents.items():
        model.objects.filter(slug=slug).update(parent_id=by_slug[parent] if parent else None)
    return len(parents)


def _themes(data) -> int:
    return _upsert_tree(
        Theme,
        data.rows("themes"),
        lambda row: {
            "vocabulary": row["vocabulary"],
            "name": row["name"],
            # .get: a dump written before the Spanish columns existed has none.
            "name_es": _text(row.get("name_es")),
            "description": _text(row["description"]),
        },
    )


def _date(value):
    return value or None


def _reviews(data) -> int:
    states = dict(Country.objects.values_list("iso3", "pk"))
    n = 0
    for row in data.rows("reviews"):
        Review.objects.update_or_create(
            id=int(row["id"]),
            defaults={
                "state_under_review_id": states[row["state_under_review"]],
                "cycle": int(row["cycle"]),
                "wg_session": int(row["wg_session"]) if row["wg_session"] else None,
                "review_date": _date(row["review_date"]),
                "report_symbol": _text(row["report_symbol"]),
                "response_symbol": _text(row["response_symbol"]),
                "response_date": _date(row["response_date"]),
                "status": row["status"],
                "notes": _text(row["notes"]),
            },
        )
        n += 1
    return n


def _recommendations(data) -> int:
    """Through the native importer, from a temporary file in the export's own format."""
    fields = BY_NAME["recommendations"].fields
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(fields)
        n = 0
        for row in data.rows("recommendations"):
            writer.writerow(neutralise_row(_text(row.get(f)) for f in fields))
            n += 1
        fh.flush()
        if not n:
            return 0
        report = import_file(fh.name, format="native")
    if not report.ok:
        problems = "; ".join(f"line {e.get('line')}: {e.get('message')}" for e in report.errors[:5])
        raise LoadError(f"The recommendations could not be loaded: {problems}")
    return n


def _jurisdictions(data) -> int:
    return _upsert_tree(
        Jurisdiction,
        data.rows("jurisdictions"),
        lambda row: {
            "name": row["name"],
            "kind": row["kind"],
            "state_code": _text(row["state_code"]),
            "fips": _text(row["geoid"]),
            "ocd_id": _text(row["ocd_id"]),
            "website": _text(row["website"]),
        },
    )


def _memberships(data) -> int:
    networks = dict(Network.objects.values_list("slug", "pk"))
    places = dict(Jurisdiction.objects.values_list("slug", "pk"))
    n = 0
    for row in data.rows("network_memberships"):
        NetworkMembership.objects.update_or_create(
            network_id=networks[row["network"]],
            jurisdiction_id=places[row["jurisdiction"]],
            defaults={"joined_on": _date(row["joined_on"]), "note": _text(row["note"])},
        )
        n += 1
    return n


def _batches(rows, size=BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _commitments(data) -> int:
    places = dict(Jurisdiction.objects.values_list("slug", "pk"))
    themes = dict(Theme.objects.values_list("slug", "pk"))
    Tagged = Commitment.themes.through
    n = 0
    for batch in _batches(data.rows("commitments")):
        objs = [
            Commitment(
                id=int(row["id"]),
                title=row["title"],
                title_es=_text(row.get("title_es")),
                jurisdiction_id=places[row["jurisdiction"]],
                kind=row["kind"],
                instrument_ref=_text(row["instrument_ref"]),
                status=row["status"],
                adopted_on=_date(row["adopted_on"]),
                target_date=_date(row["target_date"]),
                responsible_office=_text(row["responsible_office"]),
                summary=_text(row["summary"]),
                summary_es=_text(row.get("summary_es")),
                source_url=_text(row["source_url"]),
                publication=Publication.PUBLISHED,
                published_at=row["published_at"],
            )
            for row in batch
        ]
        bulk_create_with_history(objs, Commitment, batch_size=BATCH)
        Tagged.objects.bulk_create(
            [
                Tagged(commitment_id=int(row["id"]), theme_id=themes[slug.strip()])
                for row in batch
                for slug in _text(row["themes"]).split(";")
                if slug.strip()
            ]
        )
        # updated_at is set to now on every write; give back the original's.
        for obj, row in zip(objs, batch, strict=True):
            obj.updated_at = row["updated_at"]
        Commitment.objects.bulk_update(objs, ["updated_at"], batch_size=BATCH)
        n += len(objs)
    # The history says each commitment was published when it was, not today.
    Commitment.history.update(history_date=Coalesce(F("published_at"), F("history_date")))
    return n


def _links(data) -> int:
    recommendations = dict(Recommendation.objects.values_list("public_id", "pk"))
    n = 0
    for batch in _batches(data.rows("commitment_links")):
        missing = [
            row["recommendation"] for row in batch if row["recommendation"] not in recommendations
        ]
        if missing:
            raise LoadError(f"A link names an unknown recommendation: {missing[0]}.")
        objs = [
            CommitmentLink(
                id=int(row["id"]),
                commitment_id=int(row["commitment"]),
                recommendation_id=recommendations[row["recommendation"]],
                relation=row["relation"],
                rationale=_text(row["rationale"]),
            )
            for row in batch
        ]
        bulk_create_with_history(objs, CommitmentLink, batch_size=BATCH)
        n += len(objs)
    return n


def _updates(data) -> int:
    n = 0
    for batch in _batches(data.rows("progress_updates")):
        objs = [
            ProgressUpdate(
                id=int(row["id"]),
                commitment_id=int(row["commitment"]),
                reported_on=row["reported_on"],
                status=_text(row["status"]),
                summary=_text(row["summary"]),
                summary_es=_text(row.get("summary_es")),
                evidence_url=_text(row["evidence_url"]),
                publication=Publication.PUBLISHED,
            )
            for row in batch
        ]
        bulk_create_with_history(objs, ProgressUpdate, batch_size=BATCH)
        for obj, row in zip(objs, batch, strict=True):
            obj.created_at = row["created_at"]
        ProgressUpdate.objects.bulk_update(objs, ["created_at"], batch_size=BATCH)
        n += len(objs)
    return n


def _reset_sequences():
    """Rows came with their ids: the next new row must be numbered after them."""
    models = [Review, Commitment, CommitmentLink, ProgressUpdate]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
