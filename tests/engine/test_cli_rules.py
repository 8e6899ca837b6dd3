"""`rvucheck rules list|show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rvucheck.cli.main import main


def test_rules_list_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "NAME", "SEVERITY", "KIND", "TITLE"]
    gs01 = next(row for row in out if row.startswith("GS01"))
    assert gs01.split()[:4] == ["GS01", "global.em_same_day_minor", "error", "em_with_procedure"]


def test_rules_list_json_applies_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "rvucheck.toml"
    config.write_text('select = ["MU"]\n[severities]\nMU03 = "error"\n', encoding="utf-8")
    assert main(["rules", "list", "--json", "--config", str(config)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["severity"]) for r in rows] == [
        ("MU01", "error"),
        ("MU02", "error"),
        ("MU03", "error"),
    ]


def test_rules_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "show", "nc02"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("NC02  ncci.ptp_needs_modifier  (error, kind ncci_ptp)")
    assert "Medicare Services, Ch. I, §E" in out and "modifier_indicator: '1'" in out
    assert "arthroscopy on the other knee (passes)" in out


def test_rules_show_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "show", "ZZ99"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "rvucheck: no rule 'ZZ99'; `rvucheck rules list` shows the valid ids"
    )


def test_bad_extra_rule_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "payer" / "py"
    folder.mkdir(parents=True)
    (folder / "PY01.yaml").write_text("id: PY01\nkind: mue\n", encoding="utf-8")
    assert main(["rules", "list", "--rules", str(tmp_path / "payer")]) == 2
    err = capsys.readouterr().err
    assert "PY01.yaml: (top level): 'name' is a required property" in err
