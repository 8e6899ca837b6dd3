"""What the annotated copy will say, as compact plain data (picklable, small).

Built from the sheet layout the reader found (a plain model value, never the reader's own type) and the
engine's report; the workbook writer needs nothing else. Keeping it apart lets the check run read + engine
in a worker process and write the workbook in a process that never loaded the engine's code tables: the
two memory peaks then do not add up (issue 4's 1 GB target).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from rvucheck.annotate.result_rows import ResultRows, RowValues
from rvucheck.model import SEVERITY_RANK, ChargeLine, DocRequirement, Finding, Report, SheetLayout
from rvucheck.report.summary import Summary, all_findings, finding_cell, run_notes
from rvucheck.settings import payer_status

if TYPE_CHECKING:
    from rvucheck.annotate.since import Comparison

FINDINGS_TEXT_LIMIT = 500
# an other payer's line (the profile's medicare_payers): its Est. Payment is not what that payer pays
REFERENCE_RATE = "est. payment is the Medicare reference rate (payer not Medicare)"


class FindingRow(NamedTuple):
    """One row of the Findings sheet: where the finding is, the line's identity (a biller's work queue
    sorts and filters by date, patient, claim and provider) and what the rule says."""

    sheet: str
    row: int
    column: int
    hcpcs: str
    modifiers: str
    rule: str
    severity: str
    message: str
    fix: str
    reference: str
    dollars: float | None
    wrvu: float | None
    dos: dt.date | None = None
    patient: str = ""
    claim: str = ""
    provider: str = ""
    title: str = ""
    documentation: str = ""  # what the line's documentation must show (flagged lines with requirements)


ON_FILE = {True: "yes", False: "no", None: ""}


class DocumentationRow(NamedTuple):
    sheet: str
    row: int
    column: int
    hcpcs: str
    modifiers: str
    provider: str
    dos: dt.date | None
    needs: str  # "attachment" or "report"
    trigger: str
    text: str
    source: str
    on_file: str  # the export's attachment flag: yes / no / "" (blank, or no such column)
    note_status: str


def documentation_rows(report: Report) -> list[DocumentationRow]:
    """One row per line and requirement that must be on hand before billing, in sheet order."""
    rows = []
    for result in report.results:
        line = result.line
        for found in result.documentation:
            if not found.before_billing:
                continue
            rows.append(
                DocumentationRow(
                    line.source.sheet,
                    line.source.row,
                    line.source.column or 1,
                    line.hcpcs,
                    " ".join(line.modifiers),
                    line.provider or line.provider_npi,
                    line.dos,
                    found.before_billing,
                    found.trigger,
                    found.text,
                    found.source,
                    ON_FILE[line.attachment],
                    line.note_status,
                )
            )
    return rows


@dataclass
class Annotations:
    sheet: str
    header_row: int
    header_count: int
    rows: ResultRows = field(default_factory=ResultRows)  # each row's appended values, by row number
    notes: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # (row, column) -> note paragraphs
    totals_rows: list[int] = field(default_factory=list)
    last_row: int = 0  # last charge row (the filter stops there, above the totals)
    findings: list[FindingRow] = field(default_factory=list)
    summary: Summary | None = None
    documentation: list[DocumentationRow] = field(default_factory=list)  # lines needing a report first
    since: Comparison | None = None  # `--since`: this run's findings against the last copy's


target_cell = finding_cell  # the annotator's name for it


def short_findings(findings: tuple[Finding, ...] | list[Finding]) -> str:
    ordered = sorted(findings, key=lambda f: SEVERITY_RANK[f.severity])
    return "; ".join(f"{f.rule}: {f.message}" for f in ordered)[:FINDINGS_TEXT_LIMIT]


def _note(finding: Finding) -> str:
    return f"{finding.rule} ({finding.severity}): {finding.message}" + (
        f"\nFix: {finding.fix}" if finding.fix else ""
    )


def _one_result_per_row(rows: ResultRows, report: Report) -> ResultRows:
    """A wide claim row holds several lines (HCPCS_CD_1..13): its result cells give their sum (RVUs,
    payment), every line's global/status and findings each under its code, and the worst severity."""
    ordered = rows.sorted()
    if not ordered.has_repeats():
        return ordered
    by_row: dict[int, list[tuple[RowValues, str | None]]] = {}
    for row, values in rows.items():  # in the order the lines were checked (each code's place)
        by_row.setdefault(row, []).append((values, str(values[6]) or None))
    codes: dict[int, list[str]] = {}
    for result in report.results:
        codes.setdefault(result.line.source.row, []).append(result.line.hcpcs)
    codes.update({u.source.row: [*codes.get(u.source.row, []), "?"] for u in report.unreadable})
    merged: list[tuple[int, RowValues]] = []
    for row, entries in by_row.items():
        if len(entries) == 1:
            merged.append((row, entries[0][0]))
            continue
        labels = codes.get(row, [])
        columns = list(zip(*(values for values, _s in entries), strict=True))
        sums = [_total(column) for column in columns[:4]]
        share = FINDINGS_TEXT_LIMIT // len(entries) - 10  # every line keeps its part of the cell
        texts = [
            "; ".join(
                f"{code}: {str(v)[:share]}"
                for code, v in zip(labels, column, strict=False)
                if v not in (None, "")
            )
            for column in (columns[4], columns[5], columns[7])
        ]
        found = [s for _v, s in entries if s]
        worst = min(found, key=lambda s: SEVERITY_RANK[s]) if found else None
        values = (*sums, texts[0], texts[1], worst or "", texts[2][:FINDINGS_TEXT_LIMIT])
        merged.append((row, values))
    return ResultRows.of(merged)


