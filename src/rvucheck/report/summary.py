"""Report -> the summary figures. One place computes the figures every output shows.

Counting: `lines` = rows read = checked + unreadable (totals rows and blank rows are counted apart);
findings by severity count line findings plus run findings (RD01 unreadable rows, RD02/RD03 data notes,
RD04-RD07 columns the export lacks); `run_notes` are the run findings that belong to no line.

Dollars at stake: each rule's figure is the sum of its findings (what that rule alone puts at risk). The
total and the per-provider figures count each line once: several rules often fire on one line (GS01 and
NC02 on one E&M, LN01 and MU02 on a duplicate) and a line cannot lose more than it pays, so per line the
findings' dollars are summed and capped at the line's est. payment (at the largest single finding's figure
when the line has no price); findings not on a line (run findings) add their own figure.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rvucheck.model import (
    SEVERITIES,
    BlankedRef,
    CellRef,
    ChargeLine,
    Finding,
    LineResult,
    Report,
    SegmentRef,
)
from rvucheck.settings import payer_status

# What a line's est. payment is, by its payer (the profile's medicare_payers): JSON lines' `payment_basis`.
PAYMENT_BASIS = {
    "medicare": "medicare_fee_schedule",
    "other": "medicare_reference_rate",  # not a Medicare claim: the Medicare rate, not what the payer pays
    "unknown": "medicare_fee_schedule_payer_unknown",
}

# The notes the engine itself reports (no rule file holds them): the title shown beside their id.
RUN_NOTE_TITLES = {
    "RD01": "Row could not be read",
    "RD02": "NCCI edits older or newer than the dates checked",
    "RD03": "Date priced from another fee schedule release",
    "RD04": "No patient column: rules that link lines not run",
    "RD05": "No date of service column: rules that need dates not run",
    "RD06": "No provider column: one provider assumed",
    "RD07": "No diagnosis column: diagnosis rules not run",
    "RD09": "Dates outside the installed ICD-10-CM code sets",
    "RD10": "No group column: therapy MPPR taken across one group",
    "RD13": "Part B drug prices from another quarter",
    "RD14": "No minutes column: time rules not run",
    "RD15": "No note status or signature date column: note rules not run",
    "RD16": "No attachment column: attachment rules not run",
}

_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def sheet_prefix(sheet: str) -> str:
    """`Charges!` or `'Charge Detail'!`: quoted only when Excel needs the quotes."""
    if _PLAIN_SHEET.fullmatch(sheet):
        return f"{sheet}!"
    return "'" + sheet.replace("'", "''") + "'!"


def cell_address(ref: CellRef) -> str:
    """`'Charge Detail'!H12` as Excel writes a reference (CellRef.a1() never quotes); an X12 line's place
    as `claims.837 segment 57` (no cells)."""
    if isinstance(ref, SegmentRef):
        return ref.a1()
    return sheet_prefix(ref.sheet) + ref.a1().split("!", 1)[1]


@dataclass(frozen=True)
class ProviderFigures:
    provider: str
    lines: int
    work_rvu: float
    credited_work_rvu: float
    payment: float
    findings: dict[str, int]
    dollars_at_stake: float = 0.0  # each line counted once, capped at its payment (see the module note)


@dataclass(frozen=True)
class RuleFigures:
    rule: str
    severity: str
    count: int
    dollars_at_stake: float
    wrvu_at_stake: float
    example: str  # first message, so a table of rules reads on its own


@dataclass(frozen=True)
class CodeFigures:
    hcpcs: str
    lines: int
    units: float
    work_rvu: float
    payment: float


@dataclass(frozen=True)
class Summary:
    lines: int
    checked: int
    unreadable: int
    findings: dict[str, int]
    work_rvu: float
    credited_work_rvu: float
    payment: float
    release: str
    ncci_quarter: str
    notes: tuple[str, ...] = ()
    totals_rows: tuple[int, ...] = ()
    blank_rows: int = 0
    hidden_rows: tuple[int, ...] = ()  # hidden rows that were read and checked like the others
    providers: tuple[ProviderFigures, ...] = ()
    rules: tuple[RuleFigures, ...] = ()
    top_codes_by_wrvu: tuple[CodeFigures, ...] = ()
    top_codes_by_payment: tuple[CodeFigures, ...] = ()
    dollars_at_stake: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # rule id -> title (rules and run notes)


def finding_cell(finding: Finding, line: ChargeLine | None) -> CellRef:
    """The cell a finding is about: the column of its field when the line has one, else the code cell."""
    if line is None or not finding.field:
        return finding.source
    column = line.column_of(finding.field)
    if column is None:
        return finding.source
    return dataclasses.replace(finding.source, column=column)


def all_findings(report: Report) -> list[Finding]:
    return [f for r in report.results for f in r.findings] + list(report.run_findings)


def run_notes(report: Report) -> list[Finding]:
    """The run findings that belong to no line: all but RD01 (an unreadable row is a line of its own)."""
    unreadable = {item.source for item in report.unreadable}
    return [f for f in report.run_findings if not (f.rule == "RD01" and f.source in unreadable)]


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts: Counter[str] = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in SEVERITIES}


def summarize(
    report: Report,
    totals_rows: tuple[int, ...] = (),
    blank_rows: int = 0,
    top: int = 10,
    hidden_rows: tuple[int, ...] = (),
    control_rows: tuple[int, ...] = (),
    titles: dict[str, str] | None = None,
) -> Summary:
    """The figures; `titles`: rule id -> title for the rules of the run (run notes' titles are added)."""
    findings = all_findings(report)
    code_rows = _code_figures(report)
    return Summary(
        lines=len(report.results) + len(report.unreadable),
        checked=len(report.results),
        unreadable=len(report.unreadable),
        findings=severity_counts(findings),
        work_rvu=round(sum(r.work_rvu or 0.0 for r in report.results), 2),
        credited_work_rvu=round(sum(r.credited_work_rvu or 0.0 for r in report.results), 2),
        payment=round(sum(r.payment or 0.0 for r in report.results), 2),
        release=report.release,
        ncci_quarter=report.ncci_quarter,
        notes=report.notes + _control_note(control_rows) + blanked_notes(report),
        totals_rows=tuple(totals_rows),
        blank_rows=blank_rows,
        hidden_rows=tuple(hidden_rows),
        providers=_provider_figures(report),
        rules=_rule_figures(findings),
        top_codes_by_wrvu=tuple(sorted(code_rows, key=lambda c: (-c.work_rvu, c.hcpcs))[:top]),
        top_codes_by_payment=tuple(sorted(code_rows, key=lambda c: (-c.payment, c.hcpcs))[:top]),
        dollars_at_stake=round(
            sum(r.dollars_at_stake for r in report.results)
            + sum(f.dollars_at_stake or 0.0 for f in report.run_findings),
            2,
        ),
        titles={**RUN_NOTE_TITLES, **(titles or {})},
    )


def _provider_figures(report: Report) -> tuple[ProviderFigures, ...]:
    providers: dict[str, list[LineResult]] = defaultdict(list)
    for result in report.results:
        providers[result.line.provider or result.line.provider_npi or "(no provider)"].append(result)
    return tuple(
        ProviderFigures(
            provider=name,
            lines=len(results),
            work_rvu=round(sum(r.work_rvu or 0.0 for r in results), 2),
            credited_work_rvu=round(sum(r.credited_work_rvu or 0.0 for r in results), 2),
            payment=round(sum(r.payment or 0.0 for r in results), 2),
            findings=severity_counts([f for r in results for f in r.findings]),
            dollars_at_stake=round(sum(r.dollars_at_stake for r in results), 2),
        )
        for name, results in sorted(providers.items())
    )


def _rule_figures(findings: list[Finding]) -> tuple[RuleFigures, ...]:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.rule].append(finding)
    return tuple(
        sorted(
            (
                RuleFigures(
                    rule=rule,
                    severity=items[0].severity,
                    count=len(items),
                    dollars_at_stake=round(sum(f.dollars_at_stake or 0.0 for f in items), 2),
                    wrvu_at_stake=round(sum(f.wrvu_at_stake or 0.0 for f in items), 2),
                    example=items[0].message,
                )
                for rule, items in by_rule.items()
            ),
            key=lambda r: (-r.count, r.rule),
        )
    )


