"""The audit workbook: figures as sheets, with native Excel charts (openpyxl), so they stay live in Excel.

Every cell goes through the report toolkit (rvucheck.report.xlsx): provider names, claims, codes and
messages come from the export, and text that looks like a formula stays text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.audit import documentation
from rvucheck.audit.emmix import MixRow, charted_mix
from rvucheck.audit.emstats import shares
from rvucheck.audit.metrics import TARGET_HEADERS, late_lines, target_values
from rvucheck.audit.result import AuditResult
from rvucheck.model import SEVERITIES, SEVERITY_LABELS
from rvucheck.report.charts import Block, place_chart
from rvucheck.report.run_info import write_run_block, write_stale_banner
from rvucheck.report.xlsx import DATE, data_rows, header_row, put, put_text, set_widths

BOLD = Font(bold=True)
FLAG_FILL = PatternFill("solid", fgColor="FFE699")
PROVIDER_HEADERS = (
    "Provider", "NPI", "Specialty", "Group", "Lines", "Encounters", "Work RVU", "Credited work RVU",
    "Est. payment", "Errors", "Warnings", "Info", "E&M lines", "Mod 25 rate (of E&M)", "59/X rate (of lines)",
    "E&M in global", "New-patient code, established", "Median charge lag (days)", "Late lines",
    "Previous month", "Prev. credited wRVU", "Change vs prev.", "Avg. earlier months", "YTD credited wRVU",
)  # fmt: skip


def write_workbook(result: AuditResult, path: Path) -> None:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    _summary(summary, result)
    _providers(book.create_sheet("Providers"), result)
    _provider_rules(book.create_sheet("Findings by provider"), result)
    _mix(book.create_sheet("E&M mix"), result.mix)
    _mix_charts(book.create_sheet("E&M charts"), result.mix)
    _trend(book.create_sheet("wRVU trend"), result)
    _rules(book.create_sheet("Findings by rule"), result)
    _findings(book.create_sheet("Findings"), result)
    _lag(book.create_sheet("Charge lag"), result)
    _documentation(book.create_sheet("Documentation"), result)
    _top(book.create_sheet("Top codes"), result)
    _sample(book.create_sheet("Review sample"), result)
    if result.targets:
        _targets(book.create_sheet("wRVU targets"), result)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _table(ws: Worksheet, row: int, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> int:
    """Write a header and rows from `row`; return the next free row."""
    header_row(ws, row, headers, font=BOLD)
    data_rows(ws, row + 1, rows)
    for col, header in enumerate(headers, 1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(
            ws.column_dimensions[letter].width or 0, min(40, len(header) + 2)
        )
    return row + len(rows) + 2


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
        ("Earlier months in history", ", ".join(result.previous_months) or "none (first audited month)"),
        ("History lines used for cross-month checks", result.history_lines_used),
        ("Lines outside the month", result.outside_note or "none"),
        ("E&M benchmark", result.benchmark_note),
        ("E&M mixes flagged", sum(1 for m in result.mix if m.flagged)),
        ("Review sample", f"{len(result.sample)} encounters, seed {result.sample_seed}"),
    ]
    put_text(ws, 1, 1, f"rvucheck coding audit {result.month}").font = Font(bold=True, size=14)
    write_stale_banner(ws, 2, result.run, columns=2)
    for r, (label, value) in enumerate(rows, 3):
        put_text(ws, r, 1, label).font = BOLD
        put(ws, r, 2, value)
    for note in result.report.notes:
        r += 1
        put_text(ws, r, 1, "Note").font = BOLD
        put_text(ws, r, 2, note)
    write_run_block(ws, r + 2, result.run)  # locality, CF, QPP, data used; the stale-data banner
    set_widths(ws, {"A": 42, "B": 90})


def _targets(ws: Worksheet, result: AuditResult) -> None:
    """The roster of rvucheck.toml: credited work RVUs against each provider's monthly target, per FTE."""
    rows = [list(target_values(t)) for t in result.targets]
    _table(ws, 1, TARGET_HEADERS, rows)
    for r in range(2, len(rows) + 2):
        ws.cell(r, 7).number_format = "0.0%"
        for c in (5, 6, 8):
            ws.cell(r, c).number_format = "#,##0.00"


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
    _table(ws, 1, PROVIDER_HEADERS, rows)
    for r in range(2, len(rows) + 2):
        ws.cell(r, 14).number_format = ws.cell(r, 15).number_format = "0.0%"
        ws.cell(r, 9).number_format = "#,##0.00"
    ws.freeze_panes = "B2"