def _total(values: tuple[object, ...]) -> float | None:
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    return round(sum(numbers), 4) if numbers else None


def documentation_text(requirements: tuple[DocRequirement, ...]) -> str:
    """A line's documentation requirements in one cell: "modifier 22: Operative report showing ... | ..."."""
    return " | ".join(f"{r.trigger}: {r.text}" for r in requirements)[:FINDINGS_TEXT_LIMIT]


def build_annotations(layout: SheetLayout, report: Report, summary: Summary) -> Annotations:
    plan = Annotations(sheet=layout.sheet, header_row=layout.header_row, header_count=len(layout.headers),
                       totals_rows=list(layout.totals_rows), summary=summary)  # fmt: skip
    findings = all_findings(report)
    # the lines a finding points at, by (sheet, row) and (sheet, row, column): only those (a dict of every
    # line's two keys held ~250 MB at 1,000,000 lines, at the worker's memory peak)
    wanted = {(f.source.sheet, f.source.row) for f in findings}
    lines: dict[tuple[str, int] | tuple[str, int, int | None], ChargeLine] = {}
    run = summary.extra.get("run") or {}
    payers = tuple(run.get("medicare_payers") or ()) if run.get("payers") else ()
    documented: dict[int, str] = {}  # id(line) -> its documentation requirements, for flagged lines
    for result in report.results:
        line = result.line
        if result.findings and result.documentation:
            documented[id(line)] = documentation_text(result.documentation)
        if (line.source.sheet, line.source.row) in wanted:
            lines[(line.source.sheet, line.source.row)] = line
            lines[(line.source.sheet, line.source.row, line.source.column)] = line  # a wide row's own line
        severity = result.worst_severity
        text = short_findings(result.findings) if result.findings else ""
        if result.basis:  # how the payment was cut (issue 11): beside the findings, within the cell limit
            cut = f"payment: rank {result.rank}, -${result.reduction:,.2f} ({result.basis})"
            text = "; ".join(t for t in (text, cut) if t)[:FINDINGS_TEXT_LIMIT]
        if payers and result.payment is not None and payer_status(line.payer, payers) == "other":
            text = "; ".join(t for t in (REFERENCE_RATE, text) if t)[:FINDINGS_TEXT_LIMIT]
        values = (
            result.work_rvu,
            result.credited_work_rvu,
            result.total_rvu,
            result.payment,
            result.global_days,
            result.status_code,
            severity or "",
            text,
        )
        plan.rows.add(line.source.row, values)
        for finding in result.findings:
            target = target_cell(finding, line)
            key = (target.row, target.column or line.source.column or 1)
            plan.notes.setdefault(key, []).append(_note(finding))
    for item in report.unreadable:
        reason = f"RD01: could not be read: {item.reason}"[:FINDINGS_TEXT_LIMIT]
        plan.rows.add(item.source.row, (None, None, None, None, "", "", "error", reason))
        key = (item.source.row, item.source.column or 1)
        plan.notes.setdefault(key, []).append(f"RD01 (error): could not be read: {item.reason}")
    plan.documentation = documentation_rows(report)
    plan.rows = _one_result_per_row(plan.rows, report)
    plan.last_row = plan.rows.rows[-1] if len(plan.rows) else layout.header_row
    notes = {id(f) for f in run_notes(report)}
    for finding in sorted(findings, key=lambda f: (SEVERITY_RANK[f.severity], f.source.sheet, f.source.row)):
        # a run note (no patient column, stale NCCI...) belongs to no line: no line's code beside it
        source = finding.source
        found = (
            None
            if id(finding) in notes
            else lines.get((source.sheet, source.row, source.column)) or lines.get((source.sheet, source.row))
        )
        cell = target_cell(finding, found)
        documentation = documented.get(id(found), "") if found else ""
        plan.findings.append(
            _finding_row(finding, found, (cell.sheet, cell.row, cell.column or 1), summary, documentation)
        )
    return plan


def _finding_row(
    finding: Finding,
    line: ChargeLine | None,
    where: tuple[str, int, int],
    summary: Summary,
    documentation: str,
) -> FindingRow:
    sheet, row, column = where
    return FindingRow(
        sheet,
        row,
        column,
        line.hcpcs if line else "",
        " ".join(line.modifiers) if line else "",
        finding.rule,
        finding.severity,
        finding.message,
        finding.fix,
        finding.ref,
        finding.dollars_at_stake,
        finding.wrvu_at_stake,
        line.dos if line else None,
        line.patient if line else "",
        line.claim if line else "",
        (line.provider or line.provider_npi) if line else "",
        summary.titles.get(finding.rule, ""),
        documentation,
    )
