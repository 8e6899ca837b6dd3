"""A real spreadsheet program opens the annotated copy and sees the appended results (not only openpyxl)."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from annotate_corpus import feature_rich
from test_roundtrip import _run

pytestmark = pytest.mark.libreoffice


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("RVUCHECK_ALLOW_NO_SOFFICE") == "1":
            pytest.skip("LibreOffice is not installed")
        pytest.fail("LibreOffice (soffice) is needed: .ci/run installs libreoffice-calc-nogui")
    return found


def test_libreoffice_reads_the_appended_cells(tmp_path: Path) -> None:
    out, _read, _report = _run(feature_rich(tmp_path / "charges.xlsx"))
    converted = tmp_path / "csv"
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    command = [_soffice(), "--headless", profile, "--convert-to", "csv", "--outdir", str(converted), str(out)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    rows = list(csv.reader((converted / "charges.rvucheck.csv").open(encoding="utf-8", errors="replace")))
    assert rows[2][12:20] == ["Work RVU", "Credited wRVU", "Total RVU", "Est. Payment", "Global", "Status",
                              "Severity", "Findings"]  # fmt: skip
    first = rows[3]
    assert first[4] == "99213" and first[12:18] == ["1.3", "1.25", "2.85", "95.19", "XXX", "A"]
    assert first[18] == "error" and first[19].startswith("GS01: 25 missing on 99213")
    assert rows[3 + 6][19] == "totals row: reported, not checked"
