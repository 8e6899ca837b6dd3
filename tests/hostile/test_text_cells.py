"""Hostile text (issue 17, item 2): input text that a spreadsheet would run (`=HYPERLINK(...)`, a DDE call,
`@SUM(...)`, a leading tab) is text in every workbook rvucheck writes (the annotated copy, the audit
workbook, the report workbook made for a CSV), control characters are shown as `?` and reported once, and
nothing printed to the terminal carries an escape sequence. Each output is reopened with openpyxl and its
XML is searched for formulas."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from tests.conftest import TEST_DATA_DIR
from tests.hostile.build import row, write_csv, write_xlsx
from tests.hostile.harness import Outcome, run_cli

FORMULA_LIKE = {
    "hyperlink": '=HYPERLINK("http://example.invalid","open me")',
    "dde": "+cmd|' /C calc'!A0",
    "at-sum": "@SUM(1,1)",
    "minus": "-2+3",
    "tab": "\t=1+1",
    "carriage return": "\r=1+1",
}
CONTROL_PROVIDER = "Dr\x01Ctrl"  # shown as Dr?Ctrl
ESCAPE_CODE = "\x1b]0;owned\x07\x1b[2J"  # retitles and clears a terminal when printed raw
FIELDS = ("Provider", "Specialty", "Payer", "Claim")


def _rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for number, text in enumerate(FORMULA_LIKE.values()):  # in every text column; a provider per text
        fields: dict[str, object] = {name: text for name in FIELDS}
        fields["Provider"] = f"{text} {number}"
        rows.append(row(len(rows), **fields))
    rows.append(row(len(rows), Provider=CONTROL_PROVIDER, Patient="P\x02X"))
    rows.append(row(len(rows), CPT=ESCAPE_CODE))
    return rows


def _cells(path: Path) -> list[tuple[str, str, object, str]]:
    book = load_workbook(path)
    return [
        (sheet.title, cell.coordinate, cell.value, cell.data_type)
        for sheet in book.worksheets
        for line in sheet.iter_rows()
        for cell in line
        if cell.value is not None
    ]


def _formulas_in_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and re.search(rb"<(?:\w+:)?f[ >]", archive.read(name))
        ]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The three workbooks, written once: the copy of an xlsx, the report workbook of a CSV, the audit."""
    from tests.hostile.build import private_store

    folder = tmp_path_factory.mktemp("text-cells")
    rows = _rows()
    xlsx = write_xlsx(folder / "texts.xlsx", rows)
    csv_file = write_csv(folder / "texts.csv", rows)
    store = private_store(TEST_DATA_DIR, tmp_path_factory.mktemp("store") / "data")
    runs = {
        "copy": run_cli(folder, "check", xlsx.name),
        "csv report": run_cli(folder, "check", csv_file.name),
        "audit": run_cli(
            folder, "audit", xlsx.name, "--out", "audit.xlsx", "--json", "audit.json", "--html", "audit.html",
            data_dir=store,
        ),
    }  # fmt: skip
    files = {
        "copy": folder / "texts.rvucheck.xlsx",
        "csv report": folder / "texts.rvucheck.xlsx",  # the CSV's report workbook takes the same name...
        "audit": folder / "audit.xlsx",
    }
    # ...so the CSV run found the copy there and refused: write it again in its own folder
    csv_folder = tmp_path_factory.mktemp("text-cells-csv")
    csv_only = write_csv(csv_folder / "texts.csv", rows)
    runs["csv report"] = run_cli(csv_folder, "check", csv_only.name)
    files["csv report"] = csv_folder / "texts.rvucheck.xlsx"
    return {"runs": runs, "files": files, "rows": len(rows)}


WORKBOOKS = ("copy", "csv report", "audit")


@pytest.mark.parametrize("output", WORKBOOKS)
def test_run_held(outputs: dict[str, object], output: str) -> None:
    outcome: Outcome = outputs["runs"][output]  # type: ignore[index]
    outcome.assert_no_traceback()
    outcome.assert_inputs_unchanged()
    assert outcome.code in (0, 1), (outcome.code, outcome.stderr[-800:])
    assert outputs["files"][output].is_file()  # type: ignore[index]
    assert not _formulas_in_xml(outputs["files"][output])  # type: ignore[index]


