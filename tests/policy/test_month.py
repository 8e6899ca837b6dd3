"""The scenario month through the real CLI (`rvucheck FILE --format json`): reader, linking and engine.

tests/policy/scenarios.csv holds every hand-built coding-policy scenario (issue 12: E/M modifiers, G2211,
place of service, therapy, frequency, MCE diagnoses, lab NCDs, Excludes1, NCCI single codes) with the rule
ids each line must raise; month.py writes it as a charge workbook. Each line gets exactly its findings, so
every scenario asserts both that its rule fires and that nothing else does (the clean ones: no false
positive). Run notes (RD..) are about the data, not the lines, and are left aside."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rvucheck.cli.main import main

from .month import build, expected, scenarios


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("month") / "scenario-month.xlsx")


@pytest.fixture
def found(
    month: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    assert main([str(month), "--no-annotate", "--format", "json", "--fail-on", "never"]) == 0
    report = json.loads(capsys.readouterr().out)
    rules: dict[int, list[str]] = {}
    for line in report["lines"]:
        rules[line["row"]] = [f["rule"] for f in line["findings"] if not f["rule"].startswith("RD")]
    return rules


def test_every_line_gets_exactly_its_findings(found: dict[int, list[str]]) -> None:
    rows = scenarios()
    want = expected(rows)
    assert set(found) == set(want)  # every line was read, none dropped
    got = {row: set(rules) for row, rules in found.items()}
    wrong = {row: (rows[row - 2]["Scenario"], got[row], want[row]) for row in want if got[row] != want[row]}
    assert not wrong, wrong
    assert all(len(rules) == len(set(rules)) for rules in found.values())  # no rule twice on a line


def test_the_month_covers_the_policy_rules() -> None:
    rows = scenarios()
    names = Counter(row["Scenario"] for row in rows)
    clean = [name for name in names if not any(r["Expected"] for r in rows if r["Scenario"] == name)]
    fired = {rule for row in rows for rule in row["Expected"].split()}
    assert len(names) >= 50 and len(clean) >= 20  # scenarios, and those that must stay clean
    policy = {"EM01", "EM02", "EM03", "EM04", "PS01", "PS02", "PS03", "PS04", "TH01", "TH02", "FQ01", "FQ02",
              "FQ03", "FQ04", "DX06", "DX07", "DX08", "LB01", "LB02", "LB03", "NC01", "NC02"}  # fmt: skip
    assert policy <= fired
    assert {row["Date of Service"][:7] for row in rows if not row["Claim"]} == {"2026-07"}
