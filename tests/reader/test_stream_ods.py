"""read.stream_ods gives an .ods's rows as python-calamine gives them (`to_python(skip_empty_area=False)`),
cell for cell, on a hand-written content.xml holding what calamine reads specially, on workbooks LibreOffice
saved (one with merged cells, dates, times, percentages, booleans, paragraphs, repeated spaces, comments,
formulas and hidden rows; a generated month), and on every .ods the reader's tests write; the local engine
reads an .ods through it; a damaged content.xml gives the reader's one line naming the file. All values are
made up."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from openpyxl.comments import Comment
from python_calamine import CalamineWorkbook
from tests.reader.test_file_kinds import ROWS, write_ods

from rvucheck.batch.contract import lines_of
from rvucheck.batch.local_input import open_source
from rvucheck.errors import InputFileError
from rvucheck.read import stream_ods
from rvucheck.read.charges import read_charges
from rvucheck.read.ods_book import OdsBook, streams
from rvucheck.read.row_chunks import RowChunks
from rvucheck.read.safety import check_input
from rvucheck.session import Session
from rvucheck.testing.synthetic.month import generate_month
from rvucheck.testing.synthetic.write import write_xlsx

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
STRING = 'office:value-type="string"'


def _cell(attributes: str = "", content: str | None = None) -> str:
    if content is None:
        return f"<table:table-cell {attributes}/>"
    return f"<table:table-cell {attributes}>{content}</table:table-cell>"


# what calamine reads specially, one row each (rows 3-...: two empty rows and a column B before them)
SPECIAL_ROWS = [
    _cell(STRING, "<text:p>first</text:p><text:p>second</text:p><text:p/>")  # paragraphs
    + _cell(STRING, "<text:p>a<text:s/>b<text:s text:c='3'/>c<text:tab/>d<text:line-break/>e</text:p>")
    + _cell(STRING, "<text:p>x <text:span>span</text:span> <text:a>link</text:a></text:p>")
    + _cell(
        STRING,
        "<office:annotation><dc:creator>Rev</dc:creator><text:p>note</text:p></office:annotation>"
        "<text:p>kept</text:p>",
    ),
    _cell(STRING, "<text:p>A&amp;B &lt;&#x41;&#66;&gt; &quot;q&apos;</text:p>")
    + _cell(STRING, "<text:p>cr\r\nlf<![CDATA[ cdata ]]>end</text:p>")
    + _cell(f"{STRING} office:string-value='from >attr'", "<text:p>shown</text:p>")  # a bare > is XML
    + _cell(STRING),  # an empty string: "" that counts as a value
    _cell('office:value-type="float" office:value="42.5"', "<text:p>42.50</text:p>")
    + _cell('office:value-type="percentage" office:value="0.125"', "<text:p>12.5%</text:p>")
    + _cell('office:value-type="currency" office:currency="USD" office:value="-1E3"', "<text:p>$1</text:p>")
    + _cell('office:value-type="float" table:number-columns-repeated="3" office:value="7"')
    + _cell('table:number-columns-repeated="2"')
    + _cell('office:value-type="boolean" office:boolean-value="true"')
    + _cell('office:value-type="boolean" office:boolean-value="false"'),
    _cell('office:value-type="date" office:date-value="2026-07-06"')
    + _cell('office:value-type="date" office:date-value="2026-07-06T08:30:15.25"')
    + _cell('office:value-type="time" office:time-value="PT08H30M00S"')
    + _cell('office:value-type="time" office:time-value="PT36H00M00S"')  # past a day: the text
    + _cell('office:value-type="date" office:date-value="2026-02-30"')  # no such day: the text
    + _cell('office:value="3" office:value-type="string"', "<text:p>3</text:p>"),  # the value came first
    _cell(
        'table:formula="of:=IF([.A1]>0;1;2)" office:value-type="float" office:value="2"', "<text:p>2</text:p>"
    )
    + _cell('table:formula="of:=A1"')  # a formula without a value: empty
    + _cell('office:value-type="float"', "<text:p>no value</text:p>")  # a type without a value: empty
    + _cell('table:number-columns-spanned="2" office:value-type="string"', "<text:p>merged</text:p>")
    + f"<table:covered-table-cell {STRING}><text:p>covered</text:p></table:covered-table-cell>"
    + "<table:covered-table-cell/>",
]


def _content(tables: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES} office:version="1.3">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )


def _special_tables() -> str:
    empty = '<table:table-row><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    lead = '<table:table-cell table:number-columns-repeated="2"/>'  # values start in column C
    rows = "".join(f"<table:table-row>{lead}{row}</table:table-row>" for row in SPECIAL_ROWS)
    repeated = f'<table:table-row table:number-rows-repeated="3">{lead}{_cell(STRING, "<text:p>r</text:p>")}'
    gap = '<table:table-row table:number-rows-repeated="4"><table:table-cell/></table:table-row>'
    skip = _cell("table:number-columns-repeated='30'")  # single-quoted, as XML allows
    far = f"<table:table-row>{_cell(STRING, '<text:p>far</text:p>')}{skip}{_cell(STRING)}</table:table-row>"
    # `far`: an empty string in column AG, the sheet's last column
    tail = (
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    return (
        '<table:table table:name="Special &amp; Co>"><table:table-column table:number-columns-repeated="9"/>'
        f"<table:table-header-rows>{empty}{empty}</table:table-header-rows>{rows}"
        f"{repeated}</table:table-row>{gap}<table:table-row-group>{far}</table:table-row-group>{tail}"
        "</table:table>"
        '<table:table><table:table-row><table:table-cell office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table>"  # a table without a name: calamine leaves it out
        '<table:table table:name="Empty">' + empty + '</table:table><table:table table:name="Last"/>'
    )


def _write(path: Path, content: str | bytes, manifest: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest or "<manifest:manifest/>")
        archive.writestr("content.xml", content)
    return path


def _calamine_rows(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def _streamed_rows(path: Path) -> dict[str, list[list[object]]]:
    book = OdsBook(path)
    return {name: book.grid(name).rows for name in book.sheet_names}


def test_what_calamine_reads_specially_is_read_as_calamine_reads_it(tmp_path: Path) -> None:
    path = _write(tmp_path / "special.ods", _content(_special_tables()))
    streamed = _streamed_rows(path)
    assert streamed == _calamine_rows(path)
    assert (
        list(streamed) == ["Special & Co>", "Empty", "Last"] and streamed["Empty"] == streamed["Last"] == []
    )
    rows = streamed["Special & Co>"]
    # the values, so that the comparison above can fail
    assert len(rows) == 2 + len(SPECIAL_ROWS) + 3 + 4 + 1 and {len(row) for row in rows} == {32}
    assert rows[0] == [""] * 32 and rows[2][:2] == ["", ""]
    assert rows[2][2:6] == ["first\nsecond\n", "a b   cde", "x span link", "kept"]
    assert rows[3][2:6] == ["A&B <AB> \"q'", "cr\nlfend", "from >attr", ""]
    assert rows[4][2:13] == [42.5, 0.125, -1000.0, 7.0, 7.0, 7.0, "", "", True, False, ""]
    assert rows[5][2:8] == [
        dt.date(2026, 7, 6), dt.datetime(2026, 7, 6, 8, 30, 15, 250000), dt.time(8, 30),
        "PT36H00M00S", "2026-02-30", 3.0,
    ]  # fmt: skip
    assert rows[6][2:8] == [2.0, "", "", "merged", "covered", ""]
    assert [row[2] for row in rows[7:14]] == ["r", "r", "r", "", "", "", ""]
    assert rows[14][0] == "far" and rows[14][31] == ""


def test_the_files_the_reader_tests_write_are_read_as_calamine_reads_them(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "charges.ods", ROWS)
    assert _streamed_rows(path) == _calamine_rows(path)
    assert _streamed_rows(path)["Charges"][1][:3] == ["A100", dt.date(2026, 7, 6), "99213"]


def _soffice(source: Path, work: Path) -> Path:
    """`source` saved as .ods by LibreOffice (what a program that cannot write .xlsx exports)."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        if os.environ.get("RVUCHECK_ALLOW_NO_SOFFICE") == "1":
            pytest.skip("LibreOffice is not installed")
        pytest.fail("LibreOffice (soffice) is needed: .ci/run installs libreoffice-calc-nogui")
    profile = (work / "profile").as_uri()
    command = [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "ods"]
    subprocess.run(
        [*command, "--outdir", str(work), str(source)], check=True, capture_output=True, timeout=300
    )
    return source.with_suffix(".ods")


