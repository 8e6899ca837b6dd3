"""Everything one audit computed: the value the workbook, HTML and JSON writers render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rvucheck.audit.documentation import DocumentationFigures
from rvucheck.audit.emmix import MixRow
from rvucheck.audit.history import ProviderMonth
from rvucheck.audit.metrics import CodeTotal, ProviderFigures, TargetRow
from rvucheck.audit.sample import Pick
from rvucheck.model import Report


@dataclass(frozen=True)
class OutsideMonth:
    """Lines of one other month found in the exports of an audited month: reported, not counted or stored."""

    month: str  # YYYY-MM
    lines: int
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class AuditResult:
    month: str
    sources: tuple[str, ...]
    report: Report
    providers: tuple[ProviderFigures, ...]
    mix: tuple[MixRow, ...]
    benchmark_note: str  # where the national shares came from, or why there are none
    trend: tuple[ProviderMonth, ...]  # every stored month up to and including this one
    ytd_work_rvu: dict[str, float]  # provider -> credited wRVU, January to this month
    lag_distribution: tuple[tuple[str, int], ...]
    late_days: int
    top_by_work_rvu: tuple[CodeTotal, ...]
    top_by_payment: tuple[CodeTotal, ...]
    findings_by_rule: tuple[tuple[str, str, int], ...]
    sample: tuple[Pick, ...]
    sample_seed: int
    history_lines_used: int
    previous_months: tuple[str, ...]
    outside_month: tuple[OutsideMonth, ...] = ()  # lines of other months in the exports, by month
    # locality, CF, QPP, data used and staleness (report.run_info.run_block), echoed by every output
    run: dict[str, Any] = field(default_factory=dict)
    targets: tuple[TargetRow, ...] = ()  # the roster's wRVU against target and per FTE (rvucheck.toml)
    documentation: tuple[DocumentationFigures, ...] = ()  # DC/TM findings and note lags per provider
    titles: dict[str, str] = field(default_factory=dict)  # rule id -> title (rules and run notes)
    # patient key -> the patient id as exported: the review sample names the chart to pull; never stored
    # in the history and never written to the JSON
    patients: dict[str, str] = field(default_factory=dict, repr=False)

    def title(self, rule: str) -> str:
        return self.titles.get(rule, "")

    @property
    def outside_note(self) -> str | None:
        """One line saying which lines the exports held outside the audited month (None: there were none)."""
        if not self.outside_month:
            return None
        total = sum(o.lines for o in self.outside_month)
        parts = "; ".join(
            f"{o.month}: {o.lines:,} line{'s' if o.lines != 1 else ''}, "
            f"{o.first.isoformat()} to {o.last.isoformat()}"
            for o in self.outside_month
        )
        return (
            f"{total:,} line{'s' if total != 1 else ''} outside {self.month} not audited "
            f"(neither counted nor stored): {parts}"
        )

    @property
    def months(self) -> list[str]:
        return sorted({p.month for p in self.trend})

    def previous(self, provider: str) -> ProviderMonth | None:
        """The provider's most recent earlier month in the history."""
        earlier = [p for p in self.trend if p.provider == provider and p.month < self.month]
        return max(earlier, key=lambda p: p.month) if earlier else None

    def earlier_average(self, provider: str) -> float | None:
        """The provider's mean credited wRVU over every earlier month in the history."""
        earlier = [p.credited_work_rvu for p in self.trend if p.provider == provider and p.month < self.month]
        return round(sum(earlier) / len(earlier), 2) if earlier else None

    def rule_matrix(self) -> tuple[list[str], list[tuple[str, list[int]]]]:
        """(rule ids, [(provider, count per rule)]) of this month's findings."""
        rules = sorted({rule for p in self.providers for rule in p.findings_by_rule})
        return rules, [(p.provider, [p.findings_by_rule.get(r, 0) for r in rules]) for p in self.providers]
