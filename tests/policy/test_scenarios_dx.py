"""Hand-built diagnosis scenarios (tests/policy/scenarios_dx.csv, made-up patients in an ordinary export
layout with a date-of-birth column): each line's findings are exactly the expected ones (MCE manifestation
first DX06, MCE age DX07, lab NCDs LB01-LB03), and the clean lines have none."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from rvucheck.cli.main import main

SCENARIOS = Path(__file__).with_name("scenarios_dx.csv")
EXPECTED = {  # scenario -> the rules its line must raise (all others: none)
    "diabetic polyneuropathy: manifestation first": {"DX06"},
    "Alzheimer dementia: manifestation first": {"DX06"},
    # H36's Excludes1 note names diabetic retinopathy (E11.3-): the tabular keeps E11.319 and H36.89 apart
    "retinal disorder in diabetes: manifestation first": {"DX06", "DX08"},
    "retinal disorder in diabetes: underlying first": {"DX08"},
    "anemia in chronic kidney disease: manifestation first": {"DX06"},
    "child well exam coded for a 70-year-old": {"DX07"},
    "pregnancy diabetes code for a 71-year-old": {"DX07", "DX08"},  # E11 Excludes1 O24.4- as well
    "HbA1c for knee pain": {"LB01", "ST10"},
    "lipid panel for a general exam": {"LB02", "ST10"},
    "TSH for knee pain with an ABN on file": {"LB03", "ST10"},
}
LAB_CLEAN = {  # covered lab tests: only ST10's note that the CLFS, not the PFS, pays them
    "HbA1c for type 2 diabetes": {"ST10"},
    "lipid panel for hyperlipidemia": {"ST10"},
}


def _findings(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> dict:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    assert main([str(SCENARIOS), "--no-annotate", "--format", "json", "--fail-on", "never"]) == 0
    lines = json.loads(capsys.readouterr().out)["lines"]
    return {line["row"]: {f["rule"] for f in line["findings"]} for line in lines}


def test_each_scenario_raises_exactly_its_findings(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _findings(data_dir, monkeypatch, capsys)
    with SCENARIOS.open(newline="") as handle:
        scenarios = [row["Scenario"] for row in csv.DictReader(handle)]
    assert len(scenarios) == 19
    assert set(EXPECTED) <= set(scenarios)
    got = {name: found.get(row, set()) for row, name in enumerate(scenarios, start=2)}
    assert got == {name: EXPECTED.get(name, LAB_CLEAN.get(name, set())) for name in scenarios}
    clean = [name for name in scenarios if name not in EXPECTED and name not in LAB_CLEAN]
    assert len(clean) == 7 and all(not got[name] for name in clean)
