"""Medicare-only rules on lines of other payers.

A rule file says whether it is Medicare payment or coverage policy (`scope: medicare`: fee-schedule
indicators, global periods, frequency limits, lab NCDs, therapy KX, G2211 ...) or coding correctness every
payer holds to (the default: NCCI, MUE, code and diagnosis validity). When the practice profile lists the
payer names that are Medicare (`medicare_payers` in rvucheck.toml) and a line's payer is not one of them,
that line is not a Medicare claim: a Medicare-only finding on it is shown as info, with a plain note, and
puts no dollars at stake (its figure is a share of the Medicare rate). A line with no payer is unknown and
keeps its findings as they are; without `medicare_payers` nothing changes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from rvucheck.model import Finding, Report
from rvucheck.settings import Settings, payer_status

MEDICARE = "medicare"


def medicare_only(rules: Iterable[object]) -> frozenset[str]:
    """Ids of the rules whose files say `scope: medicare`."""
    return frozenset(getattr(rule, "id", "") for rule in rules if getattr(rule, "scope", "all") == MEDICARE)


def apply(report: Report, rules: Iterable[object], settings: Settings) -> Report:
    """The report with Medicare-only findings on other payers' lines shown as info (see the module note)."""
    payers = settings.medicare_payers
    scoped = medicare_only(rules) if payers else frozenset()
    if not scoped:
        return report
    results, changed = [], False
    for result in report.results:
        findings = result.findings
        if any(f.rule in scoped for f in findings) and payer_status(result.line.payer, payers) == "other":
            findings = tuple(
                _as_other_payer(f, result.line.payer) if f.rule in scoped else f for f in findings
            )
            result = dataclasses.replace(result, findings=findings)
            changed = True
        results.append(result)
    return dataclasses.replace(report, results=tuple(results)) if changed else report


def _as_other_payer(finding: Finding, payer: str) -> Finding:
    note = (
        f" [not a Medicare claim (payer {' '.join(payer.split())}): Medicare payment policy, "
        f"{finding.severity} on Medicare claims; check this payer's own rules]"
    )
    return dataclasses.replace(
        finding, severity="info", message=finding.message + note, dollars_at_stake=None
    )
