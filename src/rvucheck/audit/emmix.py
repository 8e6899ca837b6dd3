"""E&M level mix per provider and family, compared with the rest of the group and a national benchmark."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rvucheck.audit.emstats import (
    MIN_ENCOUNTERS,
    Comparison,
    compare,
    complete_shares,
    counts_by_level,
)
from rvucheck.audit.metrics import provider_name
from rvucheck.engine.em import EM_FAMILIES, EmFamily
from rvucheck.model import ChargeLine

# (specialty of the provider, family) -> (shares by code, source text), or None when there is no benchmark
BenchmarkLookup = Callable[[str, EmFamily], "tuple[Mapping[str, float], str] | None"]


@dataclass(frozen=True)
class MixRow:
    provider: str
    specialty: str
    group: str
    family: EmFamily
    counts: tuple[int, ...]
    group_counts: tuple[int, ...]  # the rest of the group (this provider left out)
    benchmark_shares: tuple[float, ...] | None  # as published (percent), None when none or partial
    benchmark_source: str
    vs_group: Comparison | None
    vs_benchmark: Comparison | None

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def flagged(self) -> bool:
        return bool(
            (self.vs_group and self.vs_group.flagged) or (self.vs_benchmark and self.vs_benchmark.flagged)
        )

    @property
    def direction(self) -> str:
        """over / under against the group, else against the benchmark; "" when not flagged."""
        for comparison in (self.vs_group, self.vs_benchmark):
            if comparison is not None and comparison.direction:
                return comparison.direction
        return ""

    @property
    def flag(self) -> str:
        """The flag as a reader takes it in: which way the mix departs."""
        return {"over": "higher levels (over?)", "under": "lower levels (under?)"}.get(self.direction, "")

    def in_words(self) -> str:
        """What the statistics say, in a sentence a physician reads: the high-level share against each
        reference, the direction, and that a flag asks for chart review, not a conclusion."""
        high = "levels " + "/".join(c[-1] for c in self.family.high_codes)
        parts = []
        references = ((self.vs_group, "the rest of the group"), (self.vs_benchmark, "the benchmark"))
        for comparison, name in references:
            if comparison is None:
                continue
            verdict = (
                f"{'higher' if comparison.direction == 'over' else 'lower'}, significant"
                if comparison.direction
                else "no significant difference"
            )
            parts.append(
                f"{comparison.high_share:.0%} at {high} against {comparison.reference_high_share:.0%} "
                f"for {name} ({verdict})"
            )
        if not parts:
            return "too few services to compare"
        text = f"{self.provider} bills " + "; ".join(parts) + "."
        if self.direction == "over":
            text += " Codes higher than peers: possible over-coding; review charts before concluding."
        elif self.direction == "under":
            text += " Codes lower than peers: possible under-coding (lost revenue); review charts."
        return text


def charted_mix(mix: Sequence[MixRow]) -> list[MixRow]:
    """The provider x family mixes worth a chart: enough services to mean something."""
    return [m for m in mix if m.total >= MIN_ENCOUNTERS]


def em_mix(lines: Sequence[ChargeLine], benchmark: BenchmarkLookup | None = None) -> list[MixRow]:
    """One row per provider and E&M family the provider billed (units count as services)."""
    services: dict[str, Counter[str]] = defaultdict(Counter)  # provider -> code -> services
    group_of: dict[str, str] = {}
    specialty_of: dict[str, str] = {}
    for line in lines:
        name = provider_name(line)
        group_of.setdefault(name, line.group)
        specialty_of.setdefault(name, line.specialty)
        services[name][line.hcpcs] += max(1, round(line.units))
    rows: list[MixRow] = []
    for family in EM_FAMILIES:
        per_provider = {name: counts_by_level(services[name], family) for name in group_of}
        for name, counts in sorted(per_provider.items()):
            if not sum(counts):
                continue
            rest = [per_provider[o] for o in per_provider if o != name and group_of[o] == group_of[name]]
            group_counts = (
                tuple(sum(level) for level in zip(*rest, strict=True)) if rest else (0,) * len(counts)
            )
            rows.append(
                _row(name, specialty_of[name], group_of[name], family, counts, group_counts, benchmark)
            )
    return rows


def _row(
    name: str,
    specialty: str,
    group: str,
    family: EmFamily,
    counts: tuple[int, ...],
    group_counts: tuple[int, ...],
    benchmark: BenchmarkLookup | None,
) -> MixRow:
    vs_group = None
    if sum(group_counts) >= MIN_ENCOUNTERS:  # a handful of colleagues' visits is no reference
        vs_group = compare(
            counts, family, "group", f"rest of group {group or '(all)'}", group_counts, sum(group_counts)
        )
    found = benchmark(specialty, family) if benchmark and specialty else None
    shares = complete_shares(found[0], family) if found else None
    source = found[1] if found else ""
    if found and shares is None:  # a partial published table: show what there is, test nothing
        given = ", ".join(f"{code} {found[0][code]:.0%}" for code in family.codes if code in found[0])
        source += f" (partial: {given}; not tested)"
    vs_benchmark = compare(counts, family, "benchmark", source, shares) if shares else None
    return MixRow(
        name, specialty, group, family, counts, group_counts, shares, source, vs_group, vs_benchmark
    )
