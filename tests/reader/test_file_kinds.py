"""Excel 97-2003 (.xls) and OpenDocument (.ods) exports are read (python-calamine reads both); a binary
workbook (.xlsb) gets its one-line message. tests/reader/data/charges.xls holds made-up values only."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from rvucheck.cli.main import main
from rvucheck.errors import InputFileError
from rvucheck.read.charges import read_charges
from rvucheck.read.safety import check_input

XLS = Path(__file__).parent / "data" / "charges.xls"
ROWS = [
    ["Pt Acct #", "Date of Svc", "CPT/HCPCS", "Mod 1", "Units", "Dx 1"],
    ["A100", dt.date(2026, 7, 6), "99213", "25", 1, "I10"],
    ["A200", dt.date(2026, 7, 7), "99204", "", 2, "E11.9"],
]


def _cell(value: object) -> str:
    if isinstance(value, dt.date):
        return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'
    if isinstance(value, int):
        return f'<table:table-cell office:value-type="float" office:value="{value}"/>'
    text = f"<text:p>{escape(str(value))}</text:p>"
    return f'<table:table-cell office:value-type="string">{text}</table:table-cell>'


def write_ods(path: Path, rows: list[list[object]]) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice lays one out (made-up values)."""
    body = "".join(f"<table:table-row>{''.join(_cell(v) for v in row)}</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Charges">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


def test_xls_export_is_read() -> None:
    assert check_input(XLS).kind == "xls"
    read = read_charges(XLS)
    assert (read.sheet, read.header_row, read.kind) == ("Charges", 3, "xls")
    assert [(x.patient, x.dos, x.hcpcs, x.modifiers, x.diagnoses) for x in read.lines] == [
        ("A100", dt.date(2026, 7, 6), "99213", ("25",), ("I10",)),
        ("A100", dt.date(2026, 7, 6), "20610", (), ("M17.11",)),
        ("A200", dt.date(2026, 7, 7), "99204", (), ("E11.9",)),
    ]


def test_ods_export_is_read(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "charges.ods", ROWS)
    assert check_input(path).kind == "ods"
    read = read_charges(path)
    assert [(x.patient, x.dos, x.hcpcs, x.modifiers, x.units) for x in read.lines] == [
        ("A100", dt.date(2026, 7, 6), "99213", ("25",), 1.0),
        ("A200", dt.date(2026, 7, 7), "99204", (), 2.0),
    ]


def test_check_of_xls_and_ods_writes_a_report_workbook_and_leaves_the_input(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    xls = tmp_path / "charges.xls"
    xls.write_bytes(XLS.read_bytes())
    ods = write_ods(tmp_path / "other.ods", ROWS)
    before = {p: p.read_bytes() for p in (xls, ods)}
    assert main([f"--data-dir={data_dir}", "check", str(xls), str(ods), "--fail-on", "never"]) == 0
    assert {p: p.read_bytes() for p in (xls, ods)} == before
    for out, header_row, rows in (("charges.rvucheck.xlsx", 3, 6), ("other.rvucheck.xlsx", 1, 3)):
        sheet = openpyxl.load_workbook(tmp_path / out)["Charges"]
        assert sheet.max_row == rows
        assert sheet.cell(header_row, sheet.max_column).value == "Findings"


def test_a_damaged_xls_and_an_xlsb_get_their_one_line_message(tmp_path: Path) -> None:
    damaged = tmp_path / "old.xls"
    damaged.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputFileError, match=r"save it as \.xlsx"):
        check_input(damaged)
    xlsb = tmp_path / "binary.xlsb"
    with zipfile.ZipFile(xlsb, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x00")
    with pytest.raises(
        InputFileError, match=r"binary workbook \(\.xlsb\); open it in Excel and save it as \.xlsx"
    ):
        check_input(xlsb)
    text = tmp_path / "notes.odt"
    with zipfile.ZipFile(text, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(InputFileError, match="OpenDocument file that is not a spreadsheet"):
        check_input(text)
