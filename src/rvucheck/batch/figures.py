"""The run's figures as sums that merge across buckets: per provider the audit's volume figures (lines,
work RVU, credited work RVU, payment, E&M lines and services by code, modifier 25 and 59/X{EPSU} lines,
E&M in a global period, new-patient codes for established patients, findings by severity and rule, late
lines, modifiers), and the run's totals (findings by severity and by rule, dollars at stake, releases).

Every figure is a count or an unrounded sum of one bucket's lines, so adding the buckets' figures gives the
whole run's, exactly what one engine run and the audit's `provider_figures` / `em_mix` give (rounded only
when shown). Encounters are not summed: an encounter of lines with no patient id is keyed by claim, and a
claim's lines with blank patient keys may sit in different buckets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rvucheck.audit.metrics import DISTINCT_PROCEDURE_MODIFIERS, LATE_DAYS, provider_name
from rvucheck.batch.notes import Note
from rvucheck.engine.em import is_em
from rvucheck.model import SEVERITIES, BlankedRef, LineResult, UnreadableLine
from rvucheck.report.summary import MAX_BLANKED_NOTES, blanked_warning, first_blanked


@dataclass
class ProviderSums:
    provider: str
    provider_npi: str = ""
    lines: int = 0
    work_rvu: float = 0.0
    credited_work_rvu: float = 0.0
    payment: float = 0.0
    em_lines: int = 0
    modifier_25_lines: int = 0
    distinct_procedure_lines: int = 0
    em_in_global: int = 0
    new_for_established: int = 0
    late_lines: int = 0
    findings_by_severity: Counter[str] = field(default_factory=Counter)
    findings_by_rule: Counter[str] = field(default_factory=Counter)
    em_services: Counter[str] = field(default_factory=Counter)  # E&M code -> services (units), as em_mix
    modifiers: Counter[str] = field(default_factory=Counter)  # modifier -> lines carrying it

    def add(self, other: ProviderSums) -> None:
        self.provider_npi = self.provider_npi or other.provider_npi
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in _COUNTED:
            getattr(self, name).update(getattr(other, name))

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"provider": self.provider, "provider_npi": self.provider_npi}
        for name in _SUMMED:
            value = getattr(self, name)
            out[name] = round(value, 2) if isinstance(value, float) else value
        out["findings_by_severity"] = {s: self.findings_by_severity.get(s, 0) for s in SEVERITIES}
        for name in _COUNTED[1:]:
            out[name] = dict(sorted(getattr(self, name).items()))
        return out


_SUMMED = ("lines", "work_rvu", "credited_work_rvu", "payment", "em_lines", "modifier_25_lines",
           "distinct_procedure_lines", "em_in_global", "new_for_established", "late_lines")  # fmt: skip
_COUNTED = ("findings_by_severity", "findings_by_rule", "em_services", "modifiers")


@dataclass
class RunSums:
    """A bucket's (or the run's) figures; `add` merges another's."""

    lines: int = 0
    history_lines: int = 0
    findings: Counter[str] = field(default_factory=Counter)  # severity -> line findings
    rules: Counter[str] = field(default_factory=Counter)
    rule_dollars: dict[str, float] = field(default_factory=dict)
    dollars_at_stake: float = 0.0
    releases: dict[str, tuple[int, int]] = field(default_factory=dict)  # release -> (lines, first line_id)
    providers: dict[str, ProviderSums] = field(default_factory=dict)
    # lines whose cells held Excel errors read as blank: how many, and the first ones' (line_id, warning)
    blanked_rows: int = 0
    blanked: list[tuple[int, str]] = field(default_factory=list)

    def add(self, other: RunSums) -> None:
        self.lines += other.lines
        self.history_lines += other.history_lines
        self.findings.update(other.findings)
        self.rules.update(other.rules)
        for rule, dollars in other.rule_dollars.items():
            self.rule_dollars[rule] = self.rule_dollars.get(rule, 0.0) + dollars
        self.dollars_at_stake += other.dollars_at_stake
        for release, (count, first) in other.releases.items():
            mine = self.releases.get(release, (0, first))
            self.releases[release] = (mine[0] + count, min(mine[1], first))
        for name, sums in other.providers.items():
            self.providers.setdefault(name, ProviderSums(name)).add(sums)
        self.blanked_rows += other.blanked_rows
        self.blanked = sorted(self.blanked + other.blanked)[:MAX_BLANKED_NOTES]

    def release(self) -> str:
        """The releases that priced the lines, most lines first (ties: first met), as Report.release."""
        ordered = sorted(self.releases.items(), key=lambda item: (-item[1][0], item[1][1]))
        return ", ".join(release for release, _ in ordered)

    def provider_list(self) -> list[dict[str, Any]]:
        ordered = sorted(self.providers.values(), key=lambda p: (-round(p.credited_work_rvu, 2), p.provider))
        return [p.as_json() for p in ordered]


