"""The annotated copy's "Documentation" sheet: the lines that need an attachment or a report before they are
billed, what the record must show and on what authority (the requirements refdata.documentation generates
from each line's fee-schedule indicators, code family and modifiers).

A plain openpyxl worksheet made with report/xlsx.py's writers (every text cell through put_text: an export's
text is shown, never run), independent of the charge sheet, so any copy writer can add it.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.annotate.plan import DocumentationRow
from rvucheck.report.summary import sheet_prefix
from rvucheck.report.xlsx import HEADER_FILL, bold_font, header_row, put, put_text, set_widths, unique_title

TITLE = "Documentation"
COLUMNS = (
    "Cell", "Row", "Code", "Modifiers", "Provider", "Date of service", "Needs", "Why",
    "What the record must show", "Source", "On file", "Note status",
)  # fmt: skip
WIDTHS = (12, 6, 8, 10, 16, 15, 12, 24, 64, 46, 8, 12)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTRED = Alignment(horizontal="center", vertical="top")
NEEDS_FILL = {
    "attachment": PatternFill("solid", fgColor="FCE4D6"),
    "report": PatternFill("solid", fgColor="FFF2CC"),
}


def write_documentation_sheet(
    wb: Workbook, rows: Sequence[DocumentationRow], link_to_cells: bool = True
) -> Worksheet | None:
    """The sheet, after the workbook's others; none when no line needs an attachment or a report."""
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
    for number, item in enumerate(rows, start=5):
        _write_row(ws, number, item, link_to_cells)
    set_widths(ws, WIDTHS)
    ws.freeze_panes = "A5"
    ws.auto_filter.ref = f"A4:{get_column_letter(len(COLUMNS))}{len(rows) + 4}"
    ws.sheet_view.zoomScale = 90
    ws.print_title_rows = "4:4"  # printed, every page repeats the column titles, landscape, one page wide
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _write_row(ws: Worksheet, number: int, item: DocumentationRow, link_to_cells: bool) -> None:
    address = f"{get_column_letter(item.column)}{item.row}"
    cell = put_text(ws, number, 1, f"{sheet_prefix(item.sheet)}{address}")
    if link_to_cells:
        cell.hyperlink = Hyperlink(ref=f"A{number}", location=f"{quote_sheetname(item.sheet)}!{address}")
        cell.style = "Hyperlink"
    cell.alignment = TOP
    values = (
        item.row, item.hcpcs, item.modifiers, item.provider, item.dos, item.needs.capitalize(),
        item.trigger, item.text, item.source, item.on_file, item.note_status,
    )  # fmt: skip
    for column, value in enumerate(values, start=2):
        written = put(ws, number, column, value, "yyyy-mm-dd" if column == 6 else None)
        written.alignment = (
            WRAP if column in (8, 9, 10) else CENTRED if column in (2, 3, 4, 6, 7, 11) else TOP
        )
    ws.cell(number, 7).fill = NEEDS_FILL.get(item.needs, PatternFill())
    if item.on_file == "no":
        ws.cell(number, 11).font = bold_font(ws, color="C00000")
