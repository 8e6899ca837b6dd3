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
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.annotate.plan import FindingRow
from rvucheck.model import SEVERITIES
from rvucheck.report.formats import Summary, sheet_prefix

SEVERITY_FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),
    "warning": PatternFill("solid", fgColor="FFEB9C"),
    "info": PatternFill("solid", fgColor="DDEBF7"),
}
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
MAX_NOTES = 8
EXAMPLE_CHARS = 60  # the rule table's example stays short of the charts beside it (all text: Findings)


def bold_font(ws: Worksheet, size: float | None = None, color: str | None = None) -> Font:
    """The workbook's own body font, bold: a Font without a name shows in a fallback (serif) face."""
    base = ws.parent._fonts[0] if ws.parent._fonts else Font()
    return Font(name=base.name or "Calibri", size=size or base.sz or 11, bold=True, color=color)


def _short(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1].rstrip() + "…"


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
        cell.font = bold_font(ws)
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
        number(row, 2, line_row, "center")
        for column_number, value in ((3, hcpcs), (4, modifiers), (5, rule)):
            text(row, column_number, value, "center")
        for column_number, value in ((7, message), (8, fix), (9, ref)):
            text(row, column_number, value, "wrap")
        text(row, 6, severity, severity)
        number(row, 10, dollars, "money")
        number(row, 11, wrvu, "rvu")
    for letter, width in zip("ABCDEFGHIJK", (20, 8, 9, 12, 8, 10, 60, 45, 45, 12, 15), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    if findings:
        ws.auto_filter.ref = f"A1:K{len(findings) + 1}"
    return ws


def _prepared_styles(ws: Worksheet) -> dict[str, StyleArray]:
    """Style arrays for the Findings sheet, made once through the styled API on probe cells. Message, fix
    and reference wrap (they run to 200 characters); every cell sits at the top of its (taller) row."""
    names = ("plain", "quoted", "link", "money", "rvu", "center", "wrap", *SEVERITY_FILLS)
    probes: dict[str, Cell] = {name: Cell(ws) for name in names}
    probes["quoted"].quotePrefix = True
    probes["link"].style = "Hyperlink"
    probes["money"].number_format = '"$"#,##0.00'
    probes["rvu"].number_format = "0.00"
    for severity, fill in SEVERITY_FILLS.items():
        probes[severity].fill = copy(fill)
    for name, probe in probes.items():
        centred = name in ("center", *SEVERITY_FILLS)
        probe.alignment = Alignment(
            horizontal="center" if centred else None, vertical="top", wrap_text=name in ("wrap", "quoted")
        )
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
    ws.cell(row=row, column=1).font = bold_font(ws, 12)
    _header(ws, row + 1, headers)
    for offset, values in enumerate(rows, start=row + 2):
        for column, (value, number_format) in enumerate(zip(values, formats, strict=True), start=1):
            put(ws, offset, column, value, number_format)
    return row + 2, row + 1 + len(rows)


def _small_labels() -> RichText:
    size = CharacterProperties(sz=800)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


SERIES_COLOURS = {"Errors": "C00000", "Warnings": "FFC000", "Info": "5B9BD5"}  # as the row fills read


def _bar_chart(
    ws: Worksheet,
    title: str,
    y_title: str,
    data_cols: tuple[int, int],
    first: int,
    last: int,
    anchor: str,
    stacked: bool = False,
    number_format: str = "#,##0",
) -> None:
    """Horizontal bars in the table's order (first row on top), every label shown, whole-number axis."""
    if last < first:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.number_format = number_format
    chart.y_axis.majorGridlines = None
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.x_axis.tickLblSkip = 1  # else Excel shows every other code when bars are thin
    chart.x_axis.txPr = _small_labels()  # ten provider names fit 8 cm only in a smaller size
    chart.x_axis.scaling.orientation = "maxMin"  # top to bottom as in the table beside it
    chart.height, chart.width = 8, 16
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    data = Reference(ws, min_col=data_cols[0], max_col=data_cols[1], min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    for column, series in zip(range(data_cols[0], data_cols[1] + 1), chart.series, strict=True):
        colour = SERIES_COLOURS.get(str(ws.cell(row=first - 1, column=column).value))
        if colour:
            series.graphicalProperties.solidFill = colour
            series.graphicalProperties.line.solidFill = colour
    if data_cols[0] == data_cols[1]:
        chart.legend = None  # one series: the title says what it is
    else:
        chart.legend.position = "b"
    ws.add_chart(chart, anchor)


def write_summary_sheet(
    wb: Workbook, summary: Summary, source: str, copy_note: str = "", generated: dt.datetime | None = None
) -> Worksheet:
    ws = wb.create_sheet(unique_title(wb, "Summary"))
    put_text(ws, 1, 1, "rvucheck summary")
    ws.cell(row=1, column=1).font = bold_font(ws, 14)
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
        ws.cell(row=row, column=1).font = bold_font(ws)
        put(ws, row, 2, value, number_format)
        row += 1
    notes = [f"Note: {n}" for n in summary.notes[:MAX_NOTES]]
    if len(summary.notes) > MAX_NOTES:
        notes.append(
            f"... and {len(summary.notes) - MAX_NOTES} more notes like these (see the Findings sheet)"
        )
    for note in ([copy_note] if copy_note else []) + notes:
        put_text(ws, row, 1, note)
        ws.cell(row=row, column=1).font = bold_font(ws, color="9C0006")
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
        (r.rule, r.count, r.severity, r.dollars_at_stake, r.wrvu_at_stake, _short(r.example))
        for r in summary.rules
    ]
    first, last = _table(
        ws,
        row,
        "Findings per rule",
        ("Rule", "Findings", "Severity", "$ at stake", "wRVU at stake", "Example"),
        rule_rows,
        (None, count, None, money, rvu, None),
    )
    for severity_cell in ws.iter_rows(min_row=first, max_row=last, min_col=3, max_col=3):
        severity_cell[0].alignment = Alignment(horizontal="center")
    for example_cell in ws.iter_rows(min_row=first, max_row=last, min_col=6, max_col=6):
        example_cell[0].alignment = Alignment(indent=1)  # apart from the right-aligned wRVU beside it
    chart_title = "Top 10 rules by findings" if last - first >= 10 else "Findings per rule"
    _bar_chart(ws, chart_title, "findings", (2, 2), first, min(last, first + 9), "K35")
    top_code_tables = (  # (title, codes, axis title, value column, chart anchor, axis number format)
        ("Top codes by work RVU", summary.top_codes_by_wrvu, "wRVU", 4, "K51", "#,##0"),
        ("Top codes by est. payment", summary.top_codes_by_payment, "$", 5, "K67", '"$"#,##0'),
    )
    for title, codes, axis, value_column, anchor, axis_format in top_code_tables:
        first, last = _table(
            ws,
            last + 3,
            title,
            ("Code", "Lines", "Units", "Work RVU", "Est. payment"),
            [(c.hcpcs, c.lines, c.units, c.work_rvu, c.payment) for c in codes],
            (None, count, "#,##0", rvu, money),
        )
        _bar_chart(
            ws, title, axis, (value_column, value_column), first, last, anchor, number_format=axis_format
        )
    for column, width in zip("ABCDEFGHI", (30, 13, 13, 15, 15, 13, 10, 10, 10), strict=True):
        ws.column_dimensions[column].width = width
    return ws