@pytest.mark.parametrize("output", WORKBOOKS)
@pytest.mark.parametrize("name", list(FORMULA_LIKE))
def test_formula_like_text_is_a_text_cell(outputs: dict[str, object], output: str, name: str) -> None:
    text = FORMULA_LIKE[name]
    shown = text.replace("\r", "")  # openpyxl reads a CR back as written; compare without it
    found = [
        (sheet, where, value, kind)
        for sheet, where, value, kind in _cells(outputs["files"][output])  # type: ignore[index]
        if isinstance(value, str) and shown.strip() in value.replace("\r", "")
    ]
    assert found, f"{name} not in the {output}"
    assert all(kind == "s" for *_rest, kind in found), found


@pytest.mark.parametrize("output", WORKBOOKS)
def test_control_characters_are_shown_as_question_marks(outputs: dict[str, object], output: str) -> None:
    values = [v for *_rest, v, _kind in _cells(outputs["files"][output]) if isinstance(v, str)]  # type: ignore[index]
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", v) for v in values)
    assert any("Dr?Ctrl" in v for v in values)


@pytest.mark.parametrize("output", WORKBOOKS)
def test_terminal_output_has_no_escape_sequences(outputs: dict[str, object], output: str) -> None:
    outcome: Outcome = outputs["runs"][output]  # type: ignore[index]
    for stream in (outcome.stdout, outcome.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\x01" not in stream


def test_check_reports_the_control_characters_once(outputs: dict[str, object]) -> None:
    outcome: Outcome = outputs["runs"]["copy"]  # type: ignore[index]
    notes = [line for line in outcome.stdout.splitlines() if "control characters" in line]
    assert len(notes) == 1, outcome.stdout
    last = outputs["rows"]  # type: ignore[index]
    assert f"rows {last}, {last + 1}" in notes[0]  # the provider/patient row and the code row


def test_audit_json_and_html_carry_the_text_as_data(outputs: dict[str, object]) -> None:
    folder = outputs["files"]["audit"].parent  # type: ignore[index]
    figures = json.loads((folder / "audit.json").read_text(encoding="utf-8"))
    assert "Dr?Ctrl" in json.dumps(figures)
    html = (folder / "audit.html").read_text(encoding="utf-8")
    assert "\x01" not in html and "\x1b" not in html
    assert "<script" not in html.lower() or "HYPERLINK" not in html.split("<script")[1][:200]


@pytest.mark.parametrize(
    "name", ["\x1b[2J\x1b]0;owned\x07.xlsx", "two\nlines.xlsx"], ids=["escapes", "newline"]
)
def test_error_message_escapes_a_file_name(tmp_path: Path, name: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(b"not a workbook")
    outcome = run_cli(tmp_path, "check", name)
    outcome.assert_no_traceback()
    outcome.assert_inputs_unchanged()
    assert outcome.code == 2 and not outcome.written
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome.stderr
    assert "\x1b" not in lines[0] and "\x07" not in lines[0]
    assert name.replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace("\n", "\\x0a") in lines[0]


@pytest.mark.libreoffice
@pytest.mark.parametrize("output", WORKBOOKS)
def test_libreoffice_shows_the_text_not_a_result(
    outputs: dict[str, object], output: str, tmp_path: Path
) -> None:
    """A spreadsheet program, not only openpyxl: LibreOffice converts every sheet to CSV, where a formula
    would show its result (`1` for -2+3, `open me` for the HYPERLINK) and text shows itself."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("RVUCHECK_ALLOW_NO_SOFFICE") == "1":
            pytest.skip("LibreOffice is not installed")
        pytest.fail("LibreOffice (soffice) is needed: .ci/run installs libreoffice-calc-nogui")
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    command = [
        soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--convert-to",
        every_sheet, "--outdir", str(tmp_path / "csv"), str(outputs["files"][output]),  # type: ignore[index]
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    text = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "csv").glob("*.csv"))
    for name, formula in FORMULA_LIKE.items():
        assert formula.strip().replace('"', '""') in text, name
