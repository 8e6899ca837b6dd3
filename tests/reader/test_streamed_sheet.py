"""The charge sheet read row by row (calamine's iter_rows) gives what the whole grid gives (made-up data)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import openpyxl
import pytest

from rvucheck.errors import InputFileError
from rvucheck.read.charges import read_charges
from rvucheck.read.sources import XlsxBook

HEADERS = ["Patient MRN", "DOS", "CPT", "Mod 1", "Units", "Dx 1", "Charge"]


def _book(path: Path, cells: dict[str, object]) -> Path:
    wb = openpyxl.Workbook()
    for ref, value in cells.items():
        wb.active[ref] = value
    wb.save(path)
    return path


@pytest.mark.parametrize(
    "cells",
    [
        {"A1": 1},
        {"C1": "a", "D5": 2},
        {"A3": "a", "D5": 2.5},
        {"B2": "x", "A7": 1},
        {"E4": "late", "C9": "left", "F2": 3},
    ],
)
def test_rows_from_iter_rows_equal_the_whole_grid(tmp_path: Path, cells: dict[str, object]) -> None:
    path = _book(tmp_path / "layout.xlsx", cells)
    whole = XlsxBook(path).grid("Sheet").rows
    for head in (0, 1, 3, 100):
        streamed = XlsxBook(path).grid("Sheet", head=head)
        assert streamed.rows == whole[:head]
        assert streamed.whole().rows == whole
        assert streamed.rest is None


def _export(path: Path, blank_above: int, lines: int, first_column: int = 3) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Charges"
    for _ in range(blank_above):
        ws.append([])
    pad = [None] * (first_column - 1)
    ws.append([*pad, *HEADERS])
    for n in range(lines):
        code = "99213" if n % 3 else "11042"
        ws.append([*pad, f"MRN{n % 97:04d}", f"10/{n % 28 + 1:02d}/2026", code, "", 1, "L97.412", 125.0])
    if lines:
        ws.append([*pad, "Total", "", "", "", "", "", 125.0 * lines])
    wb.save(path)
    return path


def _plain(result: object) -> dict[str, object]:
    values = asdict(result)  # type: ignore[call-overload]
    values.pop("grid")
    return values


@pytest.mark.parametrize(("blank_above", "lines"), [(0, 5), (4, 400), (30, 250)])
def test_streamed_read_equals_the_kept_grid_read(tmp_path: Path, blank_above: int, lines: int) -> None:
    """Lines past the rows the header search buffers (261) are read from the stream, the same way."""
    path = _export(tmp_path / "charges.xlsx", blank_above, lines)
    streamed = read_charges(path)
    kept = read_charges(path, keep_grid=True)
    assert streamed.grid is None and kept.grid is not None
    assert len(streamed.lines) == lines
    assert streamed.lines[-1].source.row == blank_above + 1 + lines
    assert streamed.totals_rows == [blank_above + lines + 2]
    assert streamed.last_row == blank_above + lines + 2
    assert _plain(streamed) == _plain(kept)


def test_data_below_the_searched_rows_is_not_called_empty(tmp_path: Path) -> None:
    """No header in the first rows of the chosen sheet but cells further down: the sheet is not empty, its
    header is missing (the rows past those buffered are read before saying which)."""
    path = _book(tmp_path / "low.xlsx", {"A400": "Patient", "B400": "Amount", "A401": "x", "B401": 3})
    with pytest.raises(InputFileError, match="no procedure code column"):
        read_charges(path, sheet="Sheet")
    empty = _book(tmp_path / "empty.xlsx", {"A1": None})
    with pytest.raises(InputFileError, match="no data"):
        read_charges(empty, sheet="Sheet")
