"""The documentation columns (issue 18): minutes, note status, signature date, attachment flag. Read when the
export has them, never a reason to skip a line; headers as real EHR/PM exports write them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rvucheck.read.cells import parse_flag, parse_minutes
from rvucheck.read.charges import read_charges
from rvucheck.read.headers import field_of_header


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Total Time (min)", "minutes"),
        ("Minutes", "minutes"),
        ("Time Spent", "minutes"),
        ("Anesthesia Minutes", "minutes"),
        ("Duration", "minutes"),
        ("Total Mins", "minutes"),
        ("Note Status", "note_status"),
        ("Documentation Status", "note_status"),
        ("Encounter Status", "note_status"),
        ("Signed Date", "signed"),
        ("Date Signed", "signed"),
        ("Signature Date", "signed"),
        ("Note_Signed_Date", "signed"),
        ("PROVIDER_SIGNED_DT", "signed"),
        ("Attachment", "attachment"),
        ("Op Report Attached", "attachment"),
        ("Report Attached", "attachment"),
        ("Posted Date", "posted"),
    ],
)
def test_documentation_headers(header: str, field: str) -> None:
    assert field_of_header(header) == field


@pytest.mark.parametrize(
    "header", ["Start Time", "Time In", "Time", "Signed By", "Claim Status", "Attachment Control Number"]
)
def test_headers_that_are_not_documentation_columns(header: str) -> None:
    assert field_of_header(header) not in {"minutes", "note_status", "signed", "attachment"}


def test_documentation_columns_are_read(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        "MRN,DOS,CPT,Mod,Dx,Total Time (min),Note Status,Signed Date,Posted Date,Op Report Attached\n"
        "P1,2026-03-02,99214,,I10,35,Signed,2026-03-02,2026-03-03,\n"
        "P2,2026-03-02,27447,22,M17.11,1:15,Pending,,2026-03-04,N\n"
        "P3,2026-03-02,99213,,I10,about ten,unsigned,not a date,2026-03-05,Y\n"
    )
    lines = read_charges(path).lines
    assert [(x.minutes, x.note_status, x.signed, x.attachment) for x in lines] == [
        (35.0, "Signed", dt.date(2026, 3, 2), None),
        (75.0, "Pending", None, False),
        (None, "unsigned", None, True),
    ]


def test_no_documentation_columns_nothing_read(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("MRN,DOS,CPT,Dx\nP1,2026-03-02,99213,I10\n")
    (line,) = read_charges(path).lines
    assert (line.minutes, line.note_status, line.signed, line.attachment) == (None, "", None, None)
    assert {"minutes", "note_status", "signed", "attachment"}.isdisjoint(dict(line.columns))


def test_parse_minutes() -> None:
    assert [parse_minutes(v) for v in (45, 45.5, "45", "45 min", "20 minutes", "1:15", dt.time(0, 50))] == [
        45.0, 45.5, 45.0, 45.0, 20.0, 75.0, 50.0,
    ]  # fmt: skip
    assert [parse_minutes(v) for v in (None, "", "abc", -5, True, "1:75", float("nan"))] == [None] * 7


def test_parse_flag() -> None:
    assert [parse_flag(v) for v in ("Y", "yes", "TRUE", 1, "X", "Attached", True)] == [True] * 7
    assert [parse_flag(v) for v in ("N", "no", "false", 0, "Missing", False)] == [False] * 6
    assert [parse_flag(v) for v in (None, "", "maybe", 7)] == [None] * 4
