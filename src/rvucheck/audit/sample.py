"""A risk-ranked, stratified sample of encounters for chart review, reproducible from its seed.

Strata are providers, so every provider is looked at (allocation proportional to encounters, at least one each
while the size allows). Within a provider, half the picks are the riskiest encounters; the rest are a
risk-weighted random draw (Efraimidis-Spirakis keys u^(1/w)) from the remainder, seeded, so lower-risk charts
are reviewed too and an error rate can be estimated. Every pick carries the reasons that scored it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rvucheck.audit.metrics import DISTINCT_PROCEDURE_MODIFIERS, encounter_key, provider_name
from rvucheck.engine.em import FAMILY_OF_CODE
from rvucheck.model import SEVERITIES, LineResult

SEVERITY_POINTS = {"error": 3.0, "warning": 2.0, "info": 0.5}


@dataclass(frozen=True)
class Encounter:
    provider: str
    results: tuple[LineResult, ...]
    score: float
    reasons: tuple[str, ...]

    @property
    def dos(self) -> str:
        first = self.results[0].line.dos
        return first.isoformat() if first else ""

    @property
    def codes(self) -> str:
        return ", ".join(
            r.line.hcpcs + ("-" + "-".join(r.line.modifiers) if r.line.modifiers else "")
            for r in self.results
        )

    @property
    def claim(self) -> str:
        return next((r.line.claim for r in self.results if r.line.claim), "")


@dataclass(frozen=True)
class Pick:
    encounter: Encounter
    how: str  # "highest risk" or "risk-weighted draw"

    @property
    def reason(self) -> str:
        return f"{self.how}: " + ("; ".join(self.encounter.reasons) or "no risk factor (baseline draw)")


def encounters(
    results: Sequence[LineResult], flagged_mix: Collection[tuple[str, str]] = ()
) -> list[Encounter]:
    """Group lines into encounters and score them. `flagged_mix`: (provider, family key) pairs flagged."""
    grouped: dict[tuple[str, dt.date | None, str], list[LineResult]] = defaultdict(list)
    for result in results:
        grouped[encounter_key(result.line)].append(result)
    flagged = frozenset(flagged_mix)
    return [_score(provider_name(rs[0].line), tuple(rs), flagged) for rs in grouped.values()]


def _score(
    provider: str, results: tuple[LineResult, ...], flagged_mix: frozenset[tuple[str, str]]
) -> Encounter:
    score = 0.0
    reasons: list[str] = []
    findings = [f for r in results for f in r.findings]
    for severity in SEVERITIES if findings else ():
        of_severity = [f for f in findings if f.severity == severity]
        if of_severity:
            score += SEVERITY_POINTS[severity] * len(of_severity)
            rules = ", ".join(sorted({f.rule for f in of_severity}))
            reasons.append(f"{len(of_severity)} {severity}{'s' if len(of_severity) > 1 else ''} ({rules})")
    at_stake = round(sum(r.dollars_at_stake for r in results), 2)  # each line once (LineResult caps it)
    if at_stake > 0:
        score += min(at_stake / 100.0, 5.0)
        reasons.append(f"${at_stake:,.2f} at stake")
    for result in results:
        family = FAMILY_OF_CODE.get(result.line.hcpcs)
        if family is None:
            continue
        if result.line.hcpcs in family.high_codes:
            score += 1.5 if result.line.hcpcs == family.codes[-1] else 0.75
            reasons.append(f"high-level E&M {result.line.hcpcs}")
        if "25" in result.line.modifiers:
            score += 1.0
            reasons.append("E&M with modifier 25")
        if (provider, family.key) in flagged_mix:
            score += 1.0
            reasons.append(f"provider's {family.label.lower()} mix is flagged")
    if any(
        r.line.modifiers and not DISTINCT_PROCEDURE_MODIFIERS.isdisjoint(r.line.modifiers) for r in results
    ):
        score += 1.0
        reasons.append("59/X modifier")
    return Encounter(provider, results, round(score, 2), tuple(dict.fromkeys(reasons)) if reasons else ())


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Proportional allocation (largest remainder), at least one per stratum while the total allows."""
    population = sum(sizes.values())
    total = min(total, population)
    names = sorted(sizes, key=lambda n: (-sizes[n], n))
    quota = {n: total * sizes[n] / population if population else 0.0 for n in names}
    alloc = {n: min(sizes[n], max(1 if i < total else 0, int(quota[n]))) for i, n in enumerate(names)}
    while sum(alloc.values()) > total:  # the minimum of one pushed us over: take from the most over-served
        over = max((n for n in names if alloc[n] > 1), key=lambda n: (alloc[n] - quota[n], sizes[n]))
        alloc[over] -= 1
    while sum(alloc.values()) < total:
        under = max((n for n in names if alloc[n] < sizes[n]), key=lambda n: (quota[n] - alloc[n], sizes[n]))
        alloc[under] += 1
    return alloc


def review_sample(all_encounters: Sequence[Encounter], size: int, seed: int) -> list[Pick]:
    """The sample, riskiest first within each provider; same inputs and seed give the same sample."""
    rng = random.Random(seed)
    strata: dict[str, list[Encounter]] = defaultdict(list)
    for enc in all_encounters:
        strata[enc.provider].append(enc)
    quota = allocate({name: len(encs) for name, encs in strata.items()}, size)
    picks: list[Pick] = []
    for name in sorted(strata):
        ranked = sorted(strata[name], key=lambda e: -e.score)  # stable: ties keep the export's order
        wanted = quota[name]
        top = (wanted + 1) // 2
        picks.extend(Pick(e, "highest risk") for e in ranked[:top])
        rest = ranked[top:]
        keyed = sorted(rest, key=lambda e: -(rng.random() ** (1.0 / (1.0 + e.score))))
        picks.extend(Pick(e, f"risk-weighted draw (seed {seed})") for e in keyed[: wanted - top])
    return sorted(picks, key=lambda p: (-p.encounter.score, p.encounter.provider, p.encounter.dos))
