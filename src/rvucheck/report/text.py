"""Report -> plain text for the terminal: the lines' findings worst first, then the run's notes."""

from __future__ import annotations

import re

from rvucheck.model import SEVERITY_RANK, Finding, Report
from rvucheck.report.summary import Summary, all_findings, cell_address, finding_cell, run_notes

MAX_NOTES = 8

# C0/C1 controls: an ESC or BEL from a cell or a file name would drive the terminal (retitle, clear, recolour)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str, one_line: bool = False) -> str:
    """Text safe to print to a terminal: control characters as visible escapes (`\\x1b`); `one_line`:
    newlines too (an error message is one line whatever a file name holds)."""
    pattern = _CONTROL_OR_NEWLINE if one_line else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def worst_first(findings: list[Finding]) -> list[Finding]:
    """Errors before warnings before info; within a severity the most dollars at stake first, then
    sheet order, so a short list shows what costs the practice most."""
    return sorted(
        findings,
        key=lambda f: (SEVERITY_RANK.get(f.severity, 9), -(f.dollars_at_stake or 0.0), f.source.sheet,
                       f.source.row, f.rule),
    )  # fmt: skip


def to_text(report: Report, summary: Summary, limit: int | None = None) -> str:
    """Findings as `Sheet!C12: rule severity: message`, worst first, then the run's notes (findings that
    belong to no line: `note: RD04 warning: ...`), worst first, each once.

    `limit`: how many to print when an annotated copy holds them all (its Findings sheet); None prints
    every finding (--no-annotate: nowhere else to look). The figures are the summary table's job."""
    by_row = {(r.line.source.sheet, r.line.source.row): r.line for r in report.results}
    notes = run_notes(report)
    on_lines = {id(f) for f in notes}
    findings = worst_first([f for f in all_findings(report) if id(f) not in on_lines])
    shown = findings if limit is None else findings[:limit]
    lines = []
    for finding in shown:
        line = by_row.get((finding.source.sheet, finding.source.row))
        source = finding_cell(finding, line)
        lines.append(f"{cell_address(source)}: {finding.rule} {finding.severity}: {finding.message}")
    more = len(findings) - len(shown)
    if more > 0:
        lines.append(f"... and {more:,} more findings in the Findings sheet of the copy written below")
    notes = worst_first(notes)
    info = [n for n in notes if n.severity == "info"] if limit is not None else []
    if len(info) > 1:  # with a copy written, its Findings sheet holds them: one line on screen
        notes = [n for n in notes if n.severity != "info"]
    lines.extend(f"note: {n.rule} {n.severity}: {n.message}" for n in notes[:MAX_NOTES])
    if len(notes) > MAX_NOTES:
        lines.append(f"... and {len(notes) - MAX_NOTES} more notes like these")
    if len(info) > 1:
        ids = ", ".join(dict.fromkeys(n.rule for n in info))
        lines.append(f"note: {len(info)} info notes ({ids}) in the Findings sheet of the copy written below")
    # the reader's own notes (control characters shown as ?): about the file, not a rule's finding
    lines.extend(f"note: {note}" for note in summary.notes if note not in report.notes)
    return "\n".join(printable(line) for line in lines)
