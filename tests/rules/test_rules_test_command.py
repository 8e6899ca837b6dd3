"""`rvucheck rules test`: a rule folder's cases through the same runner as tests/rules/test_rule_cases.py."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from rvucheck.cli.main import main
from rvucheck.rules.cases import run_case
from rvucheck.rules.ruleset import builtin_rules_dir, load_all, load_rule_file

Capture = pytest.CaptureFixture[str]
GS01 = builtin_rules_dir() / "gs" / "GS01.yaml"
GS01_VISIT_AND_INJECTION = "visit and joint injection same day"


def _payer_folder(tmp_path: Path) -> Path:
    """A payer's folder with one rule (a copy of GS01 as XP01): its own passing case, and a case that
    expects a finding on line 1 where GS01 reports line 0, so it must fail."""
    data = yaml.safe_load(GS01.read_text(encoding="utf-8"))
    data["id"], data["name"] = "XP01", "payer.visit_with_minor_procedure"
    passing = next(c for c in data["cases"] if c["name"] == "visit with 25")
    failing = next(c for c in data["cases"] if c["name"] == GS01_VISIT_AND_INJECTION)
    failing = {**failing, "name": "wrong line on purpose", "expect": [{"rule": "XP01", "line": 1}]}
    data["cases"] = [passing, failing]
    folder = tmp_path / "payer" / "xp"
    folder.mkdir(parents=True)
    (folder / "XP01.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder.parent


def test_payer_folder_with_a_failing_case_exits_1_and_names_it(
    tmp_path: Path, data_dir: Path, capsys: Capture
) -> None:
    folder = _payer_folder(tmp_path)
    code = main(["--data-dir", str(data_dir), "rules", "test", "--rules", str(folder)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[-1] == "1 passed, 1 failed"
    failed = [line for line in out if line.startswith("FAILED")]
    assert len(failed) == 1
    assert failed[0].startswith('FAILED XP01 "wrong line on purpose": expected XP01 line 1; got XP01 line 0 ')


def test_builtin_folder_passes_and_counts_every_case(data_dir: Path, capsys: Capture) -> None:
    cases = sum(len(rule.cases) for rule in load_all())
    assert main(["--data-dir", str(data_dir), "rules", "test"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{cases} passed, 0 failed"]


def test_k_selects_a_rule_or_a_family(data_dir: Path, capsys: Capture) -> None:
    by_id = {rule.id: len(rule.cases) for rule in load_all()}
    gs = sum(n for rule_id, n in by_id.items() if rule_id.startswith("GS"))
    assert main(["--data-dir", str(data_dir), "rules", "test", "-k", "gs,NC01"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{gs + by_id['NC01']} passed, 0 failed"]
    assert main(["--data-dir", str(data_dir), "rules", "test", "-k", "ZZ"]) == 2
    assert "no rule or family 'ZZ'" in capsys.readouterr().err


def test_bad_rule_file_exits_2_naming_it(tmp_path: Path, data_dir: Path, capsys: Capture) -> None:
    folder = tmp_path / "payer" / "xp"
    folder.mkdir(parents=True)
    shutil.copy(GS01, folder / "XP01.yaml")  # id GS01 in a file named XP01
    assert main(["--data-dir", str(data_dir), "rules", "test", "--rules", str(folder.parent)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "XP01.yaml" in err and "Traceback" not in err
    assert main(["--data-dir", str(data_dir), "rules", "test", "--rules", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rvucheck: ") and "missing: rule folder not found" in err


def test_empty_folder_exits_2(tmp_path: Path, data_dir: Path, capsys: Capture) -> None:
    assert main(["--data-dir", str(data_dir), "rules", "test", "--rules", str(tmp_path)]) == 2
    assert "no rule files" in capsys.readouterr().err


def test_run_case_reports_what_it_expected_and_found(ref: Any) -> None:
    rule = load_rule_file(GS01)
    case = next(c for c in rule.cases if c["name"] == GS01_VISIT_AND_INJECTION)
    result = run_case(rule, case, ref)
    assert result.passed
    assert result.expected == {("GS01", 0, "modifiers")}
    assert result.found == {("GS01", 0, "modifiers")}
    # The same finding with the field demanded elsewhere fails: a field in `expect` is checked exactly.
    wrong_field = {**case, "expect": [{"rule": "GS01", "line": 0, "field": "units"}]}
    assert not run_case(rule, wrong_field, ref).passed
    no_finding_expected = {**case, "expect": []}
    missed = run_case(rule, no_finding_expected, ref)
    assert not missed.passed
    expected = f'GS01 "{GS01_VISIT_AND_INJECTION}": expected nothing; got GS01 line 0 (modifiers) ['
    assert missed.explain().startswith(expected)
