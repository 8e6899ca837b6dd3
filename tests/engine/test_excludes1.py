"""DX08 on the real ICD-10-CM tabular's Excludes1 notes (the simple-icd-10-cm package's update, stored by
`rvucheck data install`): the notes parsed into code ranges, real pairs on both sides, and the one RD09 note
when pairs are found on lines of another fiscal year than the notes'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from rvucheck.engine.runner import run
from rvucheck.model import CellRef, ChargeLine
from rvucheck.refdata.excludes1 import Excludes1, parse_note, within
from rvucheck.refdata.store import Store
from rvucheck.rules.ruleset import load_all, select_rules
from rvucheck.settings import Settings

SETTINGS = Settings(today=dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("note", "ranges"),
    [
        ("type 1 diabetes mellitus (E10.-)", [("E10", "E10")]),
        ("hypertensive disease complicating pregnancy (O10-O11, O13-O16)", [("O10", "O11"), ("O13", "O16")]),
        ("lumbago due to intervertebral disc displacement (M51.2-)", [("M512", "M512")]),
        ("type 2 diabetes mellitus, without complications in remission (E11.A)", [("E11A", "E11A")]),
        ("injury to visual cortex S04.04-", [("S0404", "S0404")]),  # a code ending the note, no parentheses
        ("diabetic acidosis - see categories E08-E10, E11, E13 with ketoacidosis", []),  # only some of them
        ("confirmed infection - code to infection", []),
    ],
)
def test_notes_parse_into_code_ranges(note: str, ranges: list[tuple[str, str]]) -> None:
    assert parse_note(note) == ranges


def test_a_range_holds_its_subcodes_only() -> None:
    assert within("O10011", ("O10", "O11")) and within("O114", ("O10", "O11"))
    assert not within("O12", ("O10", "O11")) and not within("O0990", ("O10", "O11"))
    assert within("E11A", ("E11A", "E11A")) and not within("E119", ("E11A", "E11A"))


@pytest.mark.parametrize(
    ("code", "other", "excluded"),
    [
        ("E119", "E109", True),  # E11's note: type 1 diabetes mellitus (E10.-)
        ("E109", "E119", True),  # and E10's: type 2 (E11.-)
        ("E119", "E11A", True),  # E11.9's own note
        ("F329", "F331", True),  # F32: recurrent depressive disorder (F33.-)
        ("I10", "O10011", True),  # I10: hypertensive disease complicating pregnancy (O10-O11, ...)
        ("H3689", "E11319", True),  # H36: diabetic retinopathy (E11.3-)
        ("J449", "J45909", False),  # COPD and asthma: no Excludes1 between them in this tabular
        ("E1142", "G63", False),  # code first / manifestation, not Excludes1
        ("I10", "E119", False),
    ],
)
def test_real_excludes1_notes(data_dir: Path, code: str, other: str, excluded: bool) -> None:
    notes = Excludes1(Store(data_dir))
    assert notes.info is not None
    assert notes.excludes(code, other) is excluded


def _line(row: int, dos: dt.date, *dx: str) -> ChargeLine:
    return ChargeLine(source=CellRef("Charges", row), hcpcs="99213", modifiers=(), units=1.0, dos=dos,
                      provider="DR1", patient=f"P{row}", diagnoses=dx, pos="11")  # fmt: skip


def test_pairs_of_another_fiscal_year_get_one_note(ref: Any) -> None:
    lines = [
        _line(2, dt.date(2026, 7, 1), "E11.9", "E10.9"),  # the notes' own fiscal year (FY2026)
        _line(3, dt.date(2019, 3, 4), "E11.9", "E10.9"),  # FY2019: judged by the FY2026 notes
        _line(4, dt.date(2019, 5, 6), "E11.9", "I10"),  # no pair: nothing to say about it
    ]
    report = run(lines, ref, select_rules(load_all(), Settings(select=("DX08",))), SETTINGS)
    assert [(f.rule, f.source.row) for f in report.findings if f.rule == "DX08"] == [("DX08", 2), ("DX08", 3)]
    dx08 = next(f for f in report.findings if f.rule == "DX08")
    assert "E11.9 with E10.9" in dx08.message and "unrelated" in dx08.message
    notes = [f for f in report.run_findings if f.rule == "RD09"]
    assert len(notes) == 1 and notes[0].severity == "info" and notes[0].source.row == 3
    assert "1 line dated 2019-03-04" in notes[0].message and "FY2026" in notes[0].message


def test_pairs_of_the_notes_year_get_no_note(ref: Any) -> None:
    lines = [
        _line(2, dt.date(2026, 7, 1), "F32.9", "F33.1"),
        _line(3, dt.date(2019, 3, 4), "J44.9", "J45.909"),
    ]
    report = run(lines, ref, select_rules(load_all(), Settings(select=("DX08",))), SETTINGS)
    assert [(f.rule, f.source.row) for f in report.findings if f.rule.startswith("DX")] == [("DX08", 2)]
    assert not [f for f in report.run_findings if f.rule == "RD09"]