def _provider_rules(ws: Worksheet, result: AuditResult) -> None:
    rules, rows = result.rule_matrix()
    _table(ws, 1, ["Provider", *rules], [[name, *counts] for name, counts in rows])
    ws.freeze_panes = "B2"


def _mix(ws: Worksheet, mix: Sequence[MixRow]) -> None:
    headers = ["Provider", "Specialty", "Family", "Services"]
    headers += [f"Level {i}" for i in range(1, 6)]
    headers += [
        "Group high-level share",
        "Benchmark high-level share",
        "Benchmark source",
        "vs group",
        "vs benchmark",
        "Flag",
    ]
    rows = []
    for m in mix:
        levels = [
            f"{code}: {share:.0%}" for code, share in zip(m.family.codes, shares(m.counts), strict=True)
        ]
        rows.append([
            m.provider, m.specialty, m.family.label, m.total, *levels, *[""] * (5 - len(levels)),
            m.vs_group.reference_high_share if m.vs_group else None,
            m.vs_benchmark.reference_high_share if m.vs_benchmark else None,
            m.benchmark_source or "none for this specialty/family",
            m.vs_group.statistic if m.vs_group else "", m.vs_benchmark.statistic if m.vs_benchmark else "",
            "FLAGGED" if m.flagged else "",
        ])  # fmt: skip
    _table(ws, 1, headers, rows)
    for r, m in enumerate(mix, 2):
        ws.cell(r, 10).number_format = ws.cell(r, 11).number_format = "0%"
        if m.flagged:
            for col in range(1, len(headers) + 1):
                ws.cell(r, col).fill = FLAG_FILL
    ws.freeze_panes = "D2"


def _mix_charts(ws: Worksheet, mix: Sequence[MixRow]) -> None:
    """One native bar chart per provider and family: provider vs rest of group vs benchmark shares."""
    row = 1
    for m in charted_mix(mix):
        put_text(ws, row, 1, f"{m.provider} - {m.family.label}").font = BOLD
        for col, title in enumerate(("Level", m.provider, "Rest of group", "Benchmark"), 1):
            put_text(ws, row + 1, col, title)
        group = shares(m.group_counts)
        bench: list[float | None] = (
            [*shares(m.benchmark_shares)] if m.benchmark_shares else [None] * len(m.counts)
        )
        for i, (code, share) in enumerate(zip(m.family.codes, shares(m.counts), strict=True)):
            r = row + 2 + i
            bench_share = bench[i]
            data_rows(
                ws, r,
                [(code, round(share, 4), round(group[i], 4) if m.vs_group is not None else None,
                  None if bench_share is None else round(bench_share, 4))],
                (None, "0%", "0%", "0%"),
            )  # fmt: skip
        last = row + 1 + len(m.counts)
        chart = BarChart()
        chart.title = f"{m.provider}: {m.family.label} mix"
        chart.y_axis.title = "share of services"
        chart.y_axis.numFmt = "0%"
        place_chart(ws, chart, Block(2, 4, row + 1, row + 2, last), f"F{row}", (7, 14))
        row += 16
    ws.column_dimensions["A"].width = 30


def _trend(ws: Worksheet, result: AuditResult) -> None:
    months = result.months
    providers = sorted({p.provider for p in result.trend})
    values = {(p.month, p.provider): p.credited_work_rvu for p in result.trend}
    _table(ws, 1, ["Month", *providers], [[m, *[values.get((m, p)) for p in providers]] for m in months])
    if months and providers:
        chart = LineChart()
        chart.title = "Credited work RVU by month"
        chart.y_axis.title = "credited wRVU"
        block = Block(2, len(providers) + 1, 1, 2, len(months) + 1)
        place_chart(ws, chart, block, f"{get_column_letter(len(providers) + 3)}2", (9, 18))


