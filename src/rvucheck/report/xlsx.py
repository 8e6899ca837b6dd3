"""The one safe workbook toolkit every output writes its cells with (annotated copy, audit, templates).

Text is data, never code: a string from an export, a finding or a file name is always written as a text
cell, value unchanged, and one that Excel would run if it were typed in (`=2+3`, `+cmd|' /C calc'!A0`,
`@SUM(1,1)`, a leading tab) gets Excel's quote prefix too, so editing the cell keeps it text. openpyxl
turns any str starting with "=" into a formula; here only a `Formula` value becomes one, so the formulas
the project writes on purpose (template, procedure log) say so where they are written.

Also the pieces the writers share: header rows, fills, fonts, number formats, column widths, sheet titles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.report.formula_text import looks_like_formula

MAX_CELL_CHARS = 32767  # Excel's limit; longer text makes a workbook Excel must repair
# Dynamic Data Exchange: `cmd|' /C calc'!A0` runs a program when evaluated, with or without a lead.

MONEY = '"$"#,##0.00'
RVU = "#,##0.00"
COUNT = "#,##0"
DATE = "yyyy-mm-dd"
SEVERITY_FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),
    "warning": PatternFill("solid", fgColor="FFEB9C"),
    "info": PatternFill("solid", fgColor="DDEBF7"),
}
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")


@dataclass(frozen=True)
class Formula:
    """A formula the project writes on purpose (`=SUM(I7:I46)`); plain strings never become one."""

    text: str

    def __post_init__(self) -> None:
        if not self.text.startswith("="):
            raise ValueError(f"a formula starts with '=': {self.text!r}")


def clean_text(value: object) -> str:
    """The text a cell can hold: control characters XML forbids shown as `?` (visibly: a removed character
    would silently join two values), cut at Excel's limit."""
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("?", text)[:MAX_CELL_CHARS]


