"""`rvucheck columns FILE [--json] [--save]`, the [columns] table of rvucheck.toml that check and audit
honour (--map still wins), and check's one note when the modifier, date or patient column is missed."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from rvucheck.cli.main import main
from rvucheck.errors import RuleFileError
from rvucheck.settings import load_settings

EXPORT = "Billing Item,Pt MRN,Date of Svc,Mod Code 1,Qty\n99213,M1,2026-07-06,25,1\n20610,M1,2026-07-06,,1\n"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "charges.csv"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def test_columns_json_shows_mapping_evidence_and_what_is_missing(
    export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["columns", str(export), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["columns"]["hcpcs"]["columns"] == ["A"]
    assert found["columns"]["hcpcs"]["evidence"].startswith("found by its values")  # no header says "code"
    assert found["columns"]["patient"] == {
        "columns": ["B"],
        "headers": ["Pt MRN"],
        "evidence": "header words: patient mrn",
    }
    assert found["columns"]["dos"]["headers"] == ["Date of Svc"]
    assert found["columns"]["modifiers"]["headers"] == ["Mod Code 1"]
    assert found["not_found"] == ["provider", "diagnoses"]
    assert (found["lines"], found["readable"], found["wide"]) == (2, 2, False)
    assert main(["columns", str(export)]) == 0
    text = capsys.readouterr().out
    assert "hcpcs         A 'Billing Item'  [found by its values" in text
    assert "not found: provider, diagnoses" in text


def test_save_writes_columns_that_check_and_audit_honour(
    export: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = export.parent / "rvucheck.toml"
    config.write_text('locality = "01112-05"\n\n[severities]\nMU03 = "error"\n', encoding="utf-8")
    assert main(["columns", str(export), "--map", "units=Qty", "--save"]) == 0
    saved = tomllib.loads(config.read_text(encoding="utf-8"))
    assert saved["locality"] == "01112-05" and saved["severities"] == {"MU03": "error"}  # kept
    assert saved["columns"]["hcpcs"] == "Billing Item" and saved["columns"]["units"] == "Qty"
    assert load_settings(near=export).columns["patient"] == ("Pt MRN",)
    # saved again: one [columns] table, replaced
    assert main(["columns", str(export), "--save"]) == 0
    assert config.read_text(encoding="utf-8").count("[columns]") == 1
    capsys.readouterr()
    # check honours it: rename the code header so only [columns] can find it
    export.write_text(EXPORT.replace("Billing Item", "Item"), encoding="utf-8")
    config.write_text(
        config.read_text(encoding="utf-8").replace('"Billing Item"', '"Item"'), encoding="utf-8"
    )
    argv = [f"--data-dir={data_dir}", "check", str(export), "--no-annotate", "--format", "json"]
    assert main([*argv, "--fail-on", "never"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [line["hcpcs"] for line in out["lines"]] == ["99213", "20610"]
    # --map wins over [columns], field by field: the date now comes from no such header -> exit 2
    assert main([*argv, "--map", "dos=Nowhere"]) == 2
    assert "--map dos=Nowhere" in capsys.readouterr().err


def test_a_bad_columns_table_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "rvucheck.toml"
    config.write_text("[columns]\nhcpcs = 3\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"columns\.hcpcs"):
        load_settings(config)


def test_check_says_once_which_of_modifier_date_patient_is_missing(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "bare.csv"
    export.write_text("CPT,Units\n99213,1\n99214,1\n", encoding="utf-8")
    assert main([f"--data-dir={data_dir}", "check", str(export), "--no-annotate", "--fail-on", "never"]) == 0
    err = capsys.readouterr().err
    assert err.count("column found") == 1
    assert "no modifiers, dos, patient column found" in err
    full = tmp_path / "full.csv"
    full.write_text("CPT,Mod,DOS,MRN\n99213,,2026-07-06,M1\n", encoding="utf-8")
    assert main([f"--data-dir={data_dir}", "check", str(full), "--no-annotate", "--fail-on", "never"]) == 0
    assert "column found" not in capsys.readouterr().err


def test_audit_reads_the_columns_table_too(
    export: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (export.parent / "rvucheck.toml").write_text('[columns]\nhcpcs = "Nowhere"\n', encoding="utf-8")
    assert main([f"--data-dir={data_dir}", "audit", str(export)]) == 2  # stops before anything is stored
    assert "--map hcpcs=Nowhere: no such header" in capsys.readouterr().err
    (export.parent / "rvucheck.toml").write_text('[columns]\ncolour = "Billing Item"\n', encoding="utf-8")
    assert main([f"--data-dir={data_dir}", "audit", str(export)]) == 2
    assert "[columns] colour: not a field" in capsys.readouterr().err
