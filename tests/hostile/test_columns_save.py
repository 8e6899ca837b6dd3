"""`rvucheck columns FILE --save` writes rvucheck.toml through the output layer: never over the export."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.hostile.harness import run_cli, sha256

EXPORT = "Pt MRN,Date of Svc,24D CPT/HCPCS,Mod Code 1\nA1,2026-07-01,99213,25\n"


def test_save_refuses_to_write_the_mapping_over_the_export(tmp_path: Path) -> None:
    export = tmp_path / "charges.csv"
    export.write_text(EXPORT, encoding="utf-8")
    digest = sha256(export)
    outcome = run_cli(tmp_path, "columns", str(export), "--save", "--config", str(export))
    outcome.assert_clean_error(export)  # refused (the export is no TOML file), the export as it was
    assert sha256(export) == digest


def test_save_writes_the_mapping_beside_the_export(tmp_path: Path) -> None:
    export = tmp_path / "charges.csv"
    export.write_text(EXPORT, encoding="utf-8")
    outcome = run_cli(tmp_path, "columns", str(export), "--save")
    outcome.assert_no_traceback()
    assert outcome.code == 0 and outcome.written == {"rvucheck.toml"}
    saved = tomllib.loads((tmp_path / "rvucheck.toml").read_text(encoding="utf-8"))["columns"]
    assert saved == {
        "patient": "Pt MRN",
        "dos": "Date of Svc",
        "hcpcs": "24D CPT/HCPCS",
        "modifiers": "Mod Code 1",
    }
