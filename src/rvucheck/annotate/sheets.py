"""The Findings and Summary sheets (with native Excel charts) added to the annotated copy or report workbook.

Every cell is written through the report toolkit (rvucheck.report.xlsx): text from the input or from
findings is a text cell, quote-prefixed when it looks like a formula, so a value like "=HYPERLINK(...)"
from an export is shown, never run (formula injection).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from copy import copy

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.annotate.plan import FindingRow
from rvucheck.model import SEVERITIES
from rvucheck.report.charts import ranked_bars
from rvucheck.report.run_info import write_run_block, write_stale_banner
from rvucheck.report.summary import Summary, sheet_prefix
from rvucheck.report.xlsx import (
    COUNT,
    HEADER_FILL,
    MONEY,
    RVU,
    SEVERITY_FILLS,
    bold_font,
    data_rows,
    header_row,
    number_cell,
    put,
    put_text,
    set_widths,
    text_cell,
    unique_title,
)

MAX_NOTES = 8
EXAMPLE_CHARS = 60  # the rule table's example stays short of the charts beside it (all text: Findings)


def _short(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1].rstrip() + "…"


FINDINGS_COLUMNS = (
    "Cell", "Row", "Code", "Modifiers", "Rule", "Severity", "Message", "Fix", "Reference",
    "$ at stake", "wRVU at stake", "Documentation needed",
)  # fmt: skip


def write_findings_sheet(wb: Workbook, findings: list[FindingRow], link_to_cells: bool) -> Worksheet:
    """One row per finding (already in severity order), its cell address linked to the cell.

    Thousands of rows: cells are made directly with prepared styles (the styled API costs 3x as much)."""
    ws = wb.create_sheet(unique_title(wb, "Findings"))
    header_row(ws, 1, FINDINGS_COLUMNS, fill=HEADER_FILL)
    styles = _prepared_styles(ws)

    def text(row: int, column: int, value: str, style: str = "plain") -> None:
        text_cell(ws, row, column, value, styles[style], styles["quoted"])

    def number(row: int, column: int, value: float | None, style: str) -> None:
        number_cell(ws, row, column, value, styles[style])

    for row, item in enumerate(findings, start=2):
        sheet, line_row, column, hcpcs, modifiers, rule, severity, message, fix, ref, dollars, wrvu, docs = (
            item
        )
        address = f"{get_column_letter(column)}{line_row}"
        text(row, 1, f"{sheet_prefix(sheet)}{address}", "link" if link_to_cells else "plain")
        if link_to_cells:
            ws._cells[(row, 1)].hyperlink = Hyperlink(
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
        if docs:
            text(row, 12, docs, "wrap")
    set_widths(ws, (20, 8, 9, 12, 8, 10, 60, 45, 45, 12, 15, 60))
    ws.freeze_panes = "A2"
    if findings:
        ws.auto_filter.ref = f"A1:L{len(findings) + 1}"
    return ws


def _prepared_styles(ws: Worksheet) -> dict[str, StyleArray]:
    """Style arrays for the Findings sheet, made once through the styled API on probe cells. Message, fix
    and reference wrap (they run to 200 characters); every cell sits at the top of its (taller) row."""
    names = ("plain", "quoted", "link", "money", "rvu", "center", "wrap", *SEVERITY_FILLS)
    probes: dict[str, Cell] = {name: Cell(ws) for name in names}
    probes["quoted"].quotePrefix = True
    probes["link"].style = "Hyperlink"
    probes["money"].number_format = MONEY
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
    put_text(ws, row, 1, title).font = bold_font(ws, 12)
    header_row(ws, row + 1, headers, fill=HEADER_FILL)
    data_rows(ws, row + 2, rows, formats)
    return row + 2, row + 1 + len(rows)


def write_summary_sheet(
    wb: Workbook, summary: Summary, source: str, copy_note: str = "", generated: dt.datetime | None = None
) -> Worksheet:
    """The figures and notes at the top, then the provider, rule and top-code tables with their charts."""
    ws = wb.create_sheet(unique_title(wb, "Summary"))
    put_text(ws, 1, 1, "rvucheck summary").font = bold_font(ws, 14)
    write_stale_banner(ws, 2, summary.extra.get("run"), columns=3)  # data older than the dates checked
    row = _facts(ws, summary, source, copy_note, generated)
    row = write_run_block(ws, row + 1, summary.extra.get("run")) - 1  # locality, CF, QPP, data used
    last = _provider_and_rule_tables(ws, summary, row + 1)
    _top_code_tables(ws, summary, last)
    set_widths(ws, (30, 13, 13, 15, 15, 13, 10, 10, 10))
    return ws


def _facts(
    ws: Worksheet, summary: Summary, source: str, copy_note: str, generated: dt.datetime | None
) -> int:
    """Label/value rows from row 3, then the notes in red; returns the next free row."""
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
        ("Est. payment", summary.payment, MONEY),
        ("$ at stake (each line once)", summary.dollars_at_stake, MONEY),
        *[(f"Findings: {s}", summary.findings[s], "#,##0") for s in SEVERITIES],
    ]
    row = 3
    for label, value, number_format in facts:
        put_text(ws, row, 1, label).font = bold_font(ws)
        put(ws, row, 2, value, number_format)
        row += 1
    notes = [f"Note: {n}" for n in summary.notes[:MAX_NOTES]]
    if len(summary.notes) > MAX_NOTES:
        notes.append(
            f"... and {len(summary.notes) - MAX_NOTES} more notes like these (see the Findings sheet)"
        )
    for note in ([copy_note] if copy_note else []) + notes:
        cell = put_text(ws, row, 1, note)
        cell.font = bold_font(ws, color="9C0006")
        cell.alignment = Alignment(wrap_text=False)
        row += 1
    return row


def _provider_and_rule_tables(ws: Worksheet, summary: Summary, row: int) -> int:
    """The by-provider and per-rule tables from `row`, charts beside them; returns the last table row."""
    money, rvu, count = MONEY, RVU, COUNT
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
    ranked_bars(ws, "Work RVU by provider", "wRVU", (3, 4), first, last, "K3")
    ranked_bars(ws, "Findings by provider", "findings", (7, 9), first, last, "K19", stacked=True)
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
    ranked_bars(ws, chart_title, "findings", (2, 2), first, min(last, first + 9), "K35")
    return last


def _top_code_tables(ws: Worksheet, summary: Summary, last: int) -> None:
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
            (None, COUNT, "#,##0", RVU, MONEY),
        )
        ranked_bars(
            ws, title, axis, (value_column, value_column), first, last, anchor, number_format=axis_format
        )
