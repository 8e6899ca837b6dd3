"""The synthetic month generator and the shipped sample month."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import simple_icd_10_cm as icd

from rvucheck.read.charges import read_charges
from rvucheck.testing.synthetic.month import PROBLEMS, generate_month

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "sample-charges-2026-10.xlsx"


def test_same_seed_same_month_and_a_realistic_mix() -> None:
    lines = generate_month(2026, 10, 2000, seed=10)
    assert lines == generate_month(2026, 10, 2000, seed=10)
    assert len(lines) == 2000
    share = sum(1 for line in lines if line.problem) / len(lines)
    assert 0.05 <= share <= 0.10
    assert {line.problem for line in lines if line.problem} == set(PROBLEMS)
    specialties = {line.specialty for line in lines}
    assert {"08 Family Practice", "11 Internal Medicine", "20 Orthopedic Surgery", "06 Cardiology",
            "07 Dermatology", "30 Diagnostic Radiology", "97 Physician Assistant"} <= specialties  # fmt: skip
    assert all("26" in line.modifiers for line in lines if line.specialty == "30 Diagnostic Radiology")
    counts = Counter(line.hcpcs for line in lines)
    office = {code: counts[code] for code in ("99212", "99213", "99214", "99215")}
    assert max(office, key=office.__getitem__) in ("99213", "99214")  # the usual peak of established visits
    assert {"20610", "93000", "71046", "17110", "11102", "G2211", "99232"} <= set(counts)


def test_codes_are_real(ref: Any) -> None:
    lines = generate_month(2026, 10, 3000, seed=3)
    for code in {line.hcpcs for line in lines}:
        assert ref.rvu(code) is not None, code
    for line in lines:
        for dx in line.diagnoses:
            billable = icd.is_valid_item(dx) and icd.is_leaf(dx)
            assert billable or line.problem == "invalid_dx", (dx, line.problem)
    assert all(line.diagnoses for line in lines if line.problem != "missing_dx")


def test_consecutive_months_share_patients_and_post_op_windows() -> None:
    september = generate_month(2026, 9, 3000, seed=9)
    october = generate_month(2026, 10, 3000, seed=10)
    shared = {line.patient for line in september} & {line.patient for line in october}
    assert len(shared) > 300
    surgeries = {(line.patient, line.npi) for line in september if line.hcpcs in ("27447", "29881")}
    follow_ups = {
        (line.patient, line.npi)
        for line in october
        if line.hcpcs == "99024" or line.problem == "em_in_global"
    }
    assert surgeries & follow_ups, "September surgery should have October post-op visits"
    new_codes = ("99202", "99203", "99204", "99205")
    new_in_october = {(x.patient, x.npi) for x in october if x.hcpcs in new_codes and not x.problem}
    seen_in_september = {(line.patient, line.npi) for line in september}
    assert not (new_in_october & seen_in_september), "a clean new-patient visit for a patient seen last month"


def test_shipped_sample_is_the_generators_month() -> None:
    expected = generate_month(2026, 10, 2000, seed=10)
    result = read_charges(SAMPLE)
    assert (result.sheet, result.header_row, len(result.lines), result.unreadable) == (
        "Charge Detail",
        5,
        2000,
        [],
    )
    assert [
        (x.hcpcs, x.modifiers, x.units, x.dos, x.patient, x.provider_npi, x.diagnoses) for x in result.lines
    ] == [(x.hcpcs, x.modifiers, x.units, x.dos, x.patient, x.npi, x.diagnoses) for x in expected]
    assert result.totals_rows == [2006]