@pytest.mark.libreoffice
def test_a_workbook_libreoffice_saved_is_read_as_calamine_reads_it(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Charges"
    sheet.append(["Title row", None, None, None, "merged title"])
    sheet.merge_cells("E1:G2")
    sheet.append([])
    sheet.append(["Pt Acct #", "Date of Svc", "Time", "CPT/HCPCS", "Share", "Fee", "Paid", "Note", "Double"])
    for n in range(1, 41):
        row = [f"A{n:03}", dt.date(2026, 7, n % 28 + 1), dt.time(8 + n % 9, 15), "99213", n / 100, 100.5 + n]
        sheet.append([*row, n % 3 == 0, f"line one\nline two {n}" if n % 5 == 0 else f"a   b\tc {n}"])
        sheet.cell(sheet.max_row, 9, f"=F{sheet.max_row}*2")
        sheet.cell(sheet.max_row, 5).number_format = "0.0%"
        sheet.cell(sheet.max_row, 6).number_format = '"$"#,##0.00'
    sheet.cell(10, 2, dt.datetime(2026, 7, 9, 13, 45))
    sheet.merge_cells("A20:A23")
    sheet.cell(12, 1).comment = Comment("a reviewer's note", "Reviewer")
    for hidden in (15, 16):
        sheet.row_dimensions[hidden].hidden = True
    book.create_sheet("Notes").append(["nothing to see", 1])
    source = tmp_path / "features.xlsx"
    book.save(source)
    path = _soffice(source, tmp_path)
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml")
    for feature in (
        b"covered-table-cell",
        b"text:s",
        b"office:annotation",
        b'table:visibility="collapse"',
        b"percentage",
        b"office:boolean-value",
        b"office:time-value",
        b"T13:45",
    ):
        assert feature in content  # what LibreOffice wrote, so that the comparison can fail
    streamed = _streamed_rows(path)
    assert streamed == _calamine_rows(path)
    rows = streamed["Charges"]
    assert rows[4][:9] == [
        "A002",
        dt.date(2026, 7, 3),
        dt.time(10, 15),
        "99213",
        0.02,
        102.5,
        False,
        "a   bc 2",
        205.0,
    ]  # fmt: skip  (calamine reads a tab as nothing)
    assert rows[7][7] == "line one\nline two 5" and rows[9][1] == dt.datetime(2026, 7, 9, 13, 45)
    assert (
        rows[0][4] == "merged title" and rows[20][0] == "" and streamed["Notes"] == [["nothing to see", 1.0]]
    )


@pytest.fixture(scope="module")
def month_ods(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("month-ods")
    source = write_xlsx(generate_month(2026, 10, 1500, seed=14), work / "month.xlsx", year=2026, month=10)
    return _soffice(source, work)


@pytest.mark.libreoffice
def test_a_generated_month_saved_by_libreoffice_reads_the_same_lines_by_chunks(month_ods: Path) -> None:
    assert _streamed_rows(month_ods) == _calamine_rows(month_ods)
    whole = read_charges(month_ods)  # the single process: python-calamine
    info = check_input(month_ods)
    chunks = RowChunks.open_sheet(info, None, None)  # the local engine: read.stream_ods
    results = list(chunks.results(rows=400))
    assert [line for result in results for line in result.lines] == whole.lines
    assert [bad for result in results for bad in result.unreadable] == whole.unreadable
    assert chunks.grid.known_rows == whole.totals_rows[-1] and len(results) == 4
    assert len(whole.lines) == 1500 and whole.header_row == 5


def test_the_local_engine_reads_a_large_ods_without_calamine(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_ods(tmp_path / "charges.ods", ROWS)
    opened: list[str] = []
    real = stream_ods.sheet_rows
    monkeypatch.setattr(
        stream_ods, "sheet_rows", lambda p, table: opened.append(table.name) or real(p, table)
    )
    monkeypatch.setattr(CalamineWorkbook, "from_path", None)  # any calamine read would fail
    assert not streams(path)  # small: the local engine reads it whole, by calamine
    monkeypatch.setenv("RVUCHECK_STREAM_SHEET_MB", "0")  # as an .ods above 256 MB of content.xml
    assert streams(path)
    source = open_source(path, Session.open(data_dir), None)
    lines = lines_of(pa.concat_tables([table for table, _bad in source.batches]), source.layout)[0]
    assert [(line.patient, line.hcpcs) for line in lines] == [("A100", "99213"), ("A200", "99204")]
    assert opened and set(opened) == {"Charges"}


def _one_line_error(path: Path) -> str:
    with pytest.raises(InputFileError) as raised:
        chunks = RowChunks.open_sheet(check_input(path, features=False), None, None)
        for _result in chunks.results(rows=2):
            pass
    message = str(raised.value)
    assert str(path) in message and "\n" not in message
    return message


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("truncated", "cannot be read as a workbook (content.xml ends inside a sheet)"),
        ("not a number", "cannot be read as a workbook (a cell's office:value is not a number)"),
        ("entity past the first rows", "cannot be read as a workbook (unknown entity &nbsp;)"),
        ("not xml", "cannot be read as a workbook (content.xml is not XML)"),
        ("encrypted", "is password-protected"),
    ],
)
def test_a_damaged_content_xml_gives_one_line_naming_the_file(
    damage: str, expected: str, tmp_path: Path
) -> None:
    header = (
        "<table:table-row>"
        + "".join(_cell(STRING, f"<text:p>{h}</text:p>") for h in ROWS[0])
        + "</table:table-row>"
    )
    cells = [_cell(STRING, f"<text:p>{text}</text:p>") for text in ("A{n}", "2026-07-06", "99213")]
    body = [f"<table:table-row>{''.join(cells).replace('{n}', str(n))}</table:table-row>" for n in range(200)]
    manifest = ""
    if damage == "not a number":
        body[150] = body[150].replace(STRING, 'office:value-type="float" office:value="abc"', 1)
    elif damage == "entity past the first rows":
        body[150] = body[150].replace("<text:p>A150", "<text:p>A&nbsp;150", 1)
    elif damage == "encrypted":
        manifest = "<manifest:manifest><manifest:encryption-data/></manifest:manifest>"
    content = _content(f'<table:table table:name="Charges">{header}{"".join(body)}</table:table>')
    if damage == "truncated":
        content = content[: len(content) * 2 // 3]
    elif damage == "not xml":
        content = "PK\x03\x04 this is not the sheet"
    path = _write(tmp_path / "damaged.ods", content, manifest)
    assert expected in _one_line_error(path)
