"""read.stream_sheet gives exactly python-calamine's rows, on sheets written by hand in the forms Excel and
other writers use (every value here is made up). Every other workbook the suite reads is compared too, by
the session fixture `streamed_sheets_equal_calamine` in tests/conftest.py."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from rvucheck.read import sources
from rvucheck.read.charges import read_charges
from rvucheck.read.package import row_pieces
from rvucheck.read.sheet_cells import SheetCells
from rvucheck.read.sheet_values import DATETIME, OTHER, TIMEDELTA, number_format_kind
from rvucheck.read.stream_sheet import SheetFormatError, StreamedSheet

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="{MAIN}"><numFmts count="4"><numFmt numFmtId="164" formatCode="mm/dd/yyyy"/>
<numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="&quot;Day&quot; 0"/>
<numFmt numFmtId="167" formatCode="yyyy-mm-dd hh:mm"/></numFmts>
<cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>
<xf numFmtId="166"/><xf numFmtId="21"><alignment/></xf><xf numFmtId="167"/></cellXfs></styleSheet>"""
SHARED = f"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="{MAIN}" count="6" uniqueCount="6"><si><t>plain</t></si>
<si><t xml:space="preserve">  kept  </t></si>
<si><t>  trimmed
</t></si><si><r><rPr><b/></rPr><t>rich </t></r><r><t xml:space="preserve">text </t></r>
<rPh><t>ignored</t></rPh></si>
<si><t>line_x000D_break &amp; &lt;tag&gt; &#233;</t></si><si/></sst>"""


def _book(
    folder: Path, sheet_data: str, *, date1904: bool = False, after: str = "", prefix: str = ""
) -> Path:
    """A one-sheet package with this sheet XML (`prefix`: the main namespace under a prefix, `x:`)."""
    p = prefix
    xmlns = f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns} xmlns:r="{REL}">'
        f'<{p}dimension ref="A1"/><{p}sheetData>{sheet_data}</{p}sheetData>{after}</{p}worksheet>'
    )
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/'
            'sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>'
            '<sheet name="Charges" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/'
            f'sheet1.xml"/><Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/><Relationship '
            f'Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": SHARED,
    }
    path = folder / "book.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def _calamine(path: Path) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Charges").to_python(skip_empty_area=False)


def _streamed(path: Path, date1904: bool = False) -> list[list[object]]:
    return list(StreamedSheet(path, "xl/worksheets/sheet1.xml", date1904).rows())


