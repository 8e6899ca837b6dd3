"""Hand-built therapy and frequency scenarios (issue 12 items 3 and 7), read through the reader from an
export layout: every line's findings exactly, and none on the clean ones. Patients, providers and claims
are made up."""

from __future__ import annotations

from pathlib import Path

from rvucheck.session import Session

SCENARIOS = Path(__file__).with_name("scenarios_therapy.csv")

# Spreadsheet row -> the rule ids expected on it; every other row must be clean.
EXPECTED = {
    3: {"TH01"},  # 97110 without GP/GO/GN
    5: {"TH01"},  # 92507 without GN
    6: {"TH02"},  # dry needling by a physical therapist without GP
    10: {"FQ01"},  # second AWV 40 days after the first (another physician)
    14: {"FQ03"},  # 99490 twice in July
    18: {"FQ04"},  # TCM 19 days after the last
    20: {"FQ02"},  # second IPPE
}


def test_every_scenario_gets_exactly_its_findings(data_dir: Path) -> None:
    session = Session.open(data_dir)
    read = session.read(SCENARIOS)
    assert len(read.lines) == 20 and not read.unreadable
    report = session.check(read.lines, read.unreadable)
    found: dict[int, set[str]] = {}
    for finding in report.findings:
        if finding.rule.startswith("RD"):  # run notes on the data (NCCI quarter, release), not the lines
            continue
        found.setdefault(finding.source.row, set()).add(finding.rule)
    assert found == EXPECTED