def bucket_sums(
    results: Sequence[LineResult],
    ids: Sequence[int],
    history_lines: int,
    global_rules: Iterable[str],
    new_rules: Iterable[str],
) -> RunSums:
    """One bucket's figures from its report's line results (`ids`: their line_ids)."""
    sums = RunSums(lines=len(results), history_lines=history_lines)
    global_set, new_set = frozenset(global_rules), frozenset(new_rules)
    for line_id, result in zip(ids, results, strict=True):
        if result.findings:  # most lines have none: their dollars at stake are 0.0, adding it changes nothing
            for finding in result.findings:
                sums.findings[finding.severity] += 1
                sums.rules[finding.rule] += 1
                dollars = sums.rule_dollars
                dollars[finding.rule] = dollars.get(finding.rule, 0.0) + (finding.dollars_at_stake or 0.0)
            sums.dollars_at_stake += result.dollars_at_stake
        if result.release:
            count, first = sums.releases.get(result.release, (0, line_id))
            sums.releases[result.release] = (count + 1, first)
        _add_line(sums, result, global_set, new_set)
        if type(result.line.source) is BlankedRef:
            sums.blanked_rows += 1
            if len(sums.blanked) < MAX_BLANKED_NOTES:
                sums.blanked.append((line_id, blanked_warning(result.line.source)))
    return sums


def _add_line(
    sums: RunSums, result: LineResult, global_rules: frozenset[str], new_rules: frozenset[str]
) -> None:
    """One line into its provider's sums (the hot loop: a million lines a run, so plain statements)."""
    line = result.line
    name = line.provider or line.provider_npi or "(no provider)"  # audit.metrics.provider_name
    p = sums.providers.get(name)
    if p is None:
        p = sums.providers[name] = ProviderSums(provider_name(line), line.provider_npi)
    p.lines += 1
    work = result.work_rvu or 0.0
    p.work_rvu += work
    p.credited_work_rvu += result.credited_work_rvu if result.credited_work_rvu is not None else work
    p.payment += result.payment or 0.0
    mods = line.modifiers
    if is_em(line.hcpcs):
        p.em_lines += 1
        p.em_services[line.hcpcs] += max(1, round(line.units))
        if "25" in mods:
            p.modifier_25_lines += 1
    if mods:
        if not DISTINCT_PROCEDURE_MODIFIERS.isdisjoint(mods):
            p.distinct_procedure_lines += 1
        counts = p.modifiers
        for mod in set(mods):
            counts[mod] += 1
    if line.posted is not None and line.dos is not None and (line.posted - line.dos).days > LATE_DAYS:
        p.late_lines += 1  # audit.metrics.lag_days
    if result.findings:
        rules = {f.rule for f in result.findings}
        p.em_in_global += not global_rules.isdisjoint(rules)
        p.new_for_established += not new_rules.isdisjoint(rules)
        for finding in result.findings:
            p.findings_by_severity[finding.severity] += 1
            p.findings_by_rule[finding.rule] += 1


def run_summary(
    sums: RunSums, notes: list[Note], ncci_quarter: str, unread: int, unreadable: list[UnreadableLine]
) -> dict[str, Any]:
    """The summary's figures, the same keys from either engine (batch.local and batch.spark add their own:
    file, engine, workers ...); `unread` rows could not be read, the first of them are `unreadable`."""
    findings = {s: sums.findings.get(s, 0) for s in ("error", "warning", "info")}
    findings["error"] += unread  # RD01: each unreadable row once
    for note in notes:
        findings[note.severity] = findings.get(note.severity, 0) + 1
    rules = {
        rule: {"count": n, "dollars_at_stake": round(sums.rule_dollars[rule], 2)}
        for rule, n in sorted(sums.rules.items())
    }
    return {
        "lines": sums.lines + unread, "checked": sums.lines, "unreadable": unread,
        "history_lines": sums.history_lines, "findings": findings, "rules": rules,
        "dollars_at_stake": round(sums.dollars_at_stake, 2), "release": sums.release(),
        "ncci_quarter": ncci_quarter,
        "notes": [{"rule": n.rule, "severity": n.severity, "message": n.message} for n in notes],
        "unreadable_rows": [{"row": u.source.row, "reason": u.reason} for u in unreadable],
        "providers": sums.provider_list(),
        # what the single-process summary notes of cells read as blank for an Excel error (report.summary)
        "warnings": list(first_blanked([text for _id, text in sums.blanked], sums.blanked_rows)),
    }  # fmt: skip