CASES = {
    "shared strings: trim, preserve, rich runs, phonetic, escapes, entities, empty": (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
        '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>'
    ),
    "inline strings, plain and rich, and a v an inline cell ignores": (
        '<row r="2"><c r="B2" t="inlineStr"><is><t> x </t></is></c><c r="C2" t="inlineStr">'
        "<is><r><t>a</t></r>"
        '<r><t xml:space="preserve"> b</t></r></is></c><c r="D2" t="inlineStr"><v>9</v></c>'
        '<c r="E2" t="inlineStr"><is><t>A&amp;B_x000A_&#133;&#x85;</t></is></c></row>'
    ),
    "numbers, booleans, errors, formulas with and without cached values": (
        '<row r="1"><c r="A1"><v>42</v></c><c r="B1"><v>-1.5E3</v></c><c r="C1" t="b"><v>1</v></c>'
        '<c r="D1" t="b"><v>0</v></c><c r="E1" t="e"><v>#REF!</v></c><c r="F1"><f>1+1</f><v>2</v></c>'
        '<c r="G1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="H1"><f>A1</f></c><c r="I1" t="e"><f>1/0</f>'
        '<v>#DIV/0!</v></c><c r="J1" t="b"><f>TRUE</f><v>1</v></c><c r="K1"><v></v></c>'
        '<c r="L1" s="4"><v>7</v>'
        "</c></row>"
    ),
    "dates, times, datetimes and durations by the style's format": (
        '<row r="1"><c r="A1" s="1"><v>46296</v></c><c r="B1" s="2"><v>46297.5</v></c><c r="C1" s="5">'
        '<v>0.75</v></c><c r="D1" s="3"><v>1.25</v></c><c r="E1" s="6"><v>46296.3333333333</v></c>'
        '<c r="F1" s="1"><v>59</v></c><c r="G1" s="1"><v>61</v></c><c r="H1" s="9"><v>46296</v></c>'
        '<c r="I1" t="d"><v>2026-10-05</v></c><c r="J1" t="d"><v>2026-10-05T08:30:00</v></c></row>'
    ),
    "sparse rows and columns, a row and cells without r, empty and styled-only cells": (
        '<row r="3"><c r="C3" s="1"/><c r="D3"><v>1</v></c></row><row><c><v>2</v></c><c><v>3</v></c>'
        '<c r="F4"><v>4</v></c><c><v>5</v></c></row><row r="7" spans="1:2"/><row r="8">'
        '<c r="B8" s="2"/></row>'
        '<row r="9"><c r="A9" t="s"><v>0</v></c><c r="H9"></c></row>'
    ),
    "merged ranges after the cells": (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>1</v></c></row><row r="2">'
        '<c r="B2"><v>2</v></c></row>'
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_streamed_rows_equal_calamine(tmp_path: Path, name: str) -> None:
    after = '<mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="C1"/></mergeCells>'
    path = _book(tmp_path, CASES[name], after=after if name.startswith("merged") else "")
    expected = _calamine(path)
    assert expected  # every case holds values
    assert _streamed(path) == expected
    if name.startswith("merged"):
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Charges")
        merged = [(tuple(a), tuple(b)) for a, b in sheet.merged_cell_ranges]
        assert StreamedSheet(path, "xl/worksheets/sheet1.xml", False).merged == merged


def test_dates_of_a_1904_workbook(tmp_path: Path) -> None:
    data = (
        '<row r="1"><c r="A1" s="1"><v>44834</v></c><c r="B1" s="6"><v>44834.25</v></c>'
        '<c r="C1"><v>3</v></c></row>'
    )
    path = _book(tmp_path, data, date1904=True)
    rows = _streamed(path, date1904=True)
    assert rows == _calamine(path)
    assert rows[0][0] == dt.date(2026, 10, 1)  # 1904 system: 1,462 days later than the same serial in 1900
    assert rows[0][1] == dt.datetime(2026, 10, 1, 6, 0)


def test_a_prefixed_sheet(tmp_path: Path) -> None:
    data = '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>5</x:v></x:c></x:row>'
    path = _book(tmp_path, data, prefix="x:")
    assert _streamed(path) == _calamine(path) == [["plain", 5.0]]


def test_an_empty_sheet_has_no_rows(tmp_path: Path) -> None:
    path = _book(tmp_path, '<row r="1"><c r="A1" s="1"/></row>')
    assert _streamed(path) == _calamine(path) == []


def test_rows_out_of_order_are_declined(tmp_path: Path) -> None:
    """calamine places them by number; the stream cannot, and says so before the first row (the reader then
    lets calamine read the sheet)."""
    path = _book(tmp_path, '<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>')
    with pytest.raises(SheetFormatError):
        StreamedSheet(path, "xl/worksheets/sheet1.xml", False)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("mm/dd/yyyy", DATETIME),
        ("[h]:mm:ss", TIMEDELTA),
        ('"Day" 0', OTHER),
        ("#,##0.00", OTHER),
        ("[Red]#,##0;[Blue]0", OTHER),
        ("h:mm AM/PM", DATETIME),
        ("0_m", OTHER),
        ("#,##0*y", OTHER),
        ("[$-409]mmm d", DATETIME),
        ("[mm]", TIMEDELTA),
        ("0;yyyy", OTHER),
    ],
)
def test_number_formats(code: str, kind: str) -> None:
    assert number_format_kind(code) == kind


def test_pieces_end_after_whole_rows(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 400))
    path = _book(tmp_path, rows)
    with zipfile.ZipFile(path) as archive:
        pieces = list(row_pieces(archive, "xl/worksheets/sheet1.xml", size=256))
        whole = archive.read("xl/worksheets/sheet1.xml")
    assert len(pieces) > 10 and b"".join(pieces) == whole
    assert all(piece.endswith(b"</row>") for piece in pieces[:-1])


