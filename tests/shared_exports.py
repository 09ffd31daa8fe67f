"""The real exports in ../shared/data (read-only), and import files built from them in
the shapes of the sources the folder lacks: the US 2020 table as a UHRI export and as a
UPR Info export."""

import csv
import uuid
from pathlib import Path

import pytest

from tests.helpers import UHRI_HEADER, UPR_INFO_HEADER, uhri_row

# Beside every checkout, CI's included.
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def shared_files(folder: str) -> list[Path]:
    # A Spanish version of a table (name ending in _es) is read by test_import_spanish.py.
    found = sorted(p for p in (SHARED / folder).glob("*.csv") if not p.stem.endswith("_es"))
    if not found:
        # A missing file is a failure, not a skip: the real-file tests would pass vacuously.
        pytest.fail(f"the real exports are missing from {SHARED / folder}")
    return found


UPR_INFO_ANSWERS = {"supported": "Accepted", "noted": "Noted", "supported_noted": "Supported/Noted"}
UHRI_POSITIONS = {"supported": "Supported", "noted": "Noted", "supported_noted": "Supported/Noted"}


def us_2020_rows() -> list[dict]:
    [path] = shared_files("us-reviews")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def states(row) -> list[str]:
    return [name.strip() for name in row["recommending_states"].split(";") if name.strip()]


def write_upr_info(rows, path):
    """UPR Info's shape: one row per recommending state, its issue and action category
    made up from the paragraph (UPR Info's own are not in the shared table)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(UPR_INFO_HEADER.split(","))
        for row in rows:
            issue = "International instruments" if "ratif" in row["text"].lower() else "General"
            action = 1 + int(row["paragraph"].split(".")[-1]) % 5
            for state in states(row):
                answer = UPR_INFO_ANSWERS[row["position"]]
                out.writerow(
                    ["United States", "WEOG", "", row["text"], state, "", ""]
                    + [answer, action, issue, row["session"]]
                )
    return path


def annotation_id(row) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, row["paragraph"])


def write_uhri(rows, path):
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=UHRI_HEADER)
        out.writeheader()
        for row in rows:
            out.writerow(
                uhri_row(
                    **{
                        "Text": f"- {row['paragraph']} {row['text']}",
                        "UPR Session": f"- {row['session']}th Session",
                        "UPR Reccomending States": "\n".join(f"- {s}" for s in states(row)),
                        "UPR Position": f"- {UHRI_POSITIONS[row['position']]}",
                        "Themes": f"- {row['primary_theme']}",
                        "Affected Persons": "",
                        "Sdgs": "",
                        "OHCHR Annotation Id": f"- {annotation_id(row)}",
                    }
                )
            )
    return path
