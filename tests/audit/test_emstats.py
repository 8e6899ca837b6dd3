from __future__ import annotations

import math

import pytest

from rvucheck.audit.emstats import (
    chi_square_gof,
    chi_square_sf,
    compare,
    complete_shares,
    counts_by_level,
)
from rvucheck.engine.em import EM_FAMILIES, FAMILY_OF_CODE

OFFICE_EST = FAMILY_OF_CODE["99213"]


@pytest.mark.parametrize(
    ("x", "df", "p"),
    [
        (3.841459, 1, 0.05),
        (5.991465, 2, 0.05),
        (9.487729, 4, 0.05),
        (13.276704, 4, 0.01),
        (0.5, 2, math.exp(-0.25)),
    ],
)
def test_chi_square_survival_matches_tables(x: float, df: int, p: float) -> None:
    assert chi_square_sf(x, df) == pytest.approx(p, rel=1e-5)


def test_goodness_of_fit_by_hand() -> None:
    # 100 services vs shares 0.2/0.3/0.5: expected 20/30/50, observed 10/30/60 -> 5 + 0 + 2 = 7, df 2
    statistic, df, p = chi_square_gof([10, 30, 60], [0.2, 0.3, 0.5])  # type: ignore[misc]
    assert statistic == pytest.approx(7.0)
    assert df == 2
    assert p == pytest.approx(math.exp(-3.5), rel=1e-6)


def test_small_expected_cells_are_pooled() -> None:
    # expected 1, 2, 17, 80: the first three pool into one cell (20) -> two cells, df 1
    statistic, df, _ = chi_square_gof([0, 0, 30, 70], [0.01, 0.02, 0.17, 0.80])  # type: ignore[misc]
    assert df == 1
    assert statistic == pytest.approx((30 - 20) ** 2 / 20 + (70 - 80) ** 2 / 80)


def test_families_and_high_levels() -> None:
    assert FAMILY_OF_CODE["99205"].key == "office_new"
    assert OFFICE_EST.high_codes == ("99214", "99215")
    assert FAMILY_OF_CODE["99223"].high_codes == ("99223",)
    assert len({c for f in EM_FAMILIES for c in f.codes}) == sum(len(f.codes) for f in EM_FAMILIES)
    assert counts_by_level({"99213": 2, "99215": 1, "99999": 4}, OFFICE_EST) == (0, 0, 2, 0, 1)


def test_strong_departure_is_flagged_with_its_statistic() -> None:
    upcoder = (0, 2, 10, 40, 48)
    group = (5, 40, 200, 150, 5)
    comparison = compare(upcoder, OFFICE_EST, "group", "rest of group", group, sum(group))
    assert comparison.flagged
    assert comparison.high_share == pytest.approx(0.88)
    assert comparison.reference_high_share == pytest.approx(155 / 400)
    assert comparison.z_score is not None and comparison.z_score > 5
    assert "chi-square GOF" in comparison.statistic and "p=<0.0001" in comparison.statistic


def test_matching_mix_is_not_flagged() -> None:
    comparison = compare((1, 10, 50, 37, 2), OFFICE_EST, "benchmark", "made-up", (1, 10, 50, 37, 2))
    assert not comparison.flagged
    assert comparison.chi_square == pytest.approx(0.0, abs=1e-9)


def test_too_few_services_are_not_tested() -> None:
    comparison = compare((0, 0, 0, 3, 2), OFFICE_EST, "benchmark", "made-up", (1, 10, 50, 37, 2))
    assert comparison.p_value is None and not comparison.flagged


def test_partial_benchmark_table_is_not_tested() -> None:
    assert complete_shares({"99231": 4.25, "99232": 55.26}, FAMILY_OF_CODE["99232"]) is None
    assert complete_shares({"99221": 4.45, "99222": 24.41, "99223": 71.14}, FAMILY_OF_CODE["99222"]) == (
        4.45,
        24.41,
        71.14,
    )
