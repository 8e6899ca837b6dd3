"""Charge export (.xlsx/.xlsm/.csv) -> ChargeLines, with every row below the header accounted for.

    result = read_charges("charges.xlsx")
    result.lines        # ChargeLine per charge row (checked)
    result.unreadable   # UnreadableLine per non-blank, non-total row that cannot be read (with reason)
    result.totals_rows  # worksheet rows of totals/subtotals (reported, not checked)
    result.blank_rows   # how many blank rows were skipped

The charge sheet is the one whose header row (searched in the first rows: exports put titles above it) maps
the most fields and has a procedure code column; `sheet=` picks one, `mapping=` (field -> header) overrides.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

# The sheet choice and header search (header_search), the row reading (charge_rows) and the result (result)
# are named here too: callers import the reader's public names from this one module.
from rvucheck.read.charge_rows import read_rows
from rvucheck.read.header_search import HEADER_SEARCH_ROWS, FieldMapping, find_header, open_sheet
from rvucheck.read.result import ReadResult
from rvucheck.read.safety import InputInfo, check_input
from rvucheck.read.sources import read_csv_grid

__all__ = [
    "HEADER_SEARCH_ROWS", "FieldMapping", "ReadResult", "find_header", "open_sheet", "read_charges",
    "read_rows",
]  # fmt: skip


def read_charges(
    path: Path | str,
    sheet: str | None = None,
    mapping: FieldMapping | None = None,
    info: InputInfo | None = None,
    keep_grid: bool = False,
) -> ReadResult:
    """`info`: the file's `check_input` result when the caller has validated it already (it is not
    validated again); `keep_grid`: keep the sheet's values in the result (see ReadResult.grid)."""
    info = info if info is not None else check_input(path)
    if info.kind == "x12":  # an 837P: its claims' service lines (a sheet, a mapping and a grid do not apply)
        from rvucheck.read.x12.reader import read_x12

        return ReadResult(**read_x12(info.path))
    if info.kind == "csv":
        grid = read_csv_grid(info.path)
        header_index, column_map = find_header(grid.rows, mapping, info.path, grid.name)
    else:
        grid, header_index, column_map = open_sheet(info, sheet, mapping, streamed=not keep_grid)
    if not keep_grid:
        return read_rows(grid, header_index, column_map, info.kind, consume=True)
    widths = [len(row) for row in grid.rows]
    result = read_rows(grid, header_index, column_map, info.kind)
    for row, width in zip(grid.rows, widths, strict=True):
        del row[width:]  # the line builder pads rows it reads; the kept grid is the sheet as read
    return replace(result, grid=grid.rows)
