"""The Findings sheet as a biller's work queue (issue 15 point 3) and `check --since` (new / still open /
fixed, Status / Owner / Note carried over), end to end on the installed CMS data. The CSVs are made up."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from rvucheck.annotate.work_queue import STAKE_NOTE
from rvucheck.cli.main import main

HEADER = "Date of Service,Patient MRN,Claim,Rendering Provider,CPT,Modifiers,Units,Diagnosis 1\n"
FIRST = [
    "2026-05-04,MRN1,C1,Dr A,99213,,1,M17.11",  # GS01 + NC02: 25 missing beside 20610
    "2026-05-04,MRN1,C1,Dr A,20610,,1,M17.11",
    "2026-05-05,MRN2,C2,Dr B,XXXXX,,1,J06.9",  # CV01: not a code
    "2026-05-06,MRN3,C3,Dr B,99214,,1,",  # DX01: no diagnosis
]
# next month's export: XXXXX corrected, a new line without a diagnosis on top (every row moves down one)
SECOND = ["2026-05-07,MRN4,C4,Dr A,99212,,1,", *FIRST[:2], "2026-05-05,MRN2,C2,Dr B,99212,,1,J06.9", FIRST[3]]


def _export(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _queue(path: Path) -> tuple[Any, list[dict[str, Any]]]:
    ws = openpyxl.load_workbook(path)["Findings"]
    titles = [c.value for c in ws[1]]
    return ws, [dict(zip(titles, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)]


@pytest.fixture()
def first_copy(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    source = _export(tmp_path / "may.csv", FIRST)
    assert main([str(source), "--fail-on", "never"]) == 0
    return tmp_path / "may.rvucheck.xlsx"


def test_findings_are_a_table_with_the_lines_identity_and_empty_work_columns(first_copy: Path) -> None:
    ws, rows = _queue(first_copy)
    titles = [c.value for c in ws[1]]
    assert titles[:13] == [
        "Cell", "Date of service", "Patient / MRN", "Claim / encounter", "Provider", "Code", "Modifiers",
        "Rule", "Rule title", "Severity", "Message", "$ at stake", "wRVU at stake",
    ]  # fmt: skip
    # no Change column without --since; what the record must show (issue 18) last, on screen only
    assert titles[13:] == ["Status", "Owner", "Note", "Fix", "Reference", "Documentation needed"]
    (table,) = ws.tables.values()
    assert table.ref == f"A1:S{len(rows) + 1}" and ws.auto_filter.ref is None  # the table has the filter
    cv01 = next(row for row in rows if row["Rule"] == "CV01")
    assert (cv01["Patient / MRN"], cv01["Claim / encounter"], cv01["Provider"], cv01["Code"]) == (
        "MRN2", "C2", "Dr B", "XXXXX"
    )  # fmt: skip
    assert str(cv01["Date of service"])[:10] == "2026-05-05"
    assert cv01["Rule title"] == "Code is not shaped like a CPT or HCPCS code"
    assert (cv01["Status"], cv01["Owner"], cv01["Note"]) == (None, None, None)
    gs01 = next(row for row in rows if row["Rule"] == "GS01")
    assert gs01["$ at stake"] > 0 and ws.cell(2, 12).number_format == '"$"#,##0.00'
    note = ws.cell(1, titles.index("$ at stake") + 1).comment
    assert note.text == STAKE_NOTE and "conversion factor" in note.text
    with zipfile.ZipFile(first_copy) as package:
        vmls = [package.read(n).decode() for n in package.namelist() if n.endswith(".vml")]
    # sized to its text, not openpyxl's default 144 x 79 px box
    assert any("width:420px;height:" in vml for vml in vmls)
    rd = [row for row in rows if str(row["Rule"]).startswith("RD")]
    assert rd and all(row["Rule title"] and row["Code"] is None for row in rd)  # run notes: titled, no line


def test_since_marks_new_still_open_and_fixed_and_carries_the_users_columns(
    first_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = openpyxl.load_workbook(first_copy)
    ws = book["Findings"]
    titles = [c.value for c in ws[1]]
    dx_row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, titles.index("Rule") + 1).value == "DX01")
    for title, typed in (("Status", "asked Dr B"), ("Owner", "Ann"), ("Note", "chart pulled")):
        ws.cell(dx_row, titles.index(title) + 1).value = typed
    book.save(first_copy)
    source = _export(tmp_path / "june.csv", SECOND)
    capsys.readouterr()
    assert main([str(source), "--since", str(first_copy), "--fail-on", "never", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # still open: 5 line findings and the 3 run notes on absent documentation columns (RD14-RD16)
    assert out["since"] == {"file": "may.rvucheck.xlsx", "new": 1, "still open": 8, "fixed": 1}
    ws, rows = _queue(tmp_path / "june.rvucheck.xlsx")
    changes = {(row["Rule"], row["Patient / MRN"]): row["Change"] for row in rows if row["Rule"][:2] != "RD"}
    assert changes == {
        ("DX01", "MRN4"): "new",
        ("DX01", "MRN3"): "still open",  # its row moved from 5 to 6: matched on the key, not the row
        ("GS01", "MRN1"): "still open",
        ("NC02", "MRN1"): "still open",
        ("CV01", "MRN2"): "fixed",
    }
    kept = next(row for row in rows if row["Rule"] == "DX01" and row["Patient / MRN"] == "MRN3")
    assert (kept["Status"], kept["Owner"], kept["Note"], kept["Cell"]) == (
        "asked Dr B", "Ann", "chart pulled", "june!H6"
    )  # fmt: skip
    fixed = rows[-1]
    assert (fixed["Change"], fixed["Rule"], fixed["Code"], fixed["Cell"]) == ("fixed", "CV01", "XXXXX", None)


def test_since_refuses_a_file_that_is_no_annotated_copy(
    first_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _export(tmp_path / "june.csv", SECOND)
    assert main([str(source), "--since", str(source)]) == 2
    assert "--since takes an annotated copy" in capsys.readouterr().err
    other = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Findings"  # type: ignore[union-attr]
    book.save(other)
    assert main([str(source), "--since", str(other)]) == 2
    assert "has no Rule or Code column" in capsys.readouterr().err
    assert not (tmp_path / "june.rvucheck.xlsx").exists()  # refused before any work
    assert main([str(source), "--since", str(first_copy), "--no-annotate"]) == 2