def _code_figures(report: Report) -> list[CodeFigures]:
    codes: dict[str, list[LineResult]] = defaultdict(list)
    for result in report.results:
        codes[result.line.hcpcs].append(result)
    return [
        CodeFigures(
            hcpcs=code,
            lines=len(results),
            units=sum(r.line.units for r in results),
            work_rvu=round(sum(r.work_rvu or 0.0 for r in results), 2),
            payment=round(sum(r.payment or 0.0 for r in results), 2),
        )
        for code, results in codes.items()
    ]


def payer_figures(report: Report, medicare_payers: tuple[str, ...]) -> dict[str, Any] | None:
    """Lines and est. payment of Medicare, other-payer and payer-unknown lines, and `unlisted`: the other
    payers whose name says Medicare (lines each; a Medicare Advantage plan, or a Medicare name missing
    from the profile). None when the profile lists no Medicare payers or no line names a payer (no payer
    column): then nothing is split."""
    if not medicare_payers or not any(r.line.payer for r in report.results):
        return None
    out: dict[str, Any] = {status: {"lines": 0, "payment": 0.0} for status in PAYMENT_BASIS}
    unlisted: Counter[str] = Counter()
    for result in report.results:
        status = payer_status(result.line.payer, medicare_payers)
        out[status]["lines"] += 1
        out[status]["payment"] += result.payment or 0.0
        if status == "other" and "medicare" in result.line.payer.casefold():
            unlisted[" ".join(result.line.payer.split())] += 1
    for key in PAYMENT_BASIS:
        out[key]["payment"] = round(out[key]["payment"], 2)
    out["unlisted"] = dict(unlisted.most_common())
    return out


