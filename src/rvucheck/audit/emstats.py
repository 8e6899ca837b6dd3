"""E&M level mix and the statistics that say whether a provider's mix departs from a reference mix.

Two statistics, both implemented here (no scipy):
- Pearson chi-square goodness of fit of the provider's level counts against the reference shares. Levels
  whose expected count is below 5 are pooled with their neighbour (the usual validity rule for the test);
  p-value from the chi-square survival function, i.e. the regularised upper incomplete gamma Q(df/2, x/2).
- The share of the family's high levels (4+5 of a five-level family, the top level of a three-level one) as a
  z-score: one-sample against a benchmark share, two-proportion against the rest of the group.
A provider is flagged when the chi-square p-value is below `ALPHA` and the high-level share differs by at
least `MIN_HIGH_SHARE_GAP`: the p-value alone flags trivial differences in large volumes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rvucheck.engine.em import EmFamily

ALPHA = 0.01
MIN_HIGH_SHARE_GAP = 0.10
MIN_ENCOUNTERS = 10  # below this a mix says nothing


@dataclass(frozen=True)
class Comparison:
    """One provider's mix in one family against one reference (the group, or a national benchmark)."""

    reference: str  # "group" or "benchmark"
    reference_source: str
    reference_shares: tuple[float, ...]
    chi_square: float | None
    df: int | None
    p_value: float | None
    high_share: float
    reference_high_share: float
    z_score: float | None
    flagged: bool

    @property
    def direction(self) -> str:
        """ "over" when the provider bills the high levels more often than the reference, "under" when less
        often; "" when not flagged (a difference the test does not support is no direction)."""
        if not self.flagged or self.high_share == self.reference_high_share:
            return ""
        return "over" if self.high_share > self.reference_high_share else "under"

    @property
    def statistic(self) -> str:
        """The statistic in words, as shown next to a flag."""
        parts = []
        if self.chi_square is not None and self.p_value is not None:
            parts.append(f"chi-square GOF {self.chi_square:.1f}, df={self.df}, p={format_p(self.p_value)}")
        if self.z_score is not None:
            parts.append(
                f"high-level share {self.high_share:.0%} vs {self.reference_high_share:.0%}, "
                f"z={self.z_score:+.2f}"
            )
        return "; ".join(parts) or "too few encounters for a test"


def format_p(p: float) -> str:
    # three significant figures, so a p just under the 0.01 threshold does not print as 0.0100
    return "<0.0001" if p < 0.0001 else f"{p:.3g}"


def counts_by_level(services: Mapping[str, int], family: EmFamily) -> tuple[int, ...]:
    """Services per level of `family` from services per code (a count, never a list per unit: one line's
    units can be 1e9)."""
    return tuple(services.get(level, 0) for level in family.codes)


def shares(counts: Sequence[float]) -> tuple[float, ...]:
    total = sum(counts)
    return tuple(c / total for c in counts) if total else tuple(0.0 for _ in counts)


def high_share(values: Sequence[float], family: EmFamily) -> float:
    total = sum(values)
    high = sum(v for code, v in zip(family.codes, values, strict=True) if code in family.high_codes)
    return high / total if total else 0.0


def chi_square_gof(
    observed: Sequence[int], expected_shares: Sequence[float]
) -> tuple[float, int, float] | None:
    """(statistic, df, p), adjacent cells pooled until each expected count is >= 5; None if < 2 cells."""
    n = sum(observed)
    total_share = sum(expected_shares)
    if n == 0 or total_share <= 0:
        return None
    pooled: list[tuple[float, float]] = []
    obs_acc = exp_acc = 0.0
    for obs, share in zip(observed, expected_shares, strict=True):
        obs_acc += obs
        exp_acc += n * share / total_share
        if exp_acc >= 5:
            pooled.append((obs_acc, exp_acc))
            obs_acc = exp_acc = 0.0
    if exp_acc > 0 or obs_acc > 0:
        if pooled:
            last_obs, last_exp = pooled.pop()
            pooled.append((last_obs + obs_acc, last_exp + exp_acc))
        else:
            pooled.append((obs_acc, exp_acc))
    if len(pooled) < 2:
        return None
    statistic = sum((o - e) ** 2 / e for o, e in pooled)
    df = len(pooled) - 1
    return statistic, df, chi_square_sf(statistic, df)


def chi_square_sf(x: float, df: int) -> float:
    """P(X >= x) for chi-square with df degrees of freedom = Q(df/2, x/2)."""
    if x <= 0:
        return 1.0
    return _upper_gamma_regularized(df / 2.0, x / 2.0)


def _upper_gamma_regularized(a: float, x: float) -> float:
    # Numerical Recipes: series for x < a+1, continued fraction (Lentz) otherwise.
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(1000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_prefix) * h)


def compare(
    counts: Sequence[int],
    family: EmFamily,
    reference: str,
    reference_source: str,
    reference_values: Sequence[float],
    reference_n: int | None = None,
) -> Comparison:
    """Compare a provider's counts with reference counts (group: reference_n = their total) or shares."""
    ref_shares = shares(reference_values)
    n = sum(counts)
    mine_high = high_share(counts, family)
    ref_high = high_share(ref_shares, family)
    test = chi_square_gof(counts, ref_shares) if n >= MIN_ENCOUNTERS and sum(ref_shares) > 0 else None
    z = _high_share_z(mine_high, n, ref_high, reference_n) if n >= MIN_ENCOUNTERS else None
    flagged = bool(test and test[2] < ALPHA and abs(mine_high - ref_high) >= MIN_HIGH_SHARE_GAP)
    return Comparison(
        reference=reference,
        reference_source=reference_source,
        reference_shares=ref_shares,
        chi_square=test[0] if test else None,
        df=test[1] if test else None,
        p_value=test[2] if test else None,
        high_share=mine_high,
        reference_high_share=ref_high,
        z_score=z,
        flagged=flagged,
    )


def _high_share_z(p: float, n: int, p0: float, n0: int | None) -> float | None:
    if n0:  # two-proportion z with the pooled share
        pooled = (p * n + p0 * n0) / (n + n0)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / n0))
    else:  # one-sample z against a published share
        se = math.sqrt(p0 * (1 - p0) / n)
    return (p - p0) / se if se > 0 else None


def complete_shares(values: Mapping[str, float], family: EmFamily) -> tuple[float, ...] | None:
    """Benchmark shares in level order, or None when a level is missing (a partial table cannot be tested)."""
    if any(code not in values for code in family.codes):
        return None
    return tuple(float(values[code]) for code in family.codes)
