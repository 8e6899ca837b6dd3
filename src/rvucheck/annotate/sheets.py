"""The Findings and Summary sheets (with native Excel charts) added to the annotated copy or report workbook.

Every cell is written through the report toolkit (rvucheck.report.xlsx): text from the input or from
findings is a text cell, quote-prefixed when it looks like a formula, so a value like "=HYPERLINK(...)"
from an export is shown, never run (formula injection).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from openpyxl.styles import Alignment
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.annotate.work_queue import FINDINGS_COLUMNS, STAKE_NOTE, write_findings_sheet
from rvucheck.model import SEVERITIES
from rvucheck.report.charts import ranked_bars
from rvucheck.report.run_info import write_run_block, write_stale_banner
from rvucheck.report.summary import Summary
from rvucheck.report.xlsx import (
    COUNT,
    HEADER_FILL,
    MONEY,
    RVU,
    bold_font,
    data_rows,
    header_row,
    print_setup,
    put,
    put_text,
    set_widths,
    sized_note,
    unique_title,
)

__all__ = ["FINDINGS_COLUMNS", "write_findings_sheet", "write_summary_sheet"]

MAX_NOTES = 8
EXAMPLE_CHARS = 60  # the rule table's example stays short of the charts beside it (all text: Findings)
NOTE_COLUMNS = 9  # the notes wrap across the tables' columns A:I; the charts start at K
NOTE_CHARS_PER_LINE = 115  # bold characters a line of A:I holds (widths 129)


def _short(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1].rstrip() + "…"


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
    # locality, CF, QPP, data used; a long value wraps across B:I (widths 99: ~115 characters of text), left
    # of the charts
    row = write_run_block(ws, row + 1, summary.extra.get("run"), span=8, width=115) - 1
    last = _provider_and_rule_tables(ws, summary, row + 1)
    last = _top_code_tables(ws, summary, last)
    set_widths(ws, (30, 13, 13, 15, 15, 13, 10, 10, 10))
    print_setup(ws, title_rows=None, area=f"A1:S{max(last, 82)}")  # the charts reach column S, row 82
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
        cell = put_text(ws, row, 1, label)
        cell.font = bold_font(ws)
        if label.startswith("$ at stake"):
            cell.comment = sized_note(STAKE_NOTE)
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
        # wrapped across the tables' width (A:I, ~129 characters), never under the charts from column K
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=NOTE_COLUMNS)
        ws.row_dimensions[row].height = 15 * math.ceil(len(note) / NOTE_CHARS_PER_LINE)
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
        (f"{r.rule} {summary.titles.get(r.rule, '')}".strip(), r.count, r.severity, r.dollars_at_stake,
         r.wrvu_at_stake, _short(r.example))
        for r in summary.rules
    ]  # fmt: skip
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
    for rule_cell, *_rest, example_cell in ws.iter_rows(min_row=first, max_row=last, min_col=1, max_col=6):
        rule_cell.alignment = Alignment(wrap_text=True, vertical="top")  # id and title in the first column
        example_cell.alignment = Alignment(indent=1)  # apart from the right-aligned wRVU beside it
    chart_title = "Top 10 rules by findings" if last - first >= 10 else "Findings per rule"
    ranked_bars(ws, chart_title, "findings", (2, 2), first, min(last, first + 9), "K35")
    return last


def _top_code_tables(ws: Worksheet, summary: Summary, last: int) -> int:
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
    return last