MAX_BLANKED_NOTES = 10


def blanked_warning(source: CellRef) -> str:
    """A line's cells that held an Excel error and were read as blank (read.rows: not cells it needs), by
    cell and error, never a value; "" for any other line."""
    if not isinstance(source, BlankedRef):
        return ""
    cells = " and ".join(
        f"{cell_address(CellRef(source.sheet, source.row, column))} ({error})"
        for column, error in source.blanked
    )
    one = len(source.blanked) == 1
    holds, them = ("holds an Excel error", "it") if one else ("hold Excel errors", "them")
    return (
        f"row {source.row}: {cells} {holds} (a formula that failed), read as blank: the line is checked "
        f"without {them}; fix {them} in the export"
    )


def blanked_notes(report: Report) -> tuple[str, ...]:
    """One warning per row whose cells were read as blank for an Excel error (the first ten, then a count)."""
    found = [text for r in report.results if (text := blanked_warning(r.line.source))]
    return first_blanked(found, len(found))


def first_blanked(first: Sequence[str], rows: int) -> tuple[str, ...]:
    """The first MAX_BLANKED_NOTES of `rows` warnings of blanked cells (`first`: at least those), then how
    many more there are (the batch engines give the first of each bucket and the count)."""
    more = rows - MAX_BLANKED_NOTES
    tail = (f"... and {more} more rows with Excel errors read as blank",) if more > 0 else ()
    return tuple(first[:MAX_BLANKED_NOTES]) + tail


def _control_note(rows: tuple[int, ...]) -> tuple[str, ...]:
    """One note for every control character the reader replaced (terminal escapes, characters a workbook
    cannot hold): the outputs show each as "?"."""
    if not rows:
        return ()
    shown = ", ".join(str(r) for r in rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
    return (
        f"{len(rows)} row(s) hold control characters, shown as ? in every output (rows {shown}); "
        "they are not text a person typed: check the export",
    )
