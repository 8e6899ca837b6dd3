"""Report -> the `--format json` object and the `--format csv` text (safe to open in Excel)."""

from __future__ import annotations

import csv
import functools
import io
from typing import Any

from rvucheck.model import CellRef, Finding, LineResult, Report
from rvucheck.refdata.pricing import nonpar
from rvucheck.report.formula_text import looks_like_formula
from rvucheck.report.summary import (
    PAYMENT_BASIS,
    Summary,
    all_findings,
    blanked_warning,
    cell_address,
    finding_cell,
    run_notes,
)
from rvucheck.settings import payer_status


def note_dict(finding: Finding) -> dict[str, Any]:
    """A finding that belongs to no line (a run note), as the JSON outputs list it."""
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "fix": finding.fix,
    }


def to_json_obj(report: Report, summary: Summary) -> dict[str, Any]:
    """The `--format json` object: `summary`, `lines` with exactly the keys issue 4 names (plus issue
    11's `rank`, `reduction`, `basis`: the multiple-procedure rank, the dollars it took off, which rule;
    issue 18's `documentation`: what a flagged line's record must show, with sources), and `notes`.

    Unreadable rows are lines too (hcpcs as far as known, their RD01 finding), so every row read appears.
    `notes` holds every finding that belongs to no line (RD02 stale NCCI, RD03 release, RD04-RD07 missing
    columns): the summary's counts are the lines' findings plus the notes, nothing else."""
    run = summary.extra.get("run") or {}
    payers = tuple(run.get("medicare_payers") or ()) if run.get("payers") else ()
    lines: list[dict[str, Any]] = [
        {
            "sheet": r.line.source.sheet,
            "row": r.line.source.row,
            **_segment(r.line.source),
            "hcpcs": r.line.hcpcs,
            "modifiers": list(r.line.modifiers),
            "units": r.line.units,
            "work_rvu": r.work_rvu,
            "payment": r.payment,
            **_nonpar(r.payment, r.status_code),
            "rank": r.rank,
            "reduction": r.reduction,
            "basis": r.basis,
            "findings": [{"rule": f.rule, "severity": f.severity, "message": f.message} for f in r.findings],
            "documentation": _documentation(r) if r.findings else [],
            **_warnings(r.line.source),
            # with the profile's medicare_payers and a payer column: what the est. payment is for this payer
            **({"payment_basis": PAYMENT_BASIS[payer_status(r.line.payer, payers)]} if payers else {}),
        }
        for r in report.results
    ]
    unreadable_findings = {(f.source.sheet, f.source.row): f for f in report.run_findings if f.rule == "RD01"}
    for item in report.unreadable:
        finding = unreadable_findings.get((item.source.sheet, item.source.row))
        message = finding.message if finding else f"{item.source.place()} could not be read: {item.reason}"
        lines.append(
            {
                "sheet": item.source.sheet,
                "row": item.source.row,
                **_segment(item.source),
                "hcpcs": "",
                "modifiers": [],
                "units": None,
                "work_rvu": None,
                "payment": None,
                "non_participating": None,
                "limiting_charge": None,
                "rank": None,
                "reduction": None,
                "basis": "",
                "findings": [{"rule": "RD01", "severity": "error", "message": message}],
                "documentation": [],
            }
        )
    lines.sort(key=lambda entry: (entry["sheet"], entry["row"]))
    return {
        "run": summary.extra.get("run"),
        "summary": {
            "lines": summary.lines,
            "checked": summary.checked,
            "unreadable": summary.unreadable,
            "totals": len(summary.totals_rows),  # rows apart from `lines` (not checked), as `blank` is
            "blank": summary.blank_rows,
            "findings": dict(summary.findings),
            "work_rvu": summary.work_rvu,
            "payment": summary.payment,
            "release": summary.release,
        },
        "lines": lines,
        "notes": [note_dict(f) for f in run_notes(report)],
    }


def _warnings(source: CellRef) -> dict[str, list[str]]:
    """`warnings`, only on a line whose cells held Excel errors read as blank (report.summary)."""
    text = blanked_warning(source)
    return {"warnings": [text]} if text else {}


def _segment(source: CellRef) -> dict[str, int]:
    """An X12 line's `row` is its segment number: said as `segment` too (added; `row` stays for readers)."""
    return {"segment": source.row} if source.unit == "segment" else {}


def _documentation(result: LineResult) -> list[dict[str, str]]:
    """What a flagged line's documentation must show (refdata.documentation), each with its source."""
    return [
        {
            "id": d.id,
            "trigger": d.trigger,
            "text": d.text,
            "source": d.source,
            "before_billing": d.before_billing,
        }
        for d in result.documentation
    ]


def _nonpar(payment: float | None, status_code: str) -> dict[str, float | None]:
    """The line's non-participating amount and limiting charge; None: a drug, an unpaid status, no price."""
    if payment is None or not nonpar.applies(status_code):
        return {"non_participating": None, "limiting_charge": None}
    return dict(_nonpar_amounts(payment))


@functools.lru_cache(maxsize=65536)
def _nonpar_amounts(payment: float) -> tuple[tuple[str, float], ...]:
    """Decimal rounding per line costs 10 us; a month repeats a few thousand fees (100k lines: 0.7 s)."""
    return tuple(nonpar.amounts(payment).items())


CSV_COLUMNS = (
    "sheet", "row", "cell", "hcpcs", "modifiers", "units", "rule", "severity", "message", "fix", "reference",
    "dollars_at_stake", "wrvu_at_stake",
)  # fmt: skip


def safe_text(value: object) -> str:
    """Text that Excel will not run as a formula when it opens the file (formula injection): a CSV cell
    has no quote prefix, so a leading apostrophe stands in for it."""
    text = "" if value is None else str(value)
    if looks_like_formula(text):
        return "'" + text
    return text


def to_csv(report: Report) -> str:
    """One row per finding (line findings, then run findings), safe to open in Excel. An X12 file's rows
    add a last column, `segment` (the same number as `row`, which counts segments there)."""
    by_row = {(r.line.source.sheet, r.line.source.row): r.line for r in report.results}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    findings = all_findings(report)
    segments = bool(findings) and findings[0].source.unit == "segment"
    writer.writerow(CSV_COLUMNS + (("segment",) if segments else ()))
    for finding in findings:
        line = by_row.get((finding.source.sheet, finding.source.row))
        cell = cell_address(finding_cell(finding, line))
        writer.writerow(
            [
                safe_text(finding.source.sheet),
                finding.source.row,
                safe_text(cell),
                safe_text(line.hcpcs if line else ""),
                safe_text(" ".join(line.modifiers) if line else ""),
                line.units if line else "",
                finding.rule,
                finding.severity,
                safe_text(finding.message),
                safe_text(finding.fix),
                safe_text(finding.ref),
                "" if finding.dollars_at_stake is None else finding.dollars_at_stake,
                "" if finding.wrvu_at_stake is None else finding.wrvu_at_stake,
                *((finding.source.row,) if segments else ()),
            ]
        )
    return out.getvalue()
