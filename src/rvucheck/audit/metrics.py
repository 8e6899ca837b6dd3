"""Per-provider figures of one audited month: volume, wRVU, payment, findings, modifiers, lag, top codes.

Pure functions over the engine's `Report`; nothing here reads files or the history store.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rvucheck.engine.em import is_em
from rvucheck.model import SEVERITIES, ChargeLine, LineResult
from rvucheck.settings import Provider

DISTINCT_PROCEDURE_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
LATE_DAYS = 30  # posted more than a month after the service: timely-filing and cash-flow risk
LAG_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("0-3 days", 0, 3),
    ("4-7 days", 4, 7),
    ("8-14 days", 8, 14),
    ("15-30 days", 15, 30),
    ("31-60 days", 31, 60),
    ("61-90 days", 61, 90),
    ("over 90 days", 91, 10**6),
)


@dataclass(frozen=True)
class ProviderFigures:
    provider: str
    provider_npi: str
    specialty: str
    group: str
    lines: int
    encounters: int
    work_rvu: float
    credited_work_rvu: float
    payment: float
    findings_by_severity: dict[str, int]
    findings_by_rule: dict[str, int]
    em_lines: int
    modifier_25_lines: int
    distinct_procedure_lines: int  # 59 / XE / XS / XP / XU
    em_in_global: int
    new_for_established: int
    lag_days: tuple[int, ...] = field(default=(), repr=False)
    late_lines: int = 0

    @property
    def modifier_25_rate(self) -> float:
        """Share of E&M lines billed with modifier 25."""
        return self.modifier_25_lines / self.em_lines if self.em_lines else 0.0

    @property
    def distinct_procedure_rate(self) -> float:
        """Share of all lines billed with 59 or an X{EPSU} modifier."""
        return self.distinct_procedure_lines / self.lines if self.lines else 0.0

    @property
    def median_lag(self) -> float | None:
        return float(statistics.median(self.lag_days)) if self.lag_days else None


@dataclass(frozen=True)
class CodeTotal:
    hcpcs: str
    lines: int
    units: float
    work_rvu: float
    payment: float


def provider_name(line: ChargeLine) -> str:
    return line.provider or line.provider_npi or "(no provider)"


def encounter_key(line: ChargeLine) -> tuple[str, dt.date | None, str]:
    """An encounter is one patient seen by one provider on one day (the claim when there is no patient)."""
    who = line.patient or (f"claim:{line.claim}" if line.claim else f"row:{line.source.a1()}")
    return (who, line.dos, line.provider_npi or line.provider)


def lag_days(line: ChargeLine) -> int | None:
    if line.dos is None or line.posted is None:
        return None
    return (line.posted - line.dos).days


def provider_figures(
    results: Sequence[LineResult],
    global_em_rules: Iterable[str] = (),
    new_patient_rules: Iterable[str] = (),
    late_days: int = LATE_DAYS,
) -> list[ProviderFigures]:
    """One ProviderFigures per provider, largest credited wRVU first."""
    global_rules, new_rules = frozenset(global_em_rules), frozenset(new_patient_rules)
    by_provider: dict[str, list[LineResult]] = defaultdict(list)
    for result in results:
        by_provider[provider_name(result.line)].append(result)
    figures = [
        _one_provider(name, rs, global_rules, new_rules, late_days) for name, rs in by_provider.items()
    ]
    return sorted(figures, key=lambda f: (-f.credited_work_rvu, f.provider))


def _one_provider(
    name: str,
    results: list[LineResult],
    global_rules: frozenset[str],
    new_rules: frozenset[str],
    late_days: int,
) -> ProviderFigures:
    first = results[0].line
    severities: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    for result in results:
        for finding in result.findings:
            severities[finding.severity] += 1
            rules[finding.rule] += 1
    em = [r for r in results if is_em(r.line.hcpcs)]
    lags = tuple(d for d in (lag_days(r.line) for r in results) if d is not None)
    return ProviderFigures(
        provider=name,
        provider_npi=first.provider_npi,
        specialty=Counter(r.line.specialty for r in results).most_common(1)[0][0],
        group=first.group,
        lines=len(results),
        encounters=len({encounter_key(r.line) for r in results}),
        work_rvu=round(sum(r.work_rvu or 0.0 for r in results), 2),
        credited_work_rvu=round(sum(_credited(r) for r in results), 2),
        payment=round(sum(r.payment or 0.0 for r in results), 2),
        findings_by_severity={s: severities.get(s, 0) for s in SEVERITIES},
        findings_by_rule=dict(sorted(rules.items())),
        em_lines=len(em),
        modifier_25_lines=sum(1 for r in em if "25" in r.line.modifiers),
        distinct_procedure_lines=sum(
            1 for r in results if DISTINCT_PROCEDURE_MODIFIERS & set(r.line.modifiers)
        ),
        em_in_global=sum(1 for r in results if any(f.rule in global_rules for f in r.findings)),
        new_for_established=sum(1 for r in results if any(f.rule in new_rules for f in r.findings)),
        lag_days=lags,
        late_lines=sum(1 for d in lags if d > late_days),
    )


def _credited(result: LineResult) -> float:
    # The engine's values are for the whole line (units included); credited also reflects modifiers.
    if result.credited_work_rvu is not None:
        return result.credited_work_rvu
    return result.work_rvu or 0.0


def lag_distribution(results: Sequence[LineResult]) -> list[tuple[str, int]]:
    lags = [d for d in (lag_days(r.line) for r in results) if d is not None]
    return [(label, sum(1 for d in lags if low <= d <= high)) for label, low, high in LAG_BUCKETS]


def late_lines(results: Sequence[LineResult], late_days: int = LATE_DAYS) -> list[tuple[LineResult, int]]:
    """Lines posted more than `late_days` after the service, longest lag first."""
    lagged = [(r, lag_days(r.line)) for r in results]
    late = [(r, d) for r, d in lagged if d is not None and d > late_days]
    return sorted(late, key=lambda item: (-item[1], item[0].line.source.row))


def top_codes(results: Sequence[LineResult], by: str, limit: int = 15) -> list[CodeTotal]:
    """Codes ranked by total credited wRVU (`by="work_rvu"`) or estimated payment (`by="payment"`)."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for result in results:
        entry = totals[result.line.hcpcs]
        entry[0] += 1
        entry[1] += result.line.units
        entry[2] += _credited(result)
        entry[3] += result.payment or 0.0
    rows = [CodeTotal(code, int(v[0]), v[1], round(v[2], 2), round(v[3], 2)) for code, v in totals.items()]
    key = (lambda c: c.work_rvu) if by == "work_rvu" else (lambda c: c.payment)
    return sorted(rows, key=lambda c: (-key(c), c.hcpcs))[:limit]


