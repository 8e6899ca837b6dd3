"""What every sheet of the audit workbook shares: titled tables with number formats and a filter, widths
that fit, frozen headers and the print set-up (report.xlsx does the cells)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.report.xlsx import HEADER_FILL, data_rows, fit_widths, header_row, print_setup

BOLD = Font(name="Calibri", size=11, bold=True)  # a Font without a name prints in a serif fallback
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_WRAP = Alignment(wrap_text=True, vertical="center")
TOP = Alignment(vertical="top")
FLAG_FILL = PatternFill("solid", fgColor="FFE699")


def table(
    ws: Worksheet,
    row: int,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: Sequence[str | None] | None = None,
    autofilter: bool = True,
) -> int:
    """A header (grey, bold) and rows from `row`, each column in its number format, the sheet's filter over
    the first table; returns the next free row."""
    header_row(ws, row, headers, font=BOLD, fill=HEADER_FILL)
    for cell in ws[row][: len(headers)]:  # long titles on two lines: the columns fit their numbers
        cell.alignment = HEADER_WRAP
    data_rows(ws, row + 1, rows, formats)
    for cells in ws.iter_rows(min_row=row + 1, max_row=row + len(rows), max_col=len(headers)):
        for cell in cells:  # every value at the top of its row: a wrapped neighbour makes the row taller
            cell.alignment = TOP
    if autofilter and not ws.auto_filter.ref:
        ws.auto_filter.ref = f"A{row}:{get_column_letter(len(headers))}{row + max(len(rows), 1)}"
    return row + len(rows) + 2


def finish(
    ws: Worksheet,
    title_rows: int | None = 1,
    fixed: Mapping[str, float] | None = None,
    freeze: str | None = "A2",
) -> None:
    """Widths that fit, frozen header, print set-up; `fixed`: wrapped long-text columns."""
    fit_widths(ws, fixed=fixed)
    if freeze:
        ws.freeze_panes = freeze
    print_setup(ws, title_rows=title_rows)