def put_text(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """A cell that shows `value` as text and can never become a live formula."""
    cell = ws.cell(row=row, column=column)
    text = clean_text(value)
    cell._value = text  # not `.value =`: openpyxl makes "=..." a formula there
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def put(ws: Worksheet, row: int, column: int, value: object, number_format: str | None = None) -> Cell:
    """Any plain value: text via `put_text`, a `Formula` as a formula, numbers, dates, booleans, None."""
    if isinstance(value, str):
        cell = put_text(ws, row, column, value)
    elif isinstance(value, Formula):
        cell = ws.cell(row=row, column=column)
        cell.value = value.text
    else:
        cell = ws.cell(row=row, column=column, value=value)
    if number_format:
        cell.number_format = number_format
    return cell


def put_at(ws: Worksheet, coordinate: str, value: object, number_format: str | None = None) -> Cell:
    """`put` by A1 address (`put_at(ws, "B4", locality)`)."""
    cell = ws[coordinate]
    return put(ws, cell.row, cell.column, value, number_format)


def text_cell(
    ws: Worksheet, row: int, column: int, value: object, style: StyleArray, quoted: StyleArray
) -> Cell:
    """The fast path for large sheets: a text cell made directly with a prepared style (the styled API
    costs three times as much), `quoted` (the same style with the quote prefix) for formula-like text."""
    text = clean_text(value)
    cell = Cell(ws, row=row, column=column, style_array=quoted if looks_like_formula(text) else style)
    cell._value, cell.data_type = text, "s"
    ws._cells[(row, column)] = cell
    return cell


def number_cell(ws: Worksheet, row: int, column: int, value: float | None, style: StyleArray) -> None:
    """The fast path's number cell (nothing written for None)."""
    if value is not None:
        cell = Cell(ws, row=row, column=column, style_array=style)
        cell._value, cell.data_type = value, "n"
        ws._cells[(row, column)] = cell


def append_values(ws: Worksheet, values: Iterable[object]) -> None:
    """`ws.append` for values from an export: blanks stay empty, text goes through `put_text` (never a
    formula, control characters shown as `?`), numbers and dates as they are."""
    row = [None if value == "" else value for value in values]
    ws.append([None if isinstance(value, str) else value for value in row])
    row_number = ws.max_row
    for column, value in enumerate(row, start=1):
        if isinstance(value, str):
            put_text(ws, row_number, column, value)


def bold_font(ws: Worksheet, size: float | None = None, color: str | None = None) -> Font:
    """The workbook's own body font, bold: a Font without a name shows in a fallback (serif) face."""
    base = ws.parent._fonts[0] if ws.parent._fonts else Font()
    return Font(name=base.name or "Calibri", size=size or base.sz or 11, bold=True, color=color)


def header_row(
    ws: Worksheet,
    row: int,
    titles: Sequence[str],
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> None:
    """Column titles from column A: bold (the workbook's font unless `font`), on `fill` when given."""
    font = font or bold_font(ws)
    for column, title in enumerate(titles, start=1):
        cell = put_text(ws, row, column, title)
        cell.font = font
        if fill is not None:
            cell.fill = fill


def data_rows(
    ws: Worksheet,
    first_row: int,
    rows: Sequence[Sequence[object]],
    formats: Sequence[str | None] | None = None,
) -> int:
    """Rows of plain values from column A, each column with its number format; returns the last row."""
    for row_number, values in enumerate(rows, start=first_row):
        for column, value in enumerate(values, start=1):
            number_format = formats[column - 1] if formats and column <= len(formats) else None
            put(ws, row_number, column, value, number_format)
    return first_row + len(rows) - 1


def set_widths(ws: Worksheet, widths: Mapping[str, float] | Sequence[float]) -> None:
    """Column widths by letter (`{"A": 30}`) or in order from column A."""
    items = (
        widths.items()
        if isinstance(widths, Mapping)
        else ((get_column_letter(index), width) for index, width in enumerate(widths, start=1))
    )
    for letter, width in items:
        ws.column_dimensions[letter].width = width


def unique_title(wb: Workbook, wanted: str) -> str:
    """`wanted`, or `wanted (2)` ... when the workbook already has a sheet of that name."""
    names = {name.casefold() for name in wb.sheetnames}
    if wanted.casefold() not in names:
        return wanted
    for number in range(2, 100):
        candidate = f"{wanted} ({number})"
        if candidate.casefold() not in names:
            return candidate
    raise ValueError(f"too many sheets named {wanted}")


# A note's box: Excel and LibreOffice show a note in a box of the size stored with it (openpyxl writes
# width/height as CSS px; its default 144 x 79 px holds about four short lines), cutting the rest off. The
# box is sized from the text: a character of the note font (Tahoma 8-9 pt) is about NOTE_CHAR_PX wide, a
# line NOTE_LINE_PX high.
NOTE_MIN_WIDTH_PX, NOTE_MAX_WIDTH_PX = 150, 420
NOTE_CHAR_PX = 6.2
NOTE_LINE_PX = 15
NOTE_MAX_HEIGHT_PX = 900
NOTE_PADDING_PX = 20
NOTE_MAX_CHARS = 32000


def note_size(text: str) -> tuple[int, int]:
    """(width, height) in px of a note box that shows `text` whole: as narrow as its longest line allows
    up to NOTE_MAX_WIDTH_PX, then as tall as its wrapped lines need (up to NOTE_MAX_HEIGHT_PX)."""
    paragraphs = text.split("\n")
    longest = max(len(p) for p in paragraphs)
    width = min(NOTE_MAX_WIDTH_PX, max(NOTE_MIN_WIDTH_PX, round(longest * NOTE_CHAR_PX) + NOTE_PADDING_PX))
    per_line = max(1, int((width - NOTE_PADDING_PX) / NOTE_CHAR_PX))
    lines = sum(max(1, math.ceil(len(p) / per_line)) for p in paragraphs)
    return width, min(NOTE_MAX_HEIGHT_PX, lines * NOTE_LINE_PX + NOTE_PADDING_PX)


def sized_note(text: object, author: str = "rvucheck") -> Comment:
    """A cell note (comment) whose box fits its text: see `note_size`."""
    body = clean_text(text)[:NOTE_MAX_CHARS]
    comment = Comment(body, author)
    comment.width, comment.height = note_size(body)
    return comment


def print_setup(
    ws: Worksheet,
    title_rows: int | tuple[int, int] | None = 1,
    area: str | None = None,
    landscape: bool = True,
) -> None:
    """How a sheet prints: landscape, fit to one page wide (as many pages tall as it takes), the header
    row(s) repeated on every page (`title_rows`: a row number, a (first, last) pair, or None), and a print
    area when given (`A1:K40`; default: the used range, which is what Excel prints anyway). Every output
    sheet (annotated copy, audit, templates) is set up here, so they all print the same way."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: as many pages tall as needed
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = "&A - page &P of &N"
    if title_rows:
        first, last = title_rows if isinstance(title_rows, tuple) else (title_rows, title_rows)
        ws.print_title_rows = f"{first}:{last}"
    if area:
        ws.print_area = area


PERCENT = "0.0%"
FILTER_BUTTON = 3  # characters a header needs beside its filter button


def _shown_length(value: object, number_format: str) -> int:
    """About how many characters a cell shows: its text, or its number as its format writes it."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float):
        if "%" in number_format:
            return len(f"{value:.1%}")
        text = f"{value:,.2f}" if "0.0" in number_format or isinstance(value, float) else f"{value:,}"
        return len(text) + (1 if "$" in number_format else 0)
    if hasattr(value, "isoformat"):
        return 12  # yyyy-mm-dd, right-aligned: room apart from the text beside it
    return max((len(part) for part in str(value).split("\n")), default=0)


def fit_widths(
    ws: Worksheet,
    first_row: int = 1,
    min_width: float = 6,
    max_width: float = 50,
    fixed: Mapping[str, float] | None = None,
) -> None:
    """Column widths that fit what the columns show from `first_row` (headers get room for a filter
    button), between `min_width` and `max_width`; `fixed` widths (long wrapped text) are kept as given."""
    longest: dict[int, int] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None:
                continue
            shown = _shown_length(cell.value, cell.number_format or "")
            if cell.font is not None and cell.font.b:
                if cell.alignment is not None and cell.alignment.wrap_text:  # a header on two lines
                    words = str(cell.value).split()
                    shown = max([math.ceil(shown / 2), *(len(w) for w in words)])
                shown += FILTER_BUTTON
            longest[cell.column] = max(longest.get(cell.column, 0), shown)
    for column, length in longest.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max_width, max(min_width, length + 2))
    for letter, width in (fixed or {}).items():
        ws.column_dimensions[letter].width = width
