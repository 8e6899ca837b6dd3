"""Report -> plain text for the terminal: findings worst first, then the release notes."""

from __future__ import annotations

import re

from rvucheck.model import SEVERITY_RANK, Finding, Report
from rvucheck.report.summary import Summary, all_findings, cell_address, finding_cell

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
    """Findings as `Sheet!C12: rule severity: message`, worst first, then the release notes.

    `limit`: how many to print when an annotated copy holds them all (its Findings sheet); None prints
    every finding (--no-annotate: nowhere else to look). The figures are the summary table's job."""
    by_row = {(r.line.source.sheet, r.line.source.row): r.line for r in report.results}
    findings = worst_first(all_findings(report))
    shown = findings if limit is None else findings[:limit]
    lines = []
    for finding in shown:
        line = by_row.get((finding.source.sheet, finding.source.row))
        source = finding_cell(finding, line)
        lines.append(f"{cell_address(source)}: {finding.rule} {finding.severity}: {finding.message}")
    more = len(findings) - len(shown)
    if more > 0:
        lines.append(f"... and {more:,} more findings in the Findings sheet of the copy written below")
    printed = {f.message for f in shown}
    notes = [note for note in summary.notes if note not in printed]  # RD02/RD03 repeat the notes
    lines.extend(f"note: {note}" for note in notes[:8])
    if len(notes) > 8:
        lines.append(f"... and {len(notes) - 8} more notes like these")
    return "\n".join(printable(line) for line in lines)
