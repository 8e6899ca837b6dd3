"""The audit workbook: figures as sheets, with native Excel charts (openpyxl), so they stay live in Excel.

Every cell goes through the report toolkit (rvucheck.report.xlsx): provider names, claims, codes and
messages come from the export, and text that looks like a formula stays text."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.audit import documentation
from rvucheck.audit.metrics import TARGET_HEADERS, late_lines, target_values
from rvucheck.audit.mix_sheets import mix_charts_sheet, mix_sheet
from rvucheck.audit.result import AuditResult
from rvucheck.audit.review import (
    REVIEW_HEADERS,
    SAMPLE_HEADERS,
    ReviewOutcome,
    add_result_list,
    review_rows,
    sample_rows,
)
from rvucheck.audit.sheet_kit import BOLD, WRAP, finish, table
from rvucheck.model import SEVERITIES, SEVERITY_LABELS
from rvucheck.report.charts import Block, place_chart
from rvucheck.report.run_info import write_run_block, write_stale_banner
from rvucheck.report.xlsx import COUNT, DATE, MONEY, PERCENT, RVU, put, put_text, sized_note

PROVIDER_FORMATS = (
    None, None, None, None, COUNT, COUNT, RVU, RVU, MONEY, COUNT, COUNT, COUNT, COUNT, PERCENT, PERCENT,
    COUNT, COUNT, "0.0", COUNT, None, RVU, RVU, RVU, RVU,
)  # fmt: skip
PROVIDER_HEADERS = (
    "Provider", "NPI", "Specialty", "Group", "Lines", "Encounters", "Work RVU", "Credited work RVU",
    "Est. payment", "Errors", "Warnings", "Info", "E&M lines", "Mod 25 rate (of E&M)", "59/X rate (of lines)",
    "E&M in global", "New-patient code, established", "Median charge lag (days)", "Late lines",
    "Previous month", "Prev. credited wRVU", "Change vs prev.", "Avg. earlier months", "YTD credited wRVU",
)  # fmt: skip


def write_workbook(result: AuditResult, path: Path) -> None:
    book = audit_workbook(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def audit_workbook(result: AuditResult) -> Workbook:
    """Every sheet formatted ($, wRVU to 2 decimals, %), widths that fit, filters, frozen headers and set up
    to print landscape one page wide with its header row repeated."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    _summary(summary, result)
    _providers(book.create_sheet("Providers"), result)
    _provider_rules(book.create_sheet("Findings by provider"), result)
    mix_sheet(book.create_sheet("E&M mix"), result.mix)
    mix_charts_sheet(book.create_sheet("E&M charts"), result.mix)
    _trend(book.create_sheet("wRVU trend"), result)
    _rules(book.create_sheet("Findings by rule"), result)
    _findings(book.create_sheet("Findings"), result)
    _lag(book.create_sheet("Charge lag"), result)
    _documentation(book.create_sheet("Documentation"), result)
    _top(book.create_sheet("Top codes"), result)
    _sample(book.create_sheet("Review sample"), result)
    if result.targets:
        _targets(book.create_sheet("wRVU targets"), result)
    return book


