"""RVU_CHECK_RANGE reads a block's header as `rvucheck check` reads a sheet's (any order, the same words),
and honours [columns] of the rvucheck.toml beside it (`rvucheck columns FILE --save`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from rvucheck.excel import udfs
from rvucheck.excel.range_check import session_for

pytestmark = pytest.mark.usefixtures("udf_data")


# as test_check_functions.BLOCK: same patient, physician and day; an E/M beside procedures NCCI pairs
BLOCK: list[list[Any]] = [
    ["code", "modifiers", "units", "date", "diagnoses", "pos", "patient", "provider"],
    ["99214", "", 1, "2026-07-15", "M17.11", 11, "P001", "Dr A"],
    [20610, None, 1, dt.date(2026, 7, 15), "M17.11", "11", "P001", "Dr A"],
    ["20611", "", 1, 46218.0, "m1711", 11, "P001", "Dr A"],
    ["99213", "", 3, "07/15/2026", "M17.11", 11, "P001", "Dr A"],
]


def _reordered(header: list[str], order: list[int]) -> list[list[Any]]:
    return [header, *([row[i] for i in order] for row in BLOCK[1:])]


def test_a_block_in_another_column_order_is_read_by_its_header() -> None:
    expected = udfs.RVU_CHECK_RANGE(BLOCK)
    assert any(row[0] for row in expected[1:])  # the block has findings to compare
    # patient, date, code, provider, units, dx, modifiers, pos: the export's own order and words
    order = [6, 3, 0, 7, 2, 4, 1, 5]
    block = _reordered(
        ["Pt MRN", "Date of Svc", "CPT/HCPCS", "Rendering Provider", "Qty", "Dx 1", "Mod 1", "POS"], order
    )
    assert udfs.RVU_CHECK_RANGE(block) == expected


def test_columns_saved_in_rvucheck_toml_name_the_block_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = udfs.RVU_CHECK_RANGE(BLOCK)
    header = ["Item", "Extra", "Count", "Seen On", "Why", "Where", "Who", "By"]
    block = [header, *BLOCK[1:]]
    # without [columns]: "Item" names no code column, so the first row is read as a (bad) line
    assert udfs.RVU_CHECK_RANGE(block)[0] != ["findings"]
    (tmp_path / "rvucheck.toml").write_text(
        '[columns]\nhcpcs = "Item"\nmodifiers = "Extra"\nunits = "Count"\ndos = "Seen On"\n'
        'diagnoses = "Why"\npos = "Where"\npatient = "Who"\nprovider = "By"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    session_for.cache_clear()
    try:
        assert udfs.RVU_CHECK_RANGE(block) == expected
    finally:
        session_for.cache_clear()
