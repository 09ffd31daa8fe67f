"""Building, listing and pruning the daily bulk files.

A day's set is a folder OPEN_DATA_DIR/YYYY-MM-DD/ holding one zip of CSV files (one per
table), one gzipped JSON Lines file per table and manifest.json (each file's size,
SHA-256 and row counts). It is written under a hidden temporary name and renamed into
place when complete: a rename within one file system is atomic, so a reader sees either
no set for the day or the whole of it, never half. "latest" is the newest complete set.

Every table is read once, in one REPEATABLE READ transaction (one snapshot, so a link
never names a recommendation the files lack), a chunk of rows at a time, and each row is
written to its CSV member and its JSON Lines file as it comes: memory stays flat."""

import csv
import datetime
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from recommendations.absolute_urls import base_url
from recommendations.csv_cells import neutralise_row

from .tables import TABLES

CSV_ZIP = "upr-tracker-csv.zip"
MANIFEST = "manifest.json"
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A temporary folder older than this belongs to a build whose worker died.
ABANDONED_AFTER = datetime.timedelta(hours=6)
MEDIA_TYPES = {".zip": "application/zip", ".gz": "application/gzip", ".json": "application/json"}


def data_dir() -> Path:
    return Path(settings.OPEN_DATA_DIR)


def jsonl_name(table_name: str) -> str:
    return f"{table_name}.jsonl.gz"


class _HashingWriter(io.RawIOBase):
    """Passes bytes on to `target`, hashing and counting them on the way."""

    def __init__(self, target):
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_table(table, base, archive: zipfile.ZipFile, folder: Path) -> dict:
    """One pass over the table's rows, into its CSV member and its JSON Lines file."""
    rows = 0
    with (
        archive.open(f"{table.name}.csv", "w", force_zip64=True) as member,
        gzip.open(folder / jsonl_name(table.name), "wb", compresslevel=6) as jsonl,
    ):
        csv_bytes = _HashingWriter(member)
        jsonl_bytes = _HashingWriter(jsonl)
        csv_text = io.TextIOWrapper(
            io.BufferedWriter(csv_bytes, 1 << 16), encoding="utf-8", newline=""
        )
        json_text = io.TextIOWrapper(
            io.BufferedWriter(jsonl_bytes, 1 << 16), encoding="utf-8", newline="\n"
        )
        writer = csv.writer(csv_text)
        writer.writerow(table.fields)
        fields = table.fields
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        for row in table.rows(base):
            writer.writerow(neutralise_row("" if v is None else v for v in row))
            json_text.write(dumps(dict(zip(fields, row, strict=True))))
            json_text.write("\n")
            rows += 1
        csv_text.flush()
        json_text.flush()
        csv_text.detach()
        json_text.detach()
    return {
        "table": table.name,
        "title": table.title,
        "fields": table.fields,
        "rows": rows,
        "csv_sha256": csv_bytes.sha256.hexdigest(),
        "jsonl_sha256": jsonl_bytes.sha256.hexdigest(),
    }


def build(day: datetime.date | None = None, base: str | None = None) -> dict:
    """Write the day's set unless it exists; returns what was done and the row counts."""
    day = day or timezone.localdate()
    base = base or base_url()
    root = data_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / day.isoformat()
    if (final / MANIFEST).exists():
        return {"built": 0, "day": day.isoformat()}
    folder = Path(tempfile.mkdtemp(prefix=f".building-{day.isoformat()}-", dir=root))
    started = time.monotonic()
    try:
        tables = []
        # Inside a caller's transaction (a test) the snapshot is the caller's to choose.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            with zipfile.ZipFile(
                folder / CSV_ZIP, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6
            ) as archive:
                for table in TABLES:
                    tables.append(_write_table(table, base, archive, folder))
        manifest = _manifest(day, folder, tables, base)
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        folder.chmod(0o755)
        # Atomic: the set appears whole. Another build of the same day that won the race
        # leaves its folder in place and this one is dropped.
        try:
            os.rename(folder, final)
        except OSError:
            if (final / MANIFEST).exists():
                shutil.rmtree(folder, ignore_errors=True)
                return {"built": 0, "day": day.isoformat()}
            raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return {
        "built": 1,
        "day": day.isoformat(),
        "seconds": round(time.monotonic() - started, 1),
        **{t["table"]: t["rows"] for t in tables},
    }


def _manifest(day, folder: Path, tables: list[dict], base: str) -> dict:
    from .catalog import LICENCE

    files = [
        {
            "name": CSV_ZIP,
            "format": "csv",
            "media_type": MEDIA_TYPES[".zip"],
            "bytes": (folder / CSV_ZIP).stat().st_size,
            "sha256": file_sha256(folder / CSV_ZIP),
            "tables": [
                {
                    "name": f"{t['table']}.csv",
                    "table": t["table"],
                    "rows": t["rows"],
                    "sha256": t["csv_sha256"],
                }
                for t in tables
            ],
        }
    ]
    for t in tables:
        path = folder / jsonl_name(t["table"])
        files.append(
            {
                "name": path.name,
                "format": "jsonl",
                "media_type": MEDIA_TYPES[".gz"],
                "table": t["table"],
                "rows": t["rows"],
                "bytes": path.stat().st_size,
                "sha256": file_sha256(path),
                "uncompressed_sha256": t["jsonl_sha256"],
            }
        )
    return {
        "title": "UPR Tracker open data",
        "date": day.isoformat(),
        "created": timezone.now().isoformat(timespec="seconds"),
        "source": base,
        "licence": LICENCE,
        "tables": [
            {"name": t["table"], "title": t["title"], "fields": t["fields"], "rows": t["rows"]}
            for t in tables
        ],
        "files": files,
    }


def days() -> list[str]:
    """The complete sets, newest first."""
    root = data_dir()
    if not root.is_dir():
        return []
    found = [
        entry.name
        for entry in root.iterdir()
        if DAY.fullmatch(entry.name) and (entry / MANIFEST).is_file()
    ]
    return sorted(found, reverse=True)


def manifest(day: str) -> dict | None:
    try:
        return json.loads((data_dir() / day / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def prune(today: datetime.date | None = None) -> int:
    """Deletes sets older than OPEN_DATA_RETENTION_DAYS and abandoned temporary folders."""
    today = today or timezone.localdate()
    oldest = today - datetime.timedelta(days=settings.OPEN_DATA_RETENTION_DAYS - 1)
    root = data_dir()
    removed = 0
    if not root.is_dir():
        return 0
    abandoned = time.time() - ABANDONED_AFTER.total_seconds()
    for entry in root.iterdir():
        if DAY.fullmatch(entry.name) and entry.name < oldest.isoformat():
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
        elif entry.name.startswith(".building-") and entry.stat().st_mtime < abandoned:
            shutil.rmtree(entry, ignore_errors=True)
    return removed