def write_review_workbook(outcome: ReviewOutcome, path: Path) -> None:
    """`audit --reviewed ... --out`: the accuracy per provider as a workbook of one sheet."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Review results"
    add_review_sheet(ws, outcome)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def add_review_sheet(ws: Worksheet, outcome: ReviewOutcome) -> None:
    formats = (None, COUNT, COUNT, PERCENT, COUNT, COUNT, COUNT, None)
    table(ws, 1, REVIEW_HEADERS, review_rows(outcome), formats)
    ws.cell(len(outcome.providers) + 2, 1).font = BOLD
    finish(ws)


def _summary(ws: Worksheet, result: AuditResult) -> None:
    counts = result.report.counts_by_severity()
    rows: list[tuple[str, object]] = [
        ("Month", result.month),
        ("Files", ", ".join(result.sources)),
        ("PFS release", result.report.release),
        ("NCCI quarter", result.report.ncci_quarter),
        ("Lines checked", len(result.report.results)),
        ("Unreadable rows", len(result.report.unreadable)),
        *((SEVERITY_LABELS[s], counts[s]) for s in SEVERITIES),
        ("Providers", len(result.providers)),
        ("Credited work RVU", round(sum(p.credited_work_rvu for p in result.providers), 2)),
        ("Estimated payment", round(sum(p.payment for p in result.providers), 2)),
        ("$ at stake (each line once)", round(sum(r.dollars_at_stake for r in result.report.results), 2)),
        ("Earlier months in history", ", ".join(result.previous_months) or "none (first audited month)"),
        ("History lines used for cross-month checks", result.history_lines_used),
        ("Lines outside the month", result.outside_note or "none"),
        ("E&M benchmark", result.benchmark_note),
        ("E&M mixes flagged", sum(1 for m in result.mix if m.flagged)),
        ("Review sample", f"{len(result.sample)} encounters, seed {result.sample_seed}"),
    ]
    put_text(ws, 1, 1, f"rvucheck coding audit {result.month}").font = Font(
        name="Calibri", bold=True, size=14
    )
    write_stale_banner(ws, 2, result.run, columns=2)
    formats = {"Credited work RVU": RVU, "Estimated payment": MONEY, "$ at stake (each line once)": MONEY}
    for r, (label, value) in enumerate(rows, 3):
        put_text(ws, r, 1, label).font = BOLD
        cell = put(ws, r, 2, value, formats.get(label, COUNT if isinstance(value, int) else None))
        cell.alignment = Alignment(horizontal="left", wrap_text=True, vertical="top")
    for note in result.report.notes:
        r += 1
        put_text(ws, r, 1, "Data note").font = BOLD
        put_text(ws, r, 2, note).alignment = WRAP
    write_run_block(ws, r + 2, result.run)  # locality, CF, QPP, data used; the stale-data banner
    finish(ws, title_rows=None, fixed={"A": 40, "B": 100}, freeze=None)


def _targets(ws: Worksheet, result: AuditResult) -> None:
    """The roster of rvucheck.toml: credited work RVUs against each provider's monthly target, per FTE."""
    rows = [list(target_values(t)) for t in result.targets]
    table(ws, 1, TARGET_HEADERS, rows, (None, None, None, "0.00", RVU, RVU, PERCENT, RVU))
    finish(ws, freeze="B2")


def _providers(ws: Worksheet, result: AuditResult) -> None:
    rows = []
    for p in result.providers:
        prev = result.previous(p.provider)
        rows.append([
            p.provider, p.provider_npi, p.specialty, p.group, p.lines, p.encounters, p.work_rvu,
            p.credited_work_rvu, p.payment, *(p.findings_by_severity[s] for s in SEVERITIES),
            p.em_lines, round(p.modifier_25_rate, 4),
            round(p.distinct_procedure_rate, 4), p.em_in_global, p.new_for_established, p.median_lag,
            p.late_lines, prev.month if prev else "", prev.credited_work_rvu if prev else None,
            round(p.credited_work_rvu - prev.credited_work_rvu, 2) if prev else None,
            result.earlier_average(p.provider),
            result.ytd_work_rvu.get(p.provider, p.credited_work_rvu),
        ])  # fmt: skip
    table(ws, 1, PROVIDER_HEADERS, rows, PROVIDER_FORMATS)
    finish(ws, freeze="B2")


def _provider_rules(ws: Worksheet, result: AuditResult) -> None:
    rules, rows = result.rule_matrix()
    table(ws, 1, ["Provider", *rules], [[name, *counts] for name, counts in rows])
    for column, rule in enumerate(rules, 2):  # the title in the header's note: the id alone says little
        ws.cell(1, column).comment = sized_note(f"{rule}: {result.title(rule)}")
    finish(ws, freeze="B2")


def _trend(ws: Worksheet, result: AuditResult) -> None:
    months = result.months
    providers = sorted({p.provider for p in result.trend})
    values = {(p.month, p.provider): p.credited_work_rvu for p in result.trend}
    rows = [[m, *[values.get((m, p)) for p in providers]] for m in months]
    table(ws, 1, ["Month", *providers], rows, (None, *[RVU] * len(providers)))
    finish(ws)
    if months and providers:
        chart = LineChart()
        chart.title = "Credited work RVU by month"
        chart.y_axis.title = "credited wRVU"
        chart.y_axis.numFmt = "#,##0"
        block = Block(2, len(providers) + 1, 1, 2, len(months) + 1)
        place_chart(ws, chart, block, f"{get_column_letter(len(providers) + 3)}2", (9, 18))
        for series in chart.series:  # a month is a point: one month alone must still draw something
            series.marker.symbol, series.marker.size = "circle", 7
            series.smooth = False


def _rules(ws: Worksheet, result: AuditResult) -> None:
    rows = [[rule, result.title(rule), severity, count] for rule, severity, count in result.findings_by_rule]
    table(ws, 1, ["Rule", "Title", "Severity", "Findings"], rows, (None, None, None, COUNT))
    finish(ws, fixed={"B": 60})
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Findings by rule"
        chart.legend = None
        place_chart(ws, chart, Block(4, 4, 1, 2, len(rows) + 1), "F2", (max(7, 0.6 * len(rows)), 16))


