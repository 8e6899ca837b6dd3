"""Formula injection: hostile text in every text column of an export must come out of every output as text.

The export (made-up values, laid out like workbooks/sample-charges-2026-10.xlsx: title rows, header on row 5)
holds each hostile string in every text column. `rvucheck check` (annotated copy, CSV on stdout) and
`rvucheck audit` (workbook, HTML, JSON) run through the command line; every output workbook is reopened and
no cell may be a formula, the hostile strings must be there as text (with Excel's quote prefix where we
wrote them), and the CSV keeps its leading-quote guard.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from rvucheck.audit.history import HISTORY_FILE
from rvucheck.cli.main import main

HOSTILE = (
    "=2+3",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    '=HYPERLINK("http://x","y")',
    "\t=1+1",
)
HEADERS = (
    "Encounter #", "Patient MRN", "Date of Service", "Rendering Provider", "Rendering NPI", "Specialty",
    "POS", "CPT Code", "Modifier 1", "Modifier 2", "Units", "Dx 1", "Dx 2", "Charge Amount",
    "Primary Payer", "Posted Date", "Location", "Notes",
)  # fmt: skip
HEADER_ROW = 5
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def _row(values: dict[str, object]) -> list[object]:
    return [values.get(header) for header in HEADERS]


def _charge_rows() -> list[list[object]]:
    """Per hostile string: three readable E&M lines whose provider, patient, claim, specialty, payer,
    location and notes are the string (so they reach the audit's per-provider sheets), and one row where
    every text column, code included, is the string."""
    rows = []
    for index, text in enumerate(HOSTILE):
        for visit, code in enumerate(("99213", "99214", "99215")):
            hostile = dict.fromkeys(
                ("Encounter #", "Patient MRN", "Rendering Provider", "Specialty", "Primary Payer", "Location",
                 "Notes"),
                text,
            )  # fmt: skip
            plain = {
                "Date of Service": f"10/{visit + 2:02d}/2026", "Rendering NPI": "1234567893", "POS": "11",
                "CPT Code": code, "Units": 1, "Dx 1": "J06.9", "Charge Amount": 150.0,
                "Posted Date": f"10/{visit + 10:02d}/2026",
            }  # fmt: skip
            rows.append(_row(hostile | plain))
        rows.append(
            _row({header: text for header in HEADERS} | {"Date of Service": f"10/{index + 2:02d}/2026"})
        )
    return rows


def write_export(path: Path) -> Path:
    """The export as a real one stores text: string cells (openpyxl would make `=...` a formula)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Charge Detail"
    sheet["A1"] = "Riverbend Medical Group (made-up data)"
    sheet["A2"] = "Charge Detail Report - Date of Service 10/01/2026 to 10/31/2026"
    rows = [list(HEADERS), *_charge_rows()]
    for row_number, values in enumerate(rows, start=HEADER_ROW):
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    book.save(path)
    return path


def audit_data_dir(reference: Path, where: Path) -> Path:
    """The installed reference data (symlinked; own catalog copy) with an empty history of its own."""
    where.mkdir()
    for item in reference.glob("*.sqlite"):
        if item.name == "catalog.sqlite":
            shutil.copyfile(item, where / item.name)
        elif item.name != HISTORY_FILE:
            (where / item.name).symlink_to(item.resolve())
    return where


def formulas(path: Path) -> list[str]:
    book = load_workbook(path)
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def text_cells(path: Path, sheet: str) -> dict[str, list[str]]:
    """value -> coordinates of the string cells holding it."""
    found: dict[str, list[str]] = {}
    for row in load_workbook(path)[sheet].iter_rows():
        for cell in row:
            if cell.data_type == "s" and isinstance(cell.value, str):
                found.setdefault(cell.value, []).append(cell.coordinate)
    return found


def unquoted_hostile_cells(path: Path, sheets: list[str]) -> list[str]:
    """Cells whose text would be read as a formula if typed, written without Excel's quote prefix."""
    book = load_workbook(path)
    return [
        f"{name}!{cell.coordinate}"
        for name in sheets
        for row in book[name].iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in FORMULA_LEADS and not cell.quotePrefix
    ]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_export(tmp_path_factory.mktemp("injection") / "charges-2026-10.xlsx")


def test_check_copy_and_csv_hold_hostile_text_as_text(
    export: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.xlsx"
    args = [f"--data-dir={data_dir}", "check", str(export), "--out", str(copy), "--fail-on", "never"]
    assert main([*args, "--format", "csv"]) == 0
    assert formulas(copy) == []
    charge = text_cells(copy, "Charge Detail")
    for text in HOSTILE:  # the export's own cells, unchanged: provider (D) and notes (R) of the first line
        cells = charge[text]
        assert (
            f"D{HEADER_ROW + 1 + 4 * HOSTILE.index(text)}" in cells and len(cells) >= 3 * 7 + len(HEADERS) - 5
        )
    summary = text_cells(copy, "Summary")
    for text in HOSTILE:  # the reader strips the tab; the provider table shows the name it read
        assert text.strip() in summary, text
    assert unquoted_hostile_cells(copy, ["Summary", "Findings"]) == []
    book = load_workbook(copy)
    findings_codes = [row[2] for row in book["Findings"].iter_rows(min_row=2, values_only=True)]
    assert findings_codes  # the hostile rows produce findings (RD01 at least)

    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:3] == ["sheet", "row", "cell"]
    for row in rows[1:]:
        for value in row:
            try:
                float(value)
            except ValueError:
                assert value[:1] not in FORMULA_LEADS, row


def test_audit_outputs_hold_hostile_text_as_text(export: Path, data_dir: Path, tmp_path: Path) -> None:
    data = audit_data_dir(data_dir, tmp_path / "data")
    out = {kind: tmp_path / f"a.{kind}" for kind in ("xlsx", "html", "json")}
    code = main(
        [f"--data-dir={data}", "audit", str(export), "--out", str(out["xlsx"]), "--html", str(out["html"]),
         "--json", str(out["json"]), "--month", "2026-10"]
    )  # fmt: skip
    assert code == 0
    assert formulas(out["xlsx"]) == []
    providers = text_cells(out["xlsx"], "Providers")
    mix = text_cells(out["xlsx"], "E&M mix")
    for text in HOSTILE:
        name = text.strip()
        assert any(cell.startswith("A") for cell in providers[name]), name
        assert any(cell.startswith("A") for cell in mix[name]), name
    book = load_workbook(out["xlsx"])
    assert unquoted_hostile_cells(out["xlsx"], book.sheetnames) == []
    assert book["Providers"]["A1"].value == "Provider"

    html = out["html"].read_text(encoding="utf-8")
    assert (
        '=HYPERLINK("http://x","y")' not in html and "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html
    )
    listed = json.dumps(json.loads(out["json"].read_text(encoding="utf-8")))
    assert json.dumps("+cmd|' /C calc'!A0") in listed  # JSON carries the value unchanged
