"""A side sheet's data rows kept out of openpyxl's object model and written as XML into the copy's part.

The Findings and Documentation sheets of a large month hold tens of thousands of rows: made as openpyxl
cells, saved and then grafted (styles renumbered by regex), they cost most of the annotated copy's time
(100k lines: 8,000 findings and 11,000 documentation rows took 9 s of 13). openpyxl still writes each sheet's
frame (titles, header row, widths, frozen panes, filter, table, notes, print set-up, with the ranges over
every row); the rows are described here with openpyxl's own style arrays, whose ids in the side workbook
(`wb._cell_styles`, the order openpyxl writes cellXfs in) the graft maps into the copy's styles.xml, and
rendered straight into the sheet's part (annotate.stream.graft). Text is made safe as report/xlsx.py does
(control characters shown as `?`, cut at Excel's limit, formula-like text quote-prefixed).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.report.formula_text import looks_like_formula
from rvucheck.report.xlsx import clean_text

_T = TypeVar("_T")
# one cell: (column, value, style id in the side workbook, the location its link goes to or "")
LateCell = tuple[int, object, int, str]
RENDER_BATCH = 1000  # rows per chunk handed to the compressor


@dataclass(frozen=True)
class LateRows:
    """Rows `first`..`first + count - 1` of the side sheet titled `title`; `cells()` gives each row's cells
    (made when the copy is written, never held all at once)."""

    title: str
    first: int
    count: int
    cells: Callable[[], Iterable[list[LateCell]]]
    epoch: dt.datetime


@dataclass(frozen=True)
class Side:
    """The side workbook: its saved bytes and the data rows its sheets leave out."""

    data: bytes
    late: list[LateRows]


class Styles:
    """Side-workbook style ids of prepared style arrays, each with a quote-prefixed twin for formula-like
    text. Every id is registered when `of` is called, before the side workbook is saved: its styles.xml is
    written then, and the rows are rendered after."""

    def __init__(self, ws: Worksheet) -> None:
        self.wb: Workbook = ws.parent
        self.ws = ws
        self.quoted: dict[int, int] = {}

    def of(self, style: StyleArray) -> int:
        style_id = int(self.wb._cell_styles.add(style))
        if style_id not in self.quoted:
            probe = Cell(self.ws, style_array=StyleArray(style))
            probe.quotePrefix = True
            self.quoted[style_id] = int(self.wb._cell_styles.add(probe._style))
        return style_id

    def text(self, style_id: int, value: object) -> tuple[str, int]:
        """The text a cell shows and its style id (the quoted twin when Excel would run the text)."""
        text = clean_text(value)
        return (text, self.quoted[style_id]) if looks_like_formula(text) else (text, style_id)


def render(late: LateRows, mapping: Callable[[int], int], links: list[bytes]) -> Iterator[bytes]:
    """The rows' XML, a batch of rows at a time, style ids mapped into the copy's styles; their hyperlink
    elements are added to `links` as the rows are made (the sheet's tail, written after them, holds them).
    Made as the copy is written, never all at once: 1,000,000 lines' Findings and Documentation sheets
    rendered whole held ~600 MB."""
    batch: list[str] = []
    for number, cells in enumerate(late.cells(), start=late.first):
        batch.append(_row(number, cells, mapping, links, late.epoch))
        if len(batch) == RENDER_BATCH:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def _row(number: int, cells: list[LateCell], mapping: Callable[[int], int], links: list[bytes],
         epoch: dt.datetime) -> str:  # fmt: skip
    parts = [f'<row r="{number}">']
    for column, value, style, link in cells:
        address = f"{get_column_letter(column)}{number}"
        parts.append(_cell(address, mapping(style), value, epoch))
        if link:
            links.append(f'<hyperlink ref="{address}" location={quoteattr(link)}/>'.encode())
    parts.append("</row>")
    return "".join(parts)


def _cell(address: str, style: int, value: object, epoch: dt.datetime) -> str:
    if value is None or value == "":
        return f'<c r="{address}" s="{style}"/>'
    if isinstance(value, bool):
        return f'<c r="{address}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date | dt.datetime | dt.time):
        value = to_excel(value, epoch)
    if isinstance(value, int | float) and (not isinstance(value, float) or math.isfinite(value)):
        return f'<c r="{address}" s="{style}"><v>{value!r}</v></c>'
    text = value if isinstance(value, str) else clean_text(value)
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    return f'<c r="{address}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def rows_of(
    items: Iterable[_T], make: Callable[[_T], list[LateCell]]
) -> Callable[[], Iterator[list[LateCell]]]:
    """`cells` for LateRows: each item's cells, made as the rows are written."""
    return lambda: (make(item) for item in items)


def write_rows(ws: Worksheet, late: LateRows) -> None:
    """The same rows as openpyxl cells (a workbook that is not grafted into a streamed copy)."""
    styles = ws.parent._cell_styles
    for number, cells in enumerate(late.cells(), start=late.first):
        for column, value, style, link in cells:
            cell = Cell(ws, row=number, column=column, style_array=StyleArray(styles[style]))
            if isinstance(value, str):
                cell._value, cell.data_type = value, "s"  # text stays text (never a formula)
            else:
                cell.value = value
            if link:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link)
            ws._cells[(number, column)] = cell
