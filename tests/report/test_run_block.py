"""Every output says what the run used (issue 15): the locality, conversion factor, QPP and data, in JSON's
`run`, the Summary sheet's Run block and on the console; and a loud banner when the data is older than the
dates checked."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from rvucheck.cli.main import main

CHARGES = "Date of Service,CPT,Units,Patient,Dx\n{dos},99213,1,P1,I10\n{dos},20983,1,P2,I10\n"


def _csv(tmp_path: Path, dos: str) -> Path:
    path = tmp_path / "charges.csv"
    path.write_text(CHARGES.format(dos=dos), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _data(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))


def test_json_run_names_locality_cf_qpp_and_releases(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = _csv(tmp_path, "2026-08-03")
    argv = [str(path), "--no-annotate", "--format", "json", "-l", "Dallas, TX", "--qpp", "--fail-on", "never"]
    assert main(argv) == 0
    run = json.loads(capsys.readouterr().out)["run"]
    assert run["locality"] == {"id": "04412-11", "name": "DALLAS", "state": "TX"}
    assert (run["qpp"], run["conversion_factor"], run["conversion_factor_variant"]) == (True, 33.5675, "QPP")
    assert run["releases"]["pfs"] == ["RVU26C"] and run["releases"]["locco"] == "RVU26A"
    assert "FY2026" in run["releases"]["icd10cm"]


def test_national_when_no_locality(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert (
        main([str(_csv(tmp_path, "2026-08-03")), "--no-annotate", "--format", "json", "--fail-on", "never"])
        == 0
    )
    run = json.loads(capsys.readouterr().out)["run"]
    assert run["locality"]["id"] == "national" and run["conversion_factor"] == 33.4009


def test_stale_data_is_flagged_and_current_data_is_not(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    argv = ["--no-annotate", "--format", "json", "--fail-on", "never"]
    assert main([str(_csv(tmp_path, "2026-11-02")), *argv]) == 0  # Q4 2026: no RVU26D installed
    run = json.loads(capsys.readouterr().out)["run"]
    assert run["stale"] is True
    assert any("Q4 2026 release is not installed" in note for note in run["stale_notes"])
    # Q2 2026: no RVU26B installed, RVU26C (a later quarter) answers: newer data is not stale data
    assert main([str(_csv(tmp_path, "2026-05-04")), *argv]) == 0
    out = json.loads(capsys.readouterr().out)
    assert any(n["rule"] == "RD03" and "release is not installed" in n["message"] for n in out["notes"])
    assert not any("release is not installed" in note for note in out["run"]["stale_notes"])


def test_console_and_summary_sheet_show_the_run(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = _csv(tmp_path, "2026-11-02")
    assert main([str(path), "-l", "01112-05", "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    assert "01112-05 SAN FRANCISCO-OAKLAND-BERKELEY" in out and "33.4009 (non-QPP)" in out
    assert "REFERENCE DATA OUT OF DATE" in out
    ws = openpyxl.load_workbook(tmp_path / "charges.rvucheck.xlsx")["Summary"]
    cells = {str(row[0].value): row[1].value for row in ws.iter_rows(max_col=2) if row[0].value is not None}
    assert cells["Locality"].startswith("01112-05 SAN FRANCISCO")
    assert cells["Conversion factor"] == "33.4009 (non-QPP)"
    assert cells["QPP (qualifying APM participant)"] == "no"
    assert cells["PFS release"] == "RVU26C"
    assert any(label.startswith("REFERENCE DATA OUT OF DATE") for label in cells)
