"""The Findings and Summary sheets (with native Excel charts) added to the annotated copy or report workbook.

Every piece of text that comes from the input or from findings is written as a string cell with Excel's
quote prefix, so a value like "=HYPERLINK(...)" from an export is shown, never run (formula injection).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from copy import copy

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.annotate_plan import FindingRow
from rvucheck.report import SEVERITIES, Summary, sheet_prefix

SEVERITY_FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),
    "warning": PatternFill("solid", fgColor="FFEB9C"),
    "info": PatternFill("solid", fgColor="DDEBF7"),
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
TITLE_FONT = Font(bold=True, size=14)
MAX_NOTES = 8


def put_text(ws: Worksheet, row: int, column: int, value: object) -> None:
    """A cell that shows `value` as text and can never become a live formula."""
    cell = ws.cell(row=row, column=column)
    text = "" if value is None else str(value)
    cell.value = text
    cell.data_type = "s"
    if text[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True


def put(ws: Worksheet, row: int, column: int, value: object, number_format: str | None = None) -> None:
    if isinstance(value, str):
        put_text(ws, row, column, value)
        return
    cell = ws.cell(row=row, column=column, value=value)
    if number_format:
        cell.number_format = number_format


def unique_title(wb: Workbook, wanted: str) -> str:
    names = {name.casefold() for name in wb.sheetnames}
    if wanted.casefold() not in names:
        return wanted
    for number in range(2, 100):
        candidate = f"{wanted} ({number})"
        if candidate.casefold() not in names:
            return candidate
    raise ValueError(f"too many sheets named {wanted}")


def _header(ws: Worksheet, row: int, titles: Sequence[str]) -> None:
    for column, title in enumerate(titles, start=1):
        put_text(ws, row, column, title)
        cell = ws.cell(row=row, column=column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


FINDINGS_COLUMNS = (
    "Cell", "Row", "Code", "Modifiers", "Rule", "Severity", "Message", "Fix", "Reference",
    "$ at stake", "wRVU at stake",
)  # fmt: skip


def write_findings_sheet(wb: Workbook, findings: list[FindingRow], link_to_cells: bool) -> Worksheet:
    """One row per finding (already in severity order), its cell address linked to the cell.

    Thousands of rows: cells are made directly with prepared styles (the styled API costs 3x as much)."""
    ws = wb.create_sheet(unique_title(wb, "Findings"))
    _header(ws, 1, FINDINGS_COLUMNS)
    cells = ws._cells
    styles = _prepared_styles(ws)

    def text(row: int, column: int, value: str, style: str = "plain") -> None:
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
        quoted = value[:1] in ("=", "+", "-", "@")
        cell = Cell(ws, row=row, column=column, style_array=styles["quoted" if quoted else style])
        cell._value, cell.data_type = value, "s"
        cells[(row, column)] = cell

    def number(row: int, column: int, value: float | None, style: str) -> None:
        if value is not None:
            cell = Cell(ws, row=row, column=column, style_array=styles[style])
            cell._value, cell.data_type = value, "n"
            cells[(row, column)] = cell

    for row, item in enumerate(findings, start=2):
        sheet, line_row, column, hcpcs, modifiers, rule, severity, message, fix, ref, dollars, wrvu = item
        address = f"{get_column_letter(column)}{line_row}"
        text(row, 1, f"{sheet_prefix(sheet)}{address}", "link" if link_to_cells else "plain")
        if link_to_cells:
            cells[(row, 1)].hyperlink = Hyperlink(
                ref=f"A{row}", location=f"{quote_sheetname(sheet)}!{address}"
            )
        number(row, 2, line_row, "plain")
        for column_number, value in ((3, hcpcs), (4, modifiers), (5, rule), (7, message), (8, fix), (9, ref)):
            text(row, column_number, value)
        text(row, 6, severity, severity)
        number(row, 10, dollars, "money")
        number(row, 11, wrvu, "rvu")
    for letter, width in zip("ABCDEFGHIJK", (18, 7, 8, 10, 8, 9, 70, 50, 40, 11, 11), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    if findings:
        ws.auto_filter.ref = f"A1:K{len(findings) + 1}"
    return ws


def _prepared_styles(ws: Worksheet) -> dict[str, StyleArray]:
    """Style arrays for the Findings sheet, made once through the styled API on probe cells."""
    probes: dict[str, Cell] = {
        name: Cell(ws) for name in ("plain", "quoted", "link", "money", "rvu", *SEVERITY_FILLS)
    }
    probes["quoted"].quotePrefix = True
    probes["link"].style = "Hyperlink"
    probes["money"].number_format = '"$"#,##0.00'
    probes["rvu"].number_format = "0.00"
    for severity, fill in SEVERITY_FILLS.items():
        probes[severity].fill = copy(fill)
    return {
        name: probe._style if probe._style is not None else StyleArray() for name, probe in probes.items()
    }


def _table(
    ws: Worksheet,
    row: int,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: Sequence[str | None],
) -> tuple[int, int]:
    """A titled block of rows; returns (first data row, last data row)."""
    put_text(ws, row, 1, title)
    ws.cell(row=row, column=1).font = Font(bold=True, size=12)
    _header(ws, row + 1, headers)
    for offset, values in enumerate(rows, start=row + 2):
        for column, (value, number_format) in enumerate(zip(values, formats, strict=True), start=1):
            put(ws, offset, column, value, number_format)
    return row + 2, row + 1 + len(rows)


def _bar_chart(
    ws: Worksheet,
    title: str,
    y_title: str,
    data_cols: tuple[int, int],
    first: int,
    last: int,
    anchor: str,
    stacked: bool = False,
) -> None:
    if last < first:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.title = y_title
    chart.height, chart.width = 7.5, 16
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    data = Reference(ws, min_col=data_cols[0], max_col=data_cols[1], min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    ws.add_chart(chart, anchor)


def write_summary_sheet(
    wb: Workbook, summary: Summary, source: str, copy_note: str = "", generated: dt.datetime | None = None
) -> Worksheet:
    ws = wb.create_sheet(unique_title(wb, "Summary"))
    put_text(ws, 1, 1, "rvucheck summary")
    ws.cell(row=1, column=1).font = TITLE_FONT
    facts: list[tuple[str, object, str | None]] = [
        ("File", source, None),
        ("Checked on", (generated or dt.datetime.now()).strftime("%Y-%m-%d %H:%M"), None),
        ("PFS release used", summary.release or "none installed", None),
        ("NCCI quarter used", summary.ncci_quarter or "none installed", None),
        ("Lines read", summary.lines, "#,##0"),
        ("Lines checked", summary.checked, "#,##0"),
        ("Lines unreadable", summary.unreadable, "#,##0"),
        ("Totals rows (not checked)", len(summary.totals_rows), "#,##0"),
        ("Blank rows", summary.blank_rows, "#,##0"),
        ("Hidden rows (checked)", len(summary.hidden_rows), "#,##0"),
        ("Work RVU", summary.work_rvu, "#,##0.00"),
        ("Credited work RVU", summary.credited_work_rvu, "#,##0.00"),
        ("Est. payment", summary.payment, '"$"#,##0.00'),
        ("$ at stake (each line once)", summary.dollars_at_stake, '"$"#,##0.00'),
        *[(f"Findings: {s}", summary.findings[s], "#,##0") for s in SEVERITIES],
    ]
    row = 3
    for label, value, number_format in facts:
        put_text(ws, row, 1, label)
        ws.cell(row=row, column=1).font = HEADER_FONT
        put(ws, row, 2, value, number_format)
        row += 1
    notes = [f"Note: {n}" for n in summary.notes[:MAX_NOTES]]
    if len(summary.notes) > MAX_NOTES:
        notes.append(
            f"... and {len(summary.notes) - MAX_NOTES} more notes like these (see the Findings sheet)"
        )
    for note in ([copy_note] if copy_note else []) + notes:
        put_text(ws, row, 1, note)
        ws.cell(row=row, column=1).font = Font(bold=True, color="9C0006")
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=False)
        row += 1
    row += 1
    money, rvu, count = '"$"#,##0.00', "#,##0.00", "#,##0"
    provider_rows = [
        (
            p.provider,
            p.lines,
            p.work_rvu,
            p.credited_work_rvu,
            p.payment,
            p.dollars_at_stake,
            *[p.findings[s] for s in SEVERITIES],
        )
        for p in summary.providers
    ]
    first, last = _table(
        ws,
        row,
        "By provider",
        ("Provider", "Lines", "Work RVU", "Credited wRVU", "Est. payment", "$ at stake", "Errors", "Warnings",
         "Info"),
        provider_rows,
        (None, count, rvu, rvu, money, money, count, count, count),
    )  # fmt: skip
    _bar_chart(ws, "Work RVU by provider", "wRVU", (3, 4), first, last, "K3")
    _bar_chart(ws, "Findings by provider", "findings", (7, 9), first, last, "K19", stacked=True)
    row = last + 3
    rule_rows = [
        (r.rule, r.count, r.severity, r.dollars_at_stake, r.wrvu_at_stake, r.example) for r in summary.rules
    ]
    first, last = _table(
        ws,
        row,
        "Findings per rule",
        ("Rule", "Findings", "Severity", "$ at stake", "wRVU at stake", "Example"),
        rule_rows,
        (None, count, None, money, rvu, None),
    )
    _bar_chart(ws, "Findings per rule", "findings", (2, 2), first, min(last, first + 14), "K35")
    row = last + 3
    code_rows = [(c.hcpcs, c.lines, c.units, c.work_rvu, c.payment) for c in summary.top_codes_by_wrvu]
    first, last = _table(
        ws,
        row,
        "Top codes by work RVU",
        ("Code", "Lines", "Units", "Work RVU", "Est. payment"),
        code_rows,
        (None, count, "#,##0", rvu, money),
    )
    _bar_chart(ws, "Top codes by work RVU", "wRVU", (4, 4), first, last, "K51")
    row = last + 3
    code_rows = [(c.hcpcs, c.lines, c.units, c.work_rvu, c.payment) for c in summary.top_codes_by_payment]
    first, last = _table(
        ws,
        row,
        "Top codes by est. payment",
        ("Code", "Lines", "Units", "Work RVU", "Est. payment"),
        code_rows,
        (None, count, "#,##0", rvu, money),
    )
    _bar_chart(ws, "Top codes by est. payment", "$", (5, 5), first, last, "K67")
    for column, width in zip("ABCDEFGH", (30, 12, 12, 14, 14, 10, 10, 60), strict=True):
        ws.column_dimensions[get_column_letter(ord(column) - 64)].width = width
    return ws