def _rules(ws: Worksheet, result: AuditResult) -> None:
    rows = [list(item) for item in result.findings_by_rule]
    _table(ws, 1, ["Rule", "Severity", "Findings"], rows)
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Findings by rule"
        chart.legend = None
        place_chart(ws, chart, Block(3, 3, 1, 2, len(rows) + 1), "E2", (max(7, 0.6 * len(rows)), 16))


def _findings(ws: Worksheet, result: AuditResult) -> None:
    rows = []
    for r in result.report.results:
        for f in r.findings:
            line = r.line
            rows.append([
                f.source.a1(), line.provider, line.dos, line.hcpcs, " ".join(line.modifiers), f.rule,
                f.severity, f.message, f.fix, f.dollars_at_stake,
            ])  # fmt: skip
    rows += [
        [u.source.a1(), "", None, "", "", "UNREADABLE", "error", u.reason, "", None]
        for u in result.report.unreadable
    ]
    headers = [
        "Row",
        "Provider",
        "DOS",
        "Code",
        "Modifiers",
        "Rule",
        "Severity",
        "Message",
        "Fix",
        "$ at stake",
    ]
    _table(ws, 1, headers, rows)
    for row_number in range(2, len(rows) + 2):
        ws.cell(row_number, 3).number_format = DATE
    ws.freeze_panes = "A2"


def _lag(ws: Worksheet, result: AuditResult) -> None:
    nxt = _table(
        ws, 1, ["Charge lag (service to posting)", "Lines"], [list(b) for b in result.lag_distribution]
    )
    rows = [[p.provider, p.median_lag, p.late_lines] for p in result.providers]
    nxt = _table(ws, nxt, ["Provider", "Median lag (days)", f"Lines posted > {result.late_days} days"], rows)
    late = [
        [r.line.source.a1(), r.line.provider, r.line.hcpcs, r.line.dos, r.line.posted, days, r.payment]
        for r, days in late_lines(result.report.results, result.late_days)
    ]
    put_text(ws, nxt, 1, "Late lines").font = BOLD
    headers = ["Row", "Provider", "Code", "DOS", "Posted", "Lag (days)", "Est. payment"]
    _table(ws, nxt + 1, headers, late)
    for row_number in range(nxt + 2, nxt + 2 + len(late)):
        ws.cell(row_number, 4).number_format = ws.cell(row_number, 5).number_format = DATE


def _top(ws: Worksheet, result: AuditResult) -> None:
    headers = ["Code", "Lines", "Units", "Credited work RVU", "Est. payment"]
    put_text(ws, 1, 1, "Top codes by credited work RVU").font = BOLD
    nxt = _table(
        ws, 2, headers, [[c.hcpcs, c.lines, c.units, c.work_rvu, c.payment] for c in result.top_by_work_rvu]
    )
    put_text(ws, nxt, 1, "Top codes by estimated payment").font = BOLD
    _table(
        ws,
        nxt + 1,
        headers,
        [[c.hcpcs, c.lines, c.units, c.work_rvu, c.payment] for c in result.top_by_payment],
    )


def _sample(ws: Worksheet, result: AuditResult) -> None:
    rows = [
        [i, p.encounter.provider, p.encounter.dos, p.encounter.claim, p.encounter.codes,
         ", ".join(r.line.source.a1() for r in p.encounter.results), p.encounter.score, p.reason]
        for i, p in enumerate(result.sample, 1)
    ]  # fmt: skip
    _table(ws, 1, ["#", "Provider", "DOS", "Claim", "Codes", "Rows", "Risk score", "Why picked"], rows)
    ws.column_dimensions["H"].width = 100


def _documentation(ws: Worksheet, result: AuditResult) -> None:
    """Documentation findings (DC/TM) and the service -> signature -> posting lag per provider."""
    if not result.documentation:
        put_text(ws, 1, 1, documentation.NO_COLUMNS)
        return
    rows = documentation.table_rows(result.documentation)
    _table(ws, 1, list(documentation.HEADERS), rows)
    for row_number in range(2, len(rows) + 2):
        ws.cell(row_number, 4).number_format = "0.0%"
    ws.freeze_panes = "A2"