FINDING_HEADERS = (
    "Row", "Provider", "DOS", "Code", "Modifiers", "Rule", "Rule title", "Severity", "Message", "Fix",
    "$ at stake",
)  # fmt: skip


def _findings(ws: Worksheet, result: AuditResult) -> None:
    rows = []
    for r in result.report.results:
        for f in r.findings:
            line = r.line
            rows.append([
                f.source.a1(), line.provider, line.dos, line.hcpcs, " ".join(line.modifiers), f.rule,
                result.title(f.rule), f.severity, f.message, f.fix, f.dollars_at_stake,
            ])  # fmt: skip
    rows += [
        [u.source.a1(), "", None, "", "", "RD01", result.title("RD01"), "error", u.reason, "", None]
        for u in result.report.unreadable
    ]
    formats = (None, None, DATE, None, None, None, None, None, None, None, MONEY)
    table(ws, 1, FINDING_HEADERS, rows, formats)
    for cells in ws.iter_rows(min_row=2, min_col=7, max_col=10):
        for cell in cells:
            cell.alignment = WRAP
    finish(ws, fixed={"G": 30, "I": 60, "J": 45}, freeze="B2")


def _lag(ws: Worksheet, result: AuditResult) -> None:
    lag = [list(b) for b in result.lag_distribution]
    nxt = table(ws, 1, ["Charge lag (service to posting)", "Lines"], lag, (None, COUNT))
    rows = [[p.provider, p.median_lag, p.late_lines] for p in result.providers]
    headers = ["Provider", "Median lag (days)", f"Lines posted > {result.late_days} days"]
    nxt = table(ws, nxt, headers, rows, (None, "0.0", COUNT))
    late = [
        [r.line.source.a1(), r.line.provider, r.line.hcpcs, r.line.dos, r.line.posted, days, r.payment]
        for r, days in late_lines(result.report.results, result.late_days)
    ]
    put_text(ws, nxt, 1, "Late lines").font = BOLD
    headers = ["Row", "Provider", "Code", "DOS", "Posted", "Lag (days)", "Est. payment"]
    table(ws, nxt + 1, headers, late, (None, None, None, DATE, DATE, COUNT, MONEY))
    finish(ws)


def _top(ws: Worksheet, result: AuditResult) -> None:
    headers = ["Code", "Lines", "Units", "Credited work RVU", "Est. payment"]
    formats = (None, COUNT, "#,##0.##", RVU, MONEY)
    put_text(ws, 1, 1, "Top codes by credited work RVU").font = BOLD
    rows = [[c.hcpcs, c.lines, c.units, c.work_rvu, c.payment] for c in result.top_by_work_rvu]
    nxt = table(ws, 2, headers, rows, formats)
    put_text(ws, nxt, 1, "Top codes by estimated payment").font = BOLD
    rows = [[c.hcpcs, c.lines, c.units, c.work_rvu, c.payment] for c in result.top_by_payment]
    table(ws, nxt + 1, headers, rows, formats, autofilter=False)
    finish(ws, title_rows=None, freeze=None)
    ws.column_dimensions["A"].width = 12  # the block titles overflow into the empty cells beside them


def _sample(ws: Worksheet, result: AuditResult) -> None:
    """What a reviewer needs to pull the chart, why it was picked, and the columns the reviewer fills in
    (read back by `rvucheck audit --reviewed`)."""
    formats = (COUNT, None, None, DATE, None, None, None, "0.00", None)
    table(ws, 1, SAMPLE_HEADERS, sample_rows(result), formats)
    for cells in ws.iter_rows(min_row=2, min_col=7, max_col=9):
        cells[0].alignment = cells[2].alignment = WRAP  # the rows and the reasons wrap
    add_result_list(ws, get_column_letter(SAMPLE_HEADERS.index("Result") + 1))
    widths = {"G": 30, "I": 60, "J": 14, "K": 14, "L": 13, "M": 30}
    finish(ws, fixed=widths, freeze="C2")


def _documentation(ws: Worksheet, result: AuditResult) -> None:
    """Documentation findings (DC/TM) and the service -> signature -> posting lag per provider."""
    if not result.documentation:
        put_text(ws, 1, 1, documentation.NO_COLUMNS)
        finish(ws, title_rows=None, fixed={"A": 120}, freeze=None)
        return
    formats = [PERCENT if i == 3 else None for i in range(len(documentation.HEADERS))]
    table(ws, 1, list(documentation.HEADERS), documentation.table_rows(result.documentation), formats)
    finish(ws, freeze="B2")
