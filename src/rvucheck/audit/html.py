"""The audit as one self-contained HTML file: tables plus the charts as embedded SVG images (no network)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from rvucheck.audit import documentation
from rvucheck.audit.charts import bar_chart_svg, hbar_chart_svg, line_chart_svg, svg_data_uri
from rvucheck.audit.emmix import charted_mix
from rvucheck.audit.emstats import shares
from rvucheck.audit.metrics import TARGET_HEADERS, late_lines
from rvucheck.audit.result import AuditResult
from rvucheck.audit.review import SAMPLE_HEADERS, sample_rows
from rvucheck.model import SEVERITIES, SEVERITY_LABELS
from rvucheck.report.run_info import run_rows, stale_banner
from rvucheck.report.summary import run_notes

STYLE = """
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222}
.stale{background:#c00000;color:#fff;padding:8px 12px;font-size:15px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:12px;margin:8px 0}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left}th{background:#f0f0f0}
td.num{text-align:right}tr.flag td{background:#fff2cc}
.charts img{margin:6px;border:1px solid #eee}.note{color:#555;font-size:12px}
.keys{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.key{border:1px solid #ccc;border-radius:4px;padding:8px 14px;min-width:120px;background:#fafafa}
.key b{display:block;font-size:20px}.key span{font-size:12px;color:#555}
.currency{border-left:4px solid #c9a227;background:#fffbe6;padding:6px 10px;font-size:12px}
td.over{color:#9c0006;font-weight:bold}td.under{color:#1f4e79;font-weight:bold}
@media print{
 @page{size:letter landscape;margin:12mm}
 body{margin:0;font-size:10px}table{font-size:9px;page-break-inside:auto}
 tr{page-break-inside:avoid}thead{display:table-header-group}
 h2{page-break-after:avoid}.charts img{max-width:48%;page-break-inside:avoid}
 .key{background:none}tr.flag td{background:#fff2cc !important;-webkit-print-color-adjust:exact;
 print-color-adjust:exact}
}
"""


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"<td class='num'>{value:,.2f}</td>"
    if isinstance(value, int):
        return f"<td class='num'>{value:,}</td>"
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    flags: Sequence[bool] = (),
    titles: Mapping[str, str] | None = None,
) -> str:
    """`titles`: header -> what it means, shown when the pointer rests on it (rule ids)."""
    titles = titles or {}
    head = "".join(
        f"<th title='{escape(titles[h])}'>{escape(h)}</th>" if h in titles else f"<th>{escape(h)}</th>"
        for h in headers
    )
    body = "".join(
        f"<tr{' class=flag' if i < len(flags) and flags[i] else ''}>{''.join(_cell(v) for v in row)}</tr>"
        for i, row in enumerate(rows)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(svg: str, alt: str) -> str:
    return f"<img src='{svg_data_uri(svg)}' alt='{escape(alt)}'>"


def render_html(result: AuditResult) -> str:
    counts = result.report.counts_by_severity()
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Coding audit {escape(result.month)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Coding audit {escape(result.month)}</h1>",
        _key_figures(result),
        f"<p>{len(result.report.results):,} lines from {escape(', '.join(result.sources))}; "
        f"{', '.join(f'{counts[s]:,} {SEVERITY_LABELS[s].lower()}' for s in SEVERITIES)}. "
        f"PFS release {escape(result.report.release)}. Earlier months in history: "
        f"{escape(', '.join(result.previous_months) or 'none')} "
        f"({result.history_lines_used:,} earlier lines used for cross-month checks).</p>",
        _currency(result),
        f"<p>{escape(result.outside_note)}.</p>" if result.outside_note else "",
        _run(result),
        _notes(result),
        _providers(result),
        _targets(result),
        _mix(result),
        _trend(result),
        _rules(result),
        _lag_and_top(result),
        _documentation(result),
        _sample(result),
        "</body></html>",
    ]
    return "".join(parts)


def write_html(result: AuditResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result), encoding="utf-8")


CURRENCY_NOTES = frozenset({"RD02", "RD03", "RD09", "RD13"})  # data older or newer than the dates checked


def _key_figures(result: AuditResult) -> str:
    """The figures a reader looks for first, as a panel above everything else."""
    counts = result.report.counts_by_severity()
    flagged = [m for m in result.mix if m.flagged]
    figures = [
        (f"{len(result.report.results):,}", "lines checked"),
        (f"{sum(p.credited_work_rvu for p in result.providers):,.2f}", "credited work RVU"),
        (f"${sum(p.payment for p in result.providers):,.2f}", "estimated payment"),
        (f"${sum(r.dollars_at_stake for r in result.report.results):,.2f}", "$ at stake (each line once)"),
        (f"{counts['error']:,}", "errors"),
        (f"{counts['warning']:,}", "warnings"),
        (f"{len(flagged)}", "E&M mixes flagged"),
        (f"{len(result.sample)}", "charts to review"),
    ]
    boxes = "".join(f"<div class='key'><b>{escape(v)}</b><span>{escape(t)}</span></div>" for v, t in figures)
    return f"<div class='keys'>{boxes}</div>"


def _currency(result: AuditResult) -> str:
    """Which data the figures rest on, and where it is older than the dates checked."""
    report = result.report
    said = [
        f"Fee schedule {report.release or 'none installed'}; NCCI {report.ncci_quarter or 'none installed'}."
    ]
    said += [f"{f.rule}: {f.message}" for f in run_notes(report) if f.rule in CURRENCY_NOTES]
    items = "".join(f"<li>{escape(text)}</li>" for text in said)
    return f"<div class='currency'><b>Data currency</b><ul>{items}</ul></div>"


def _notes(result: AuditResult) -> str:
    """The findings that belong to no line (data notes, rules not run for a missing column), each once:
    with the lines' findings they make up the counts above."""
    notes = [f for f in run_notes(result.report) if f.rule not in CURRENCY_NOTES]  # (those: the panel)
    if not notes:
        return ""
    rows = [[f.rule, result.title(f.rule), f.severity, f.message] for f in notes]
    return "<h2>Notes</h2>" + _table(["Rule", "Title", "Severity", "Note"], rows)


def _run(result: AuditResult) -> str:
    """The stale-data banner (loud) and what the audit was priced with: locality, CF, QPP, data."""
    if not result.run:
        return ""
    banner = stale_banner(result.run)
    loud = f"<p class='stale' role='alert'><strong>{escape(banner)}</strong></p>" if banner else ""
    return loud + "<h2>Run</h2>" + _table(["Setting", "Value"], [list(row) for row in run_rows(result.run)])


def _targets(result: AuditResult) -> str:
    if not result.targets:
        return ""
    rows = [
        [t.provider, t.npi, t.specialty, f"{t.fte:g}", f"{t.credited_work_rvu:,.2f}",
         f"{t.target:,.2f}" if t.target is not None else "",
         f"{t.share_of_target:.1%}" if t.share_of_target is not None else "", f"{t.work_rvu_per_fte:,.2f}"]
        for t in result.targets
    ]  # fmt: skip
    return "<h2>Work RVUs against target (rvucheck.toml roster)</h2>" + _table(TARGET_HEADERS, rows)


def _providers(result: AuditResult) -> str:
    rows = []
    for p in result.providers:
        prev = result.previous(p.provider)
        rows.append([
            p.provider, p.specialty, p.lines, p.encounters, p.work_rvu, p.credited_work_rvu, p.payment,
            p.findings_by_severity["error"], p.findings_by_severity["warning"], f"{p.modifier_25_rate:.1%}",
            f"{p.distinct_procedure_rate:.1%}", p.em_in_global, p.new_for_established,
            f"{prev.credited_work_rvu:,.2f} ({prev.month})" if prev else "",
            result.earlier_average(p.provider),
            result.ytd_work_rvu.get(p.provider, p.credited_work_rvu),
        ])  # fmt: skip
    headers = ["Provider", "Specialty", "Lines", "Encounters", "Work RVU", "Credited wRVU",
               "Est. payment ($)", "Errors", "Warnings", "Mod 25 (of E&M)", "59/X (of lines)",
               "E&M in global",
               "New-pt code, established", "Previous month", "Avg. earlier months",
               "YTD credited wRVU"]  # fmt: skip
    rules, matrix = result.rule_matrix()
    by_rule = _table(["Provider", *rules], [[name, *counts] for name, counts in matrix], titles=result.titles)
    return "<h2>Providers</h2>" + _table(headers, rows) + "<h2>Findings by provider and rule</h2>" + by_rule


def _mix(result: AuditResult) -> str:
    rows, flags = [], []
    for m in result.mix:
        total = m.total
        levels = ", ".join(f"{c} {n / total:.0%}" for c, n in zip(m.family.codes, m.counts, strict=True))
        rows.append([
            m.provider, m.family.label, total, levels,
            m.vs_group.statistic if m.vs_group else "too few services by the rest of the group",
            f"{m.vs_benchmark.statistic} [{m.benchmark_source}]"
            if m.vs_benchmark
            else (m.benchmark_source or "no benchmark"),
            m.flag, m.in_words() if m.flagged else "",
        ])  # fmt: skip
        flags.append(m.flagged)
    charts = []
    for m in charted_mix(result.mix):
        series: list[tuple[str, list[float | None]]] = [(m.provider, [*shares(m.counts)])]
        if m.vs_group is not None:  # the group is a reference only with enough services
            series.append(("Rest of group", [*shares(m.group_counts)]))
        if m.benchmark_shares:
            series.append(("National benchmark", [*shares(m.benchmark_shares)]))
        svg = bar_chart_svg(f"{m.provider}: {m.family.label}", list(m.family.codes), series)
        charts.append(_img(svg, f"E&M mix {m.provider} {m.family.label}"))
    return (
        "<h2>E&amp;M level mix</h2>"
        f"<p class='note'>Benchmark: {escape(result.benchmark_note)}. "
        "Flagged when the chi-square goodness-of-fit "
        "p-value is below 0.01 and the high-level share (levels 4+5, or the top level of a 3-level family) "
        "differs by 10 points or more; z is the high-level share z-score.</p>"
        + _table(MIX_HEADERS, rows, flags)
        + f"<div class='charts'>{''.join(charts)}</div>"
    )  # fmt: skip


MIX_HEADERS = (
    "Provider", "Family", "Services", "Mix", "vs rest of group", "vs national benchmark", "Flag",
    "In plain words",
)  # fmt: skip


def _trend(result: AuditResult) -> str:
    months = result.months
    providers = sorted({p.provider for p in result.trend})
    values = {(p.month, p.provider): p.credited_work_rvu for p in result.trend}
    series = [(prov, [values.get((m, prov)) for m in months]) for prov in providers]
    svg = line_chart_svg("Credited work RVU by month", months, series)
    return "<h2>Work RVU trend</h2>" + f"<div class='charts'>{_img(svg, 'wRVU trend')}</div>"


def _rules(result: AuditResult) -> str:
    items = result.findings_by_rule[:25]
    svg = hbar_chart_svg(
        "Findings by rule", [f"{r} ({s})" for r, s, _ in items], [float(n) for _, _, n in items]
    )
    rows = [[rule, result.title(rule), severity, count] for rule, severity, count in result.findings_by_rule]
    return (
        "<h2>Findings by rule</h2>"
        + f"<div class='charts'>{_img(svg, 'findings by rule')}</div>"
        + _table(["Rule", "Title", "Severity", "Findings"], rows)
    )


def _lag_and_top(result: AuditResult) -> str:
    lag = _table(["Charge lag", "Lines"], [list(b) for b in result.lag_distribution])
    late = late_lines(result.report.results, result.late_days)
    lag += f"<p class='note'>{len(late):,} late lines; the {min(len(late), 20)} latest:</p>" + _table(
        ["Row", "Provider", "Code", "DOS", "Posted", "Lag (days)"],
        [
            [r.line.source.a1(), r.line.provider, r.line.hcpcs, r.line.dos, r.line.posted, d]
            for r, d in late[:20]
        ],
    )
    headers = ["Code", "Lines", "Credited wRVU", "Est. payment ($)"]
    top_w = _table(headers, [[c.hcpcs, c.lines, c.work_rvu, c.payment] for c in result.top_by_work_rvu[:10]])
    top_p = _table(headers, [[c.hcpcs, c.lines, c.work_rvu, c.payment] for c in result.top_by_payment[:10]])
    return (
        "<h2>Charge lag</h2>"
        f"<p class='note'>Late = posted more than {result.late_days} days after service.</p>"
        + lag
        + "<h2>Top codes by credited wRVU</h2>"
        + top_w
        + "<h2>Top codes by estimated payment</h2>"
        + top_p
    )


def _documentation(result: AuditResult) -> str:
    if not result.documentation:
        return f"<h2>Documentation</h2><p class='note'>{escape(documentation.NO_COLUMNS)}</p>"
    rows = documentation.table_rows(result.documentation)
    for row in rows:
        row[3] = f"{float(row[3]):.1%}"  # type: ignore[arg-type]
    return (
        "<h2>Documentation</h2><p class='note'>Lines the documentation rules flagged (DC: note status, "
        "signature, attachments; TM: documented time) and the days from service to signature and from "
        "signature to posting.</p>" + _table(documentation.HEADERS, rows)
    )


def _sample(result: AuditResult) -> str:
    rows = [row[:9] for row in sample_rows(result)]
    return (
        f"<h2>Review sample ({len(result.sample)} encounters, seed {result.sample_seed})</h2>"
        "<p class='note'>The audit workbook's Review sample sheet has Reviewer / Result / Correct code "
        "columns to fill in; <code>rvucheck audit --reviewed audit.xlsx</code> reads them back.</p>"
        + _table(SAMPLE_HEADERS[:9], rows)
    )