def test_the_reader_streams_a_sheet_above_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above RVUCHECK_STREAM_SHEET_MB calamine never parses the sheet; the lines read are the same."""
    header = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for col, text in zip("ABCDE", ("Patient", "DOS", "CPT", "Units", "Dx"), strict=True)
    )
    lines = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>P{n % 7}</t></is></c>'
        f'<c r="B{n}" s="1"><v>46296</v></c>'
        f'<c r="C{n}"><v>99213</v></c><c r="D{n}"><v>1</v></c><c r="E{n}" t="inlineStr"><is>'
        f"<t>I10</t></is></c></row>"
        for n in range(2, 402)
    )
    path = _book(tmp_path, f'<row r="1">{header}</row>{lines}')
    before = read_charges(path)
    parsed: list[str] = []
    original = sources.XlsxBook._sheet
    monkeypatch.setattr(
        sources.XlsxBook, "_sheet", lambda book, name: parsed.append(name) or original(book, name)
    )
    monkeypatch.setenv("RVUCHECK_STREAM_SHEET_MB", "0")
    after = read_charges(path)
    assert parsed == []
    assert len(after.lines) == 400 and after.lines == before.lines
    assert after.lines[0].dos == dt.date(2026, 10, 1)


def _plain_rows(first: int, last: int) -> str:
    return "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}"><v>1</v></c></row>' for n in range(first, last)
    )


def test_a_totals_row_sends_only_its_own_rows_to_the_cell_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month's totals row (a formula) at the end of thousands of plain rows: the extent is read from the
    plain rows' bytes and only the rows near the formula are walked cell by cell (the whole sheet was walked
    again before: ~25 s of CPU at 1,000,000 lines)."""
    totals = '<row r="6001"><c r="A6001"><f>SUM(A1:A6000)</f><v>1</v></c><c r="C6001"/></row>'
    path = _book(tmp_path, _plain_rows(1, 6001) + totals)
    walked: list[int] = []
    original = SheetCells.rows

    def counting(cells: SheetCells, pieces: Any, *args: Any, **kwargs: Any) -> Any:
        convert = kwargs.get("convert", args[0] if args else True)
        for row in original(cells, pieces, *args, **kwargs):
            if not convert:  # the extent's walk (the values' walk converts)
                walked.append(row[0])
            yield row

    monkeypatch.setattr(SheetCells, "rows", counting)
    sheet = StreamedSheet(path, "xl/worksheets/sheet1.xml", False)
    assert (sheet.last_row, sheet.last_column) == (6000, 1)
    assert 0 < len(walked) < 2000 and walked[-1] == 6000
    monkeypatch.undo()
    assert _streamed(path) == _calamine(path)


@pytest.mark.parametrize(
    "middle",
    [
        '<row r="3000"><c r="A3000"/><c r="D3000" s="1"/></row>',  # empty styled cells: not the extent
        '<row r="3000"><c r="E3000"><f>A1</f><v>2</v></c></row>',  # a formula's value: the widest cell
        '<row><c r="F3000"><v>3</v></c></row>',  # a row without a number follows the plain one before it
    ],
)
def test_plain_and_other_rows_mixed_give_calamines_extent(tmp_path: Path, middle: str) -> None:
    path = _book(tmp_path, _plain_rows(1, 3000) + middle + _plain_rows(3001, 6000))
    assert _streamed(path) == _calamine(path)


def test_rows_out_of_order_after_a_walked_piece_are_declined(tmp_path: Path) -> None:
    middle = '<row r="3000"><c r="A3000"><f>1</f><v>1</v></c></row>'
    path = _book(tmp_path, _plain_rows(1, 3000) + middle + _plain_rows(2990, 6000))
    with pytest.raises(SheetFormatError):
        StreamedSheet(path, "xl/worksheets/sheet1.xml", False)