def findings_by_rule(results: Sequence[LineResult]) -> list[tuple[str, str, int]]:
    """(rule, severity, count), most frequent first."""
    counts: Counter[tuple[str, str]] = Counter((f.rule, f.severity) for r in results for f in r.findings)
    return [(rule, sev, n) for (rule, sev), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass(frozen=True)
class TargetRow:
    """A roster provider's month against the profile's monthly work RVU target ([providers.NPI])."""

    provider: str
    npi: str
    specialty: str
    fte: float
    credited_work_rvu: float
    target: float | None
    share_of_target: float | None  # credited / target
    work_rvu_per_fte: float


TARGET_HEADERS = ("Provider", "NPI", "Specialty", "FTE", "Credited wRVU", "Monthly target", "% of target",
                  "wRVU per FTE")  # fmt: skip


def target_values(t: TargetRow) -> tuple[object, ...]:
    """A target row's cells in TARGET_HEADERS order (workbook and HTML)."""
    return (t.provider, t.npi, t.specialty, t.fte, t.credited_work_rvu, t.target, t.share_of_target,
            t.work_rvu_per_fte)  # fmt: skip


def target_rows(figures: Sequence[ProviderFigures], roster: Sequence[Provider]) -> list[TargetRow]:
    """One row per roster provider (matched by NPI, else by name), with 0 for a month without lines."""
    by_npi = {f.provider_npi: f for f in figures if f.provider_npi}
    by_name = {f.provider.strip().upper(): f for f in figures}
    rows = []
    for p in roster:
        found = by_npi.get(p.npi) or by_name.get(p.name.strip().upper())
        credited = found.credited_work_rvu if found else 0.0
        share = round(credited / p.wrvu_target, 4) if p.wrvu_target else None
        per_fte = round(credited / p.fte, 2) if p.fte else 0.0
        rows.append(TargetRow(p.name, p.npi, p.specialty, p.fte, credited, p.wrvu_target, share, per_fte))
    return rows
