"""The charge sheet of the annotated copy: appended result columns (headers, styles, widths), row fills by
worst severity, a note on each offending cell, and a filter over the data. The result cells themselves are
rendered as XML per row (inject.render_cell: inline strings, never formulas) for `inject_rows`."""

from __future__ import annotations

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.annotate.inject import render_cell
from rvucheck.annotate.plan import Annotations
from rvucheck.report.xlsx import HEADER_FILL, MONEY, SEVERITY_FILLS, bold_font, put_text, sized_note

APPENDED = (  # title, number format, alignment, width (room for the title and the filter button)
    ("Work RVU", "0.00", None, 12),
    ("Credited wRVU", "0.00", None, 16),
    ("Total RVU", "0.00", None, 12),
    ("Est. Payment", MONEY, None, 15),
    ("Global", None, "center", 9),
    ("Status", None, "center", 9),
    ("Severity", None, "center", 11),
    ("Findings", None, "wrap", 80),  # several findings on a line wrap inside the cell, not over the sheet
)
ALIGNMENTS = {"center": Alignment(horizontal="center"), "wrap": Alignment(wrap_text=True)}


class _Styles:
    """StyleArrays built once and shared: creating 800k cells through the styled API is the slow part."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.formats: dict[str, StyleArray] = {}
        self.filled: dict[tuple[tuple[int, ...], str], StyleArray] = {}
        self.fill_ids = {s: ws.parent._fills.add(fill) for s, fill in SEVERITY_FILLS.items()}

    def for_format(self, number_format: str | None, align: str | None = None) -> StyleArray:
        key = f"{number_format}|{align}"
        if key not in self.formats:
            probe = Cell(self.ws)
            if number_format:
                probe.number_format = number_format
            if align:
                probe.alignment = ALIGNMENTS[align]
            self.formats[key] = probe._style if probe._style is not None else StyleArray()
        return self.formats[key]

    def style_id(self, style: StyleArray) -> int:
        """The workbook's index for this style (added now, so it is written with the workbook)."""
        return int(self.ws.parent._cell_styles.add(style))

    def with_fill(self, style: StyleArray | None, severity: str) -> StyleArray:
        style = style if style is not None else StyleArray()
        key = (tuple(style), severity)
        if key not in self.filled:
            filled = StyleArray(style)
            filled.fillId = self.fill_ids[severity]
            self.filled[key] = filled
        return self.filled[key]


def annotate_charge_sheet(ws: Worksheet, annotations: Annotations) -> dict[int, bytes]:
    """Append the result columns (headers, fills, notes, filter through openpyxl; the data cells rendered
    as XML per row for `inject_rows`, see annotate.inject)."""
    first = max(ws.max_column, annotations.header_count) + 1
    styles = _Styles(ws)
    # The new headers look like the export's own (its last header cell), or bold on grey when it has no style.
    own = ws._cells.get((annotations.header_row, first - 1))
    own_style = own._style if own is not None and (own.font.b or own.fill.fill_type) else None
    for offset, (title, *_rest) in enumerate(APPENDED):
        header = put_text(ws, annotations.header_row, first + offset, title)
        if own_style is not None:
            header._style = StyleArray(own_style)
        else:
            header.font = bold_font(ws)
            header.fill = HEADER_FILL
    formats = [styles.for_format(fmt, align) for _t, fmt, align, _w in APPENDED]
    letters = [get_column_letter(first + offset) for offset in range(len(APPENDED))]
    plain_ids = [styles.style_id(style) for style in formats]
    filled_ids: dict[str, list[int]] = {}
    rendered: dict[int, bytes] = {}
    for row, values, severity in annotations.rows:
        if severity and severity not in filled_ids:
            filled_ids[severity] = [styles.style_id(styles.with_fill(style, severity)) for style in formats]
        ids = filled_ids[severity] if severity else plain_ids
        rendered[row] = "".join(
            render_cell(f"{letters[offset]}{row}", ids[offset], value)
            for offset, value in enumerate(values)
            if value is not None and value != ""
        ).encode()
        if severity:
            _fill_row(ws, row, first - 1, severity, styles)
    for row in annotations.totals_rows:
        put_text(ws, row, first + 7, "totals row: reported, not checked")
    _add_notes(ws, annotations.notes)
    _widths(ws, first)
    _filter(ws, annotations.header_row, annotations.last_row, first + len(APPENDED) - 1)
    return rendered


def _fill_row(ws: Worksheet, row: int, last_column: int, severity: str, styles: _Styles) -> None:
    cells = ws._cells
    for column in range(1, last_column + 1):
        cell = cells.get((row, column))
        if cell is None:
            cell = Cell(ws, row=row, column=column)
            cells[(row, column)] = cell
        cell._style = styles.with_fill(cell._style, severity)


def _add_notes(ws: Worksheet, notes: dict[tuple[int, int], list[str]]) -> None:
    for (row, column), paragraphs in notes.items():
        text = "\n".join(paragraphs)
        cell = ws.cell(row=row, column=column)
        if cell.comment is not None:  # keep the user's own note, ours below it
            text = f"{cell.comment.text}\n---\n{text}"
        cell.comment = sized_note(text)


def _widths(ws: Worksheet, first: int) -> None:
    for offset, (*_rest, width) in enumerate(APPENDED):
        ws.column_dimensions[get_column_letter(first + offset)].width = width


def _filter(ws: Worksheet, header_row: int, last_row: int, last_column: int) -> None:
    """An autofilter over header + charge rows, unless a table already covers them (it has its own)."""
    for table in ws.tables.values():
        _min_col, min_row, _max_col, max_row = range_boundaries(table.ref)
        if min_row <= header_row <= (max_row or min_row):
            return
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(last_column)}{max(last_row, header_row)}"
