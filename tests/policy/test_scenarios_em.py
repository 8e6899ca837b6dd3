"""Hand-built E/M policy scenarios (issue 12 items 1, 2, 6), read from a charge-export CSV like a user's file.

scenarios_em.csv is written by hand (made-up patients and providers, one scenario per patient): each line's
exact findings are asserted, and the clean scenarios get no finding at all (no false positive).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rvucheck.session import Session
from rvucheck.settings import Settings

SCENARIOS = Path(__file__).with_name("scenarios_em.csv")

# (CSV row, rule) of every finding the file must get, run notes (RD..) aside.
EXPECTED = {
    (2, "EM01"), (2, "NC02"),  # P01 99213-59 with 96372: 59 neither belongs on nor sets apart an E/M
    (4, "EM01"), (4, "NC02"),  # P02 99214-XU with 96372
    (6, "GS01"), (6, "NC02"), (7, "EM02"),  # P03 25 on the injection instead of the visit
    (8, "EM03"),  # P04 99213-25 alone
    (10, "EM04"),  # P05 G2211 with 99213-25 and an injection
    (15, "PS01"),  # P07 office visit at POS 21
    (16, "PS02"), (16, "LN08"),  # P08 subsequent hospital care at POS 11
    (17, "PS03"), (17, "LN08"),  # P09 ED visit at POS 11
    (18, "PS04"),  # P10 93 and 95 together
    (27, "ST08"), (28, "ST08"),  # P16 flu vaccine administration and product: paid outside the PFS (info)
    (30, "MP02"),  # P17 second knee arthroscopy: multiple-procedure reduction (info)
}  # fmt: skip
# Scenarios that must come out with no finding at all.
CLEAN = {
    "EM-P06": "99213-25 and G2211 with an annual wellness visit",
    "EM-P11": "99213-25 with a joint injection",
    "EM-P12": "office visit in the office",
    "EM-P13": "subsequent hospital care in the hospital",
    "EM-P14": "ED visit in the ED",
    "EM-P15": "audio-video telehealth from home",
}


@pytest.fixture(scope="module")
def findings(data_dir: Path) -> list[tuple[int, str, str]]:
    session = Session.open(data_dir, Settings())
    read = session.read(SCENARIOS)
    assert len(read.lines) == 29
    patients = {line.source.row: line.patient for line in read.lines}
    report = session.check(read.lines, read.unreadable)
    return [
        (f.source.row, f.rule, patients.get(f.source.row, ""))
        for f in report.findings
        if not f.rule.startswith("RD")
    ]


def test_each_scenario_gets_exactly_its_findings(findings: list[tuple[int, str, str]]) -> None:
    assert {(row, rule) for row, rule, _patient in findings} == EXPECTED
    assert len(findings) == len(EXPECTED)  # one finding per rule and line, none twice


def test_clean_scenarios_get_no_finding(findings: list[tuple[int, str, str]]) -> None:
    flagged = {patient for _row, _rule, patient in findings}
    assert not flagged & set(CLEAN), [f for f in findings if f[2] in CLEAN]
    assert {"EM-P01", "EM-P05", "EM-P10"} <= flagged  # the scenarios are read and linked at all
