"""The annotated copy's "Documentation" sheet: the lines that need an attachment or a report before they are
billed, what the record must show and on what authority (the requirements refdata.documentation generates
from each line's fee-schedule indicators, code family and modifiers).

A plain openpyxl worksheet made with report/xlsx.py's writers (every text cell through put_text: an export's
text is shown, never run), independent of the charge sheet, so any copy writer can add it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.annotate.late_rows import LateCell, LateRows, Styles, rows_of, write_rows
from rvucheck.annotate.plan import DocumentationRow
from rvucheck.report.summary import sheet_prefix
from rvucheck.report.xlsx import HEADER_FILL, bold_font, header_row, put_text, set_widths, unique_title

TITLE = "Documentation"
COLUMNS = (
    "Cell", "Row", "Code", "Modifiers", "Provider", "Date of service", "Needs", "Why",
    "What the record must show", "Source", "On file", "Note status",
)  # fmt: skip
WIDTHS = (12, 6, 8, 10, 16, 15, 12, 24, 64, 46, 8, 12)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTRED = Alignment(horizontal="center", vertical="top")
CENTRED_COLUMNS = (2, 3, 4, 6, 7, 11)
NEEDS_FILL = {
    "attachment": PatternFill("solid", fgColor="FCE4D6"),
    "report": PatternFill("solid", fgColor="FFF2CC"),
}


def write_documentation_sheet(
    wb: Workbook,
    rows: Sequence[DocumentationRow],
    link_to_cells: bool = True,
    late: list[LateRows] | None = None,
) -> Worksheet | None:
    """The sheet, after the workbook's others; none when no line needs an attachment or a report. The data
    rows go to `late` (written as XML into the copy: annotate.late_rows); without it, into the sheet."""
    if not rows:
        return None
    ws = wb.create_sheet(unique_title(wb, TITLE))
    put_text(ws, 1, 1, "Documentation needed before billing").font = bold_font(ws, 14)
    lines = len({(r.sheet, r.row, r.column) for r in rows})
    attachments = sum(1 for r in rows if r.needs == "attachment")
    summary = (
        f"{lines:,} line{'s' if lines != 1 else ''} need a report or an attachment on hand before the claim "
        f"goes out ({attachments:,} attachment{'s' if attachments != 1 else ''}). Generated from each line's "
        "fee-schedule indicators, code family and modifiers; 'On file' is the export's attachment flag."
    )
    put_text(ws, 2, 1, summary)
    header_row(ws, 4, COLUMNS, fill=HEADER_FILL)
    make = _row_maker(ws, rows, link_to_cells)
    data = LateRows(ws.title, 5, len(rows), rows_of(rows, make), wb.epoch)
    if late is not None:
        late.append(data)
    else:
        write_rows(ws, data)
    set_widths(ws, WIDTHS)
    ws.freeze_panes = "A5"
    ws.auto_filter.ref = f"A4:{get_column_letter(len(COLUMNS))}{len(rows) + 4}"
    ws.sheet_view.zoomScale = 90
    ws.print_title_rows = "4:4"  # printed, every page repeats the column titles, landscape, one page wide
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _row_maker(
    ws: Worksheet, rows: Sequence[DocumentationRow], link_to_cells: bool
) -> Callable[[DocumentationRow], list[LateCell]]:
    """Each row's cells, with a style id per look (alignment, date format, fill, red font), all made now:
    the workbook's styles are written before the rows are."""
    styles = Styles(ws)

    def look(column: int, needs: str, on_file: str) -> int:
        probe = Cell(ws)
        if column == 1 and link_to_cells:
            probe.style = "Hyperlink"
        probe.alignment = WRAP if column in (8, 9, 10) else CENTRED if column in CENTRED_COLUMNS else TOP
        if column == 6:
            probe.number_format = "yyyy-mm-dd"
        if column == 7:
            probe.fill = NEEDS_FILL.get(needs, PatternFill())
        if column == 11 and on_file == "no":
            probe.font = bold_font(ws, color="C00000")
        return styles.of(probe._style)

    kinds = {(item.needs, item.on_file == "no") for item in rows}
    looks = {
        (needs, red): [look(column, needs, "no" if red else "") for column in range(1, len(COLUMNS) + 1)]
        for needs, red in kinds
    }

    def make(item: DocumentationRow) -> list[LateCell]:
        address = f"{get_column_letter(item.column)}{item.row}"
        link = f"{quote_sheetname(item.sheet)}!{address}" if link_to_cells else ""
        values = (
            f"{sheet_prefix(item.sheet)}{address}", item.row, item.hcpcs, item.modifiers, item.provider,
            item.dos, item.needs.capitalize(), item.trigger, item.text, item.source, item.on_file,
            item.note_status,
        )  # fmt: skip
        own = looks[(item.needs, item.on_file == "no")]
        cells: list[LateCell] = []
        for column, value in enumerate(values, start=1):
            style = own[column - 1]
            if isinstance(value, str):
                value, style = styles.text(style, value)
            cells.append((column, value, style, link if column == 1 else ""))
        return cells

    return make
