"""RVU_CHECK and RVU_CHECK_RANGE give the rules engine's findings for lines typed in a sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rvucheck.engine.runner import run
from rvucheck.excel import udfs
from rvucheck.model import CellRef, ChargeLine
from rvucheck.rules.ruleset import load_ruleset
from rvucheck.settings import load_settings

pytestmark = pytest.mark.usefixtures("udf_data")

DOS = dt.date(2026, 7, 15)
# same patient, same physician, same day: an E/M without 25 beside a 000-day procedure, two joint injections
# that NCCI pairs, and an E/M over its MUE
BLOCK: list[list[Any]] = [
    ["code", "modifiers", "units", "date", "diagnoses", "pos", "patient", "provider"],
    ["99214", "", 1, "2026-07-15", "M17.11", 11, "P001", "Dr A"],
    [20610, None, 1, DOS, "M17.11", "11", "P001", "Dr A"],
    ["20611", "", 1, 46218.0, "m1711", 11, "P001", "Dr A"],  # 46218 = 2026-07-15 as an Excel serial
    ["99213", "", 3, "07/15/2026", "M17.11", 11, "P001", "Dr A"],
]


def engine_text(lines: list[ChargeLine]) -> dict[int, str]:
    """The findings the engine gives for these lines, in RVU_CHECK's text form."""
    settings = load_settings(None, None)
    from rvucheck.refdata import open_reference

    report = run(lines, open_reference(), load_ruleset(settings), settings)
    texts = {}
    for result in report.results:
        texts[result.line.source.row] = "; ".join(f"{f.rule}: {f.message}" for f in result.findings)
    return texts


def line(row: int, code: str, units: float = 1.0, dx: tuple[str, ...] = ("M17.11",)) -> ChargeLine:
    return ChargeLine(
        source=CellRef("RVU_CHECK", row),
        hcpcs=code,
        units=units,
        dos=DOS,
        diagnoses=dx,
        pos="11",
        patient="P001",
        provider="Dr A",
    )


def test_a_clean_line_is_empty() -> None:
    assert udfs.RVU_CHECK("99213", None, 1, "2026-07-15", "I10", 11) == ""


def test_one_line_gives_the_engine_findings() -> None:
    text = udfs.RVU_CHECK("99213", "", 3, "2026-07-15", "M17.11", 11)
    expected = engine_text([line(1, "99213", units=3)])[1]
    assert text == expected
    # 3 units of 99213 exceed its MUE of 2 (MUE2026Q2), a date-of-service edit
    assert text.startswith("MU03: 99213: 3 units") and "the MUE is 2 (MAI 3" in text


def test_the_block_is_checked_together() -> None:
    result = udfs.RVU_CHECK_RANGE(BLOCK)
    assert len(result) == len(BLOCK) and result[0] == ["findings"]
    lines = [line(2, "99214"), line(3, "20610"), line(4, "20611"), line(5, "99213", units=3)]
    expected = engine_text(lines)
    assert [r[0] for r in result[1:]] == [expected[2], expected[3], expected[4], expected[5]]
    # alone, 99214 is clean; beside a 000-day procedure the same day it is not (same-day rules see the block)
    assert udfs.RVU_CHECK("99214", "", 1, "2026-07-15", "M17.11", 11) == ""
    assert result[1][0].startswith("GS01: 99214 on 2026-07-15 with 20610 (000-day global)")
    assert result[3][0] == ""  # 20611 ranks first and is the column 1 code of the NCCI pair


def test_unreadable_cells_in_a_block_are_reported_on_their_row() -> None:
    block = [["99213", "", "two", "2026-07-15", "I10", 11], [None, None, None, None, None, None]]
    result = udfs.RVU_CHECK_RANGE(block)
    assert result[0][0].startswith("unreadable line: units 'two'")
    assert result[1] == [""]


def test_a_code_header_the_reader_knows_starts_a_block_in_rvu_check_range() -> None:
    from rvucheck.excel.range_check import _is_header
    from rvucheck.read.headers import SYNONYMS, map_headers

    # Headers the reader maps to the code column, as exports spell them; "Proc Code" and "Service Code"
    # were not header words of RVU_CHECK_RANGE before the vocabulary was shared.
    spelled = ["Proc Code", "Service Code", "CPT®/HCPCS", "Procedure Code #", "CPT4"]
    for header in [*spelled, *SYNONYMS["hcpcs"]]:
        assert map_headers([header, "Units"]).single["hcpcs"] == 0, header
        assert _is_header([header, "Units"]), header
    for not_code in ("Modifier", "Units", "99213", "Date of Service"):
        assert "hcpcs" not in map_headers([not_code]).single
        assert not _is_header([not_code, "Units"]), not_code
    result = udfs.RVU_CHECK_RANGE(
        [["Proc Code", "Mod", "Qty", "DOS", "Dx", "POS"], ["99213", None, 1, "2026-07-15", "I10", 11]]
    )
    assert result == [["findings"], [""]]


def test_a_release_that_is_not_installed_is_the_cells_one_line(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rvucheck.toml pinning a release whose RVU file is not installed: the cell says so (before: $0 and a
    'no fee schedule' finding on every line), and an installed pin still checks."""
    from rvucheck.excel import range_check

    monkeypatch.chdir(tmp_path)
    (tmp_path / "rvucheck.toml").write_text('release = "RVU24A"\n', encoding="utf-8")
    range_check.session_for.cache_clear()
    range_check._check_line.cache_clear()
    try:
        text = range_check.check_line("99213", "", 1, "2026-07-15", "M17.11", 11)
        assert text.startswith("rvucheck: release RVU24A: its RVU file is not installed")
        assert "(fee schedules installed: RVU26C, RVU25D)" in text and len(text) <= 255
        (tmp_path / "rvucheck.toml").write_text('release = "RVU25D"\n', encoding="utf-8")
        range_check.session_for.cache_clear()
        range_check._check_line.cache_clear()
        assert not range_check.check_line("99213", "", 1, "2026-07-15", "M17.11", 11).startswith("rvucheck")
    finally:
        range_check.session_for.cache_clear()
        range_check._check_line.cache_clear()


def test_a_block_without_patients_is_one_patients_lines() -> None:
    """The block is what the user put together: lines with no patient cell are the block's one patient (the
    engine links a blank patient with no one elsewhere); lines of two named patients are not linked."""
    no_patient = [row[:6] for row in BLOCK[1:3]]  # 99214 and 20610, no patient column
    assert udfs.RVU_CHECK_RANGE(no_patient)[0][0].startswith("GS01: 99214 on 2026-07-15 with 20610")
    two_patients = [BLOCK[1], [*BLOCK[2][:6], "P002", "Dr A"]]
    assert udfs.RVU_CHECK_RANGE(two_patients)[0][0] == ""
