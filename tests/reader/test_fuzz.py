"""Fuzz the reader and the engine: random cell types, values and layouts never crash them, and every row
below the header is accounted for (checked, unreadable with a reason, a totals row, or blank)."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rvucheck.errors import InputFileError
from rvucheck.read.charges import ReadResult, read_charges

HEADER_CHOICES = [
    "CPT",
    "Proc Code",
    "Units",
    "Qty",
    "DOS",
    "Date of Service",
    "Mod 1",
    "Modifier 2",
    "Dx1",
    "ICD-10",
    "POS",
    "Charge",
    "Patient",
    "MRN",
    "Provider",
    "Rendering NPI",
    "Notes",
    "",
    "Claim",
]
TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"), max_size=12
)
CELL = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(
        [
            "99213",
            "99213-25",
            "G2211",
            "0001T",
            "25,59",
            "E11.9",
            "Total",
            "Grand Total",
            "=1+1",
            " ",
            "\xa0",
            "10/05/2026",
            "13/45/2026",
            "abc",
            "-1",
            "1e3",
        ]
    ),
    st.integers(min_value=-10, max_value=100_000),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.booleans(),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 1, 1)),
    TEXT,
)


@st.composite
def layouts(draw: Any) -> tuple[list[list[object]], int]:
    width = draw(st.integers(min_value=1, max_value=8))
    title_rows = draw(st.integers(min_value=0, max_value=4))
    headers = draw(st.lists(st.sampled_from(HEADER_CHOICES), min_size=width, max_size=width))
    headers[draw(st.integers(min_value=0, max_value=width - 1))] = draw(st.sampled_from(["CPT", "HCPCS"]))
    rows: list[list[object]] = [[draw(TEXT)] for _ in range(title_rows)]
    rows.append(list(headers))
    rows += draw(st.lists(st.lists(CELL, min_size=0, max_size=width + 2), max_size=25))
    return rows, title_rows + 1


def _accounted(result: ReadResult) -> None:
    rows = (
        [x.source.row for x in result.lines] + [u.source.row for u in result.unreadable] + result.totals_rows
    )
    assert len(rows) == len(set(rows)), "a row counted twice"
    assert all(result.header_row < row <= result.last_row for row in rows)
    assert len(rows) + result.blank_rows == result.last_row - result.header_row
    assert all(u.reason for u in result.unreadable)


def _write_xlsx(rows: list[list[object]], path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    wb.save(path)


def _write_csv(rows: list[list[object]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["" if v is None else v for v in row] for row in rows])


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(layouts(), st.sampled_from(["xlsx", "csv"]))
def test_reader_never_crashes_and_accounts_for_every_row(
    layout: tuple[list[list[object]], int], kind: str
) -> None:
    rows, _header = layout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz.{kind}"
        (_write_xlsx if kind == "xlsx" else _write_csv)(rows, path)
        try:
            result = read_charges(path)
        except InputFileError:
            return  # e.g. a title row that itself looks like a better header without a code column
        _accounted(result)


@FUZZ
@given(layouts())
def test_engine_takes_whatever_the_reader_gives(ref: Any, layout: tuple[list[list[object]], int]) -> None:
    from rvucheck.engine.runner import run
    from rvucheck.rules.ruleset import load_ruleset
    from rvucheck.settings import Settings

    rows, _header = layout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.xlsx"
        _write_xlsx(rows, path)
        try:
            result = read_charges(path)
        except InputFileError:
            return
    settings_ = Settings(today=dt.date(2026, 11, 26))
    report = run(result.lines, ref, load_ruleset(settings_), settings_, unreadable=result.unreadable)
    assert len(report.results) == len(result.lines)
    assert [r.line for r in report.results] == result.lines
    assert len(report.unreadable) == len(result.unreadable)
    rd01 = [f for f in report.run_findings if f.rule == "RD01"]
    assert len(rd01) == len(result.unreadable)
