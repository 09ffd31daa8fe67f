"""Reading awkward files: encodings, line endings, entities, and telling formats apart."""

from pathlib import Path

import pytest

from recommendations.importers import readers

DATA = Path(__file__).parent / "data"


def rows(name):
    return [cells for _, cells in readers.iter_csv(DATA / name)]


def test_utf8_with_bom_is_read_without_the_bom():
    assert readers.detect_encoding(DATA / "upr_info_original.csv") == "utf-8-sig"
    assert rows("upr_info_original.csv")[0][0] == "SuR"


def test_mac_roman_bytes_are_recognised_and_decoded():
    assert readers.detect_encoding(DATA / "upr_info_resave_macroman_cr.csv") == "mac_roman"
    text = rows("upr_info_resave_macroman_cr.csv")[1][3]
    assert "Québec north – in law" in text


def test_windows_1252_bytes_are_recognised_and_decoded():
    assert readers.detect_encoding(DATA / "upr_info_resave_cp1252.csv") == "cp1252"
    assert "Côte d’Ivoire’s" in rows("upr_info_resave_cp1252.csv")[2][3]


def test_cr_line_endings_split_rows():
    assert len(rows("upr_info_resave_macroman_cr.csv")) == 3


def test_html_entities_are_decoded():
    found = rows("upr_info_resave_macroman_cr.csv")
    assert found[1][4] == "(Unknown)"
    assert "technical help & training" in found[2][3]


def test_line_numbers_count_physical_lines_of_multi_line_cells(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('a,b\n"one\ntwo",x\nthree,y\n', encoding="utf-8")
    assert [line for line, _ in readers.iter_csv(path)] == [1, 2, 4]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            [
                "SuR",
                "Rgrp",
                "Org",
                "Recommendation",
                "RS",
                "Rgrp",
                "Org",
                "Response",
                "Action",
                "Issue",
                "Session",
            ],
            "upr_info",
        ),  # noqa: E501
        (
            [
                "To",
                "To-Rgrp",
                "To-Org",
                "Text",
                "From",
                "From-Rgrp",
                "From-Org",
                "Response",
                "Action",
                "Issue",
                "Session",
            ],
            "upr_info",
        ),  # noqa: E501
        (["Text", "Countries Concerned", "Reccomending Body", "OHCHR Annotation Id"], "uhri"),
        (["Text", "Countries Concerned", "Recommending Body"], "uhri"),
        (["url", "state_under_review", "cycle", "text"], "native"),
        (["name", "email"], None),
    ],
)
def test_the_format_is_detected_from_the_header(header, expected):
    assert readers.detect_format(header) == expected
