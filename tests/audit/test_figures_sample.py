from __future__ import annotations

import datetime as dt

import pytest
from audit_helpers import line, result

from rvucheck.audit.metrics import findings_by_rule, lag_distribution, provider_figures, top_codes
from rvucheck.audit.sample import allocate, encounters, review_sample

D = dt.date(2026, 10, 5)


def _month() -> list:  # type: ignore[type-arg]
    return [
        result(line(2, "99214", modifiers=("25",), posted=dt.date(2026, 10, 7)), work=1.92, payment=130.0),
        result(
            line(3, "11102", posted=dt.date(2026, 10, 7)),
            work=0.66,
            payment=100.0,
            findings=(("PTP01", "error"),),
        ),
        result(line(4, "99213", patient="P2", posted=dt.date(2026, 11, 20)), work=1.3, payment=90.0),
        result(
            line(5, "20610", patient="P2", modifiers=("59",), units=2, posted=dt.date(2026, 11, 20)),
            work=1.58,
            credited=1.0,
            payment=120.0,
            findings=(("GS01", "warning"), ("MU01", "error")),
        ),
        result(line(2, "99205", provider="Dr B", patient="P3"), work=3.5, payment=210.0),
    ]


def test_provider_figures_by_hand() -> None:
    a, b = provider_figures(_month(), global_em_rules=("GS01",), new_patient_rules=("NP01",))
    assert (a.provider, a.lines, a.encounters) == ("Dr A", 4, 2)
    assert a.work_rvu == pytest.approx(1.92 + 0.66 + 1.3 + 1.58)
    assert a.credited_work_rvu == pytest.approx(1.92 + 0.66 + 1.3 + 1.0)
    assert a.payment == pytest.approx(440.0)
    assert a.findings_by_severity == {"error": 2, "warning": 1, "info": 0}
    assert a.findings_by_rule == {"GS01": 1, "MU01": 1, "PTP01": 1}
    assert (a.em_lines, a.modifier_25_lines, a.modifier_25_rate) == (2, 1, 0.5)
    assert (a.distinct_procedure_lines, a.distinct_procedure_rate) == (1, 0.25)
    assert (a.em_in_global, a.new_for_established) == (1, 0)
    assert a.lag_days == (2, 2, 46, 46) and a.median_lag == 24 and a.late_lines == 2
    assert (b.provider, b.lines, b.lag_days, b.median_lag) == ("Dr B", 1, (), None)


def test_lag_distribution_top_codes_and_rules() -> None:
    results = _month()
    assert dict(lag_distribution(results))["0-3 days"] == 2
    assert dict(lag_distribution(results))["31-60 days"] == 2
    assert [c.hcpcs for c in top_codes(results, "work_rvu")][:2] == ["99205", "99214"]
    assert [c.hcpcs for c in top_codes(results, "payment")][:2] == ["99205", "99214"]
    assert findings_by_rule(results) == [("GS01", "warning", 1), ("MU01", "error", 1), ("PTP01", "error", 1)]


def test_allocation_is_proportional_with_one_each() -> None:
    assert allocate({"A": 90, "B": 9, "C": 1}, 10) == {"A": 8, "B": 1, "C": 1}
    assert allocate({"A": 2, "B": 1}, 10) == {"A": 2, "B": 1}
    assert sum(allocate({"A": 50, "B": 30, "C": 20}, 7).values()) == 7


def _many() -> list:  # type: ignore[type-arg]
    out = []
    for i in range(60):
        provider = "Dr A" if i % 3 else "Dr B"
        code = ("99212", "99213", "99214", "99215")[i % 4]
        findings = (("PTP01", "error"),) if i % 7 == 0 else ()
        out.append(
            result(line(i + 2, code, provider=provider, patient=f"P{i}"), findings=findings, stake=50.0)
        )
    return out


def test_sample_is_reproducible_stratified_and_explained() -> None:
    encs = encounters(_many())
    first = review_sample(encs, 10, seed=7)
    again = review_sample(encounters(_many()), 10, seed=7)
    assert [p.encounter.results[0].line.source.row for p in first] == [
        p.encounter.results[0].line.source.row for p in again
    ]
    assert len(first) == 10
    assert {p.encounter.provider for p in first} == {"Dr A", "Dr B"}
    assert sum(p.encounter.provider == "Dr A" for p in first) == 7  # 40 of 60 encounters
    top = first[0]
    assert top.how == "highest risk"
    assert "1 error (PTP01)" in top.reason and "$50.00 at stake" in top.reason
    assert any(p.how.startswith("risk-weighted draw (seed 7)") for p in first)
    other_seeds = {
        tuple(p.encounter.results[0].line.source.row for p in review_sample(encs, 10, s)) for s in range(8)
    }
    assert len(other_seeds) > 1  # the seed matters for the random part


def test_sample_scores_high_levels_and_modifiers() -> None:
    (enc,) = encounters([result(line(2, "99215", modifiers=("25",)), findings=())])
    assert enc.score == 1.5 + 1.0
    assert enc.reasons == ("high-level E&M 99215", "E&M with modifier 25")
