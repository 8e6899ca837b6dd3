"""Feature-rich workbooks built for the round-trip tests (all values made up).

`feature_rich(path)`: a charge sheet under a title block with styles, number formats, formulas, comments,
data validation, conditional formats, merged title, a hidden row, freeze panes, a hyperlink, a defined name;
a second sheet with a table, a bar chart and an image; a hidden sheet.
`as_xlsm(xlsx, xlsm)`: the same package made macro-enabled with a vbaProject.bin part we write ourselves.
`with_sparklines(xlsx, out)`: the same package with an x14 sparkline group openpyxl would drop.
Parts openpyxl cannot write, added as XML to a `feature_rich` package (issue 13's lossless copy):
`with_shared_strings`, `with_1904_dates`, `with_threaded_comments` (+ persons), `with_pivot` (table, cache
definition and records; `slicer=True` adds a slicer and its cache), `with_x14_formats` (x14 conditional
format and validation over the charge sheet), `with_defined_names`; `everything(folder)` stacks them all
into one .xlsm.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from PIL import Image as PILImage

HEADERS = [
    "Encounter",
    "Patient",
    "DOS",
    "Provider",
    "CPT",
    "Mod 1",
    "Mod 2",
    "Units",
    "Dx 1",
    "POS",
    "Charge",
    "Double",
]
ROWS = [
    ["E1", "M1", dt.date(2026, 10, 1), "Dr Alvarez", 99213, 25, None, 1, "E11.9", 11, 150.0],
    ["E1", "M1", dt.date(2026, 10, 1), "Dr Alvarez", 20610, "RT", None, 1, "M17.11", 11, 180.0],
    [
        "E2",
        "M2",
        dt.date(2026, 10, 2),
        '=HYPERLINK("http://x","Dr Injected")',
        99214,
        None,
        None,
        1,
        "I10",
        11,
        220.0,
    ],
    ["E3", "M3", dt.date(2026, 10, 3), "Dr Chen", 17110, None, None, 2, "B07.8", 11, 160.0],
    ["E4", "M4", dt.date(2026, 10, 5), "Dr Chen", 99203, None, None, 1, "E11", 11, 185.0],
    ["E5", "M5", dt.date(2026, 10, 6), "Dr Chen", 93000, None, None, 1, "R07.9", 11, 60.0],
]
HEADER_ROW = 3
FIRST_DATA_ROW = 4


def feature_rich(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Charges"
    ws["A1"] = "Riverbend Medical Group - charge detail (made-up data)"
    ws["A1"].font = Font(bold=True, size=14, color="1F4E78")
    ws.merge_cells("A1:F1")
    ws["A2"] = "October 2026"
    ws["A2"].alignment = Alignment(horizontal="left")
    thin = Side(style="thin", color="999999")
    for column, title in enumerate(HEADERS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = Border(bottom=thin)
    for offset, values in enumerate(ROWS):
        row = FIRST_DATA_ROW + offset
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula (an export's injected value)
            if column == 3:
                cell.number_format = "mm/dd/yyyy"
            if column == 11:
                cell.number_format = '"$"#,##0.00'
        ws.cell(row=row, column=12, value=f"=K{row}*2").number_format = "#,##0.00"
    last = FIRST_DATA_ROW + len(ROWS) - 1
    ws.cell(row=last + 1, column=1, value="Grand Total").font = Font(bold=True)
    ws.cell(row=last + 1, column=11, value=f"=SUM(K{FIRST_DATA_ROW}:K{last})").number_format = '"$"#,##0.00'
    ws["E4"].comment = Comment("Checked by the front desk", "Pat")
    ws.row_dimensions[FIRST_DATA_ROW + 3].hidden = True
    ws.freeze_panes = "A4"
    ws["A2"].hyperlink = "https://example.org/charges"
    validation = DataValidation(type="list", formula1='"11,21,22,23"', allow_blank=True)
    validation.add(f"J{FIRST_DATA_ROW}:J{last}")
    ws.add_data_validation(validation)
    ws.conditional_formatting.add(
        f"K{FIRST_DATA_ROW}:K{last}",
        CellIsRule(operator="greaterThan", formula=["200"], fill=PatternFill("solid", fgColor="FFC000")),
    )
    wb.defined_names["ChargeTotal"] = DefinedName("ChargeTotal", attr_text=f"Charges!$K${last + 1}")
    lookup = wb.create_sheet("Lookup")
    lookup.append(["Code", "Fee"])
    for code, fee in (("99213", 150), ("99214", 220), ("20610", 180)):
        lookup.append([code, fee])
    table = Table(displayName="Fees", ref="A1:B4")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    lookup.add_table(table)
    chart = BarChart()
    chart.add_data(Reference(lookup, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(Reference(lookup, min_col=1, min_row=2, max_row=4))
    lookup.add_chart(chart, "D2")
    png = io.BytesIO()
    PILImage.new("RGB", (8, 8), "red").save(png, format="PNG")
    png.seek(0)
    lookup.add_image(Image(png), "D20")
    hidden = wb.create_sheet("Hidden")
    hidden["A1"] = "internal"
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


VBA_BYTES = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"rvucheck test vba project (made up)" + bytes(range(256)) * 8
)


def as_xlsm(source: Path, target: Path) -> Path:
    """Make a macro-enabled package: vbaProject.bin part, its relationship and content types."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                text = data.decode().replace(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
                text = text.replace(
                    "</Types>",
                    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
                data = text.encode()
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = (
                    data.decode()
                    .replace(
                        "</Relationships>",
                        '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
                        'vbaProject" Target="vbaProject.bin"/></Relationships>',
                    )
                    .encode()
                )
            dst.writestr(item, data)
        dst.writestr("xl/vbaProject.bin", VBA_BYTES)
    return target


SPARKLINES = (
    '<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    "<x14:sparklineGroup><x14:sparklines><x14:sparkline><xm:f>Charges!K4:K9</xm:f><xm:sqref>M4</xm:sqref>"
    "</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext></extLst>"
)


def with_sparklines(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"</worksheet>\s*$", SPARKLINES.encode() + b"</worksheet>", data)
            dst.writestr(item, data)
    return target


# --- Parts openpyxl cannot write, built as XML (issue 13: the lossless annotated copy). All values made up.

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
NS_THREADED = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS_REL = "http://schemas.microsoft.com/office"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CHARGES = "xl/worksheets/sheet1.xml"  # the charge sheet of `feature_rich`
EPOCH_1904_SHIFT = 1462  # days from 1900-01-00 (Excel's 1900 system) to 1904-01-01


def repackage(
    source: Path,
    target: Path,
    edits: dict[str, Callable[[bytes], bytes]] | None = None,
    added: dict[str, bytes] | None = None,
) -> Path:
    """A copy of `source` with parts edited and parts added, every part deflated as zipfile does by
    default (so an unedited part's compressed bytes are those of a source written the same way)."""
    edits, added = edits or {}, added or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, edits[item.filename](data) if item.filename in edits else data)
        for name, data in added.items():
            dst.writestr(name, data)
    return target


def _before(closing: str, xml: str) -> Callable[[bytes], bytes]:
    """An edit inserting `xml` before the first `closing` tag (e.g. "</Relationships>")."""

    def edit(data: bytes) -> bytes:
        assert closing.encode() in data, closing
        return data.replace(closing.encode(), xml.encode() + closing.encode(), 1)

    return edit


def _chain(*steps: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        for step in steps:
            data = step(data)
        return data

    return edit


def _relationship(rel_id: str, rel_type: str, target: str) -> str:
    return f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>'


def _override(part: str, content_type: str) -> str:
    return f'<Override PartName="/{part}" ContentType="{content_type}"/>'


def _sheet_ext(ext: str) -> Callable[[bytes], bytes]:
    """Add an `<ext>` to the worksheet's extLst (made if absent; it is the worksheet's last child)."""

    def edit(data: bytes) -> bytes:
        if b"</extLst>" in data:
            return data.replace(b"</extLst>", ext.encode() + b"</extLst>", 1)
        return re.sub(rb"</worksheet>\s*$", b"<extLst>" + ext.encode() + b"</extLst></worksheet>", data)

    return edit


def with_shared_strings(source: Path, target: Path) -> Path:
    """The charge rows' text cells (columns A, B, D, I) as shared strings, the rest inline as openpyxl
    writes them; the period line (A2) a shared string with formatting runs."""
    cell = re.compile(rb'<c r="([ABDI])([0-9]+)"([^>]*) t="inlineStr"><is><t>([^<]*)</t></is></c>')
    strings: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        if int(match.group(2)) < FIRST_DATA_ROW or match.group(4) == b"Grand Total":
            return match.group(0)
        index = strings.setdefault(match.group(4), len(strings))
        return b'<c r="%s%s"%s t="s"><v>%d</v></c>' % (*match.group(1, 2, 3), index)

    with zipfile.ZipFile(source) as archive:
        sheet = cell.sub(shared, archive.read(CHARGES))
    rich = len(strings)
    sheet = re.sub(
        rb'<c r="A2"([^>]*) t="inlineStr"><is><t>[^<]*</t></is></c>',
        lambda m: b'<c r="A2"%s t="s"><v>%d</v></c>' % (m.group(1), rich),
        sheet,
    )
    items = "".join(f"<si><t>{text.decode()}</t></si>" for text in strings)
    items += '<si><r><rPr><b/></rPr><t>October</t></r><r><t xml:space="preserve"> 2026</t></r></si>'
    count = len(strings) + 1
    sst = f'<sst xmlns="{NS_MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>'
    return repackage(
        source,
        target,
        {
            CHARGES: lambda data: sheet,
            "xl/_rels/workbook.xml.rels": _before(
                "</Relationships>", _relationship("rIdSst", f"{REL}/sharedStrings", "sharedStrings.xml")
            ),
            "[Content_Types].xml": _before(
                "</Types>", _override("xl/sharedStrings.xml", f"{CT}.sharedStrings+xml")
            ),
        },
        {"xl/sharedStrings.xml": sst.encode()},
    )


def with_1904_dates(source: Path, target: Path) -> Path:
    """The workbook in the 1904 date system (old Mac Excel): the flag, and each date of service shifted so
    it still shows the same day."""

    def shift(data: bytes) -> bytes:
        return re.sub(
            rb'(<c r="C[0-9]+" s="4" t="n"><v>)([0-9]+)(</v>)',
            lambda m: m.group(1) + str(int(m.group(2)) - EPOCH_1904_SHIFT).encode() + m.group(3),
            data,
        )

    def flag(data: bytes) -> bytes:
        assert b"<workbookPr/>" in data
        return data.replace(b"<workbookPr/>", b'<workbookPr date1904="1"/>')

    return repackage(source, target, {CHARGES: shift, "xl/workbook.xml": flag})


PERSON_ID = "{6C3F1B52-0D7A-4E8B-9A11-000000000001}"
THREAD = (
    f'<ThreadedComments xmlns="{NS_THREADED}" xmlns:x="{NS_MAIN}">'
    f'<threadedComment ref="E4" dT="2026-10-02T09:00:00.00" personId="{PERSON_ID}" '
    'id="{2F1A0C11-0000-4000-8000-000000000001}"><text>Checked by the front desk</text></threadedComment>'
    f'<threadedComment ref="E4" dT="2026-10-02T10:30:00.00" personId="{PERSON_ID}" '
    'id="{2F1A0C11-0000-4000-8000-000000000002}" parentId="{2F1A0C11-0000-4000-8000-000000000001}">'
    "<text>Reply: 25 added on the visit (made up)</text></threadedComment></ThreadedComments>"
)
PERSONS = (
    f'<personList xmlns="{NS_THREADED}" xmlns:x="{NS_MAIN}"><person displayName="Pat (made up)" '
    f'id="{PERSON_ID}" userId="pat@example.org" providerId="None"/></personList>'
)


def with_threaded_comments(source: Path, target: Path) -> Path:
    """A threaded comment with a reply on the charge sheet (beside the legacy note Excel keeps for it) and
    the persons part naming its author."""
    return repackage(
        source,
        target,
        {
            "xl/worksheets/_rels/sheet1.xml.rels": _before(
                "</Relationships>",
                _relationship(
                    "rIdTc",
                    f"{MS_REL}/2017/10/relationships/threadedComment",
                    "/xl/threadedComments/threadedComment1.xml",
                ),
            ),
            "xl/_rels/workbook.xml.rels": _before(
                "</Relationships>",
                _relationship("rIdPerson", f"{MS_REL}/2017/10/relationships/person", "persons/person.xml"),
            ),
            "[Content_Types].xml": _before(
                "</Types>",
                _override(
                    "xl/threadedComments/threadedComment1.xml",
                    "application/vnd.ms-excel.threadedcomments+xml",
                )
                + _override("xl/persons/person.xml", "application/vnd.ms-excel.person+xml"),
            ),
        },
        {
            "xl/threadedComments/threadedComment1.xml": THREAD.encode(),
            "xl/persons/person.xml": PERSONS.encode(),
        },
    )


PIVOT_SHEET = (
    f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><dimension ref="A3:B7"/><sheetData>'
    '<row r="3"><c r="A3" t="inlineStr"><is><t>Row Labels</t></is></c>'
    '<c r="B3" t="inlineStr"><is><t>Sum of Fee</t></is></c></row>'
    '<row r="4"><c r="A4" t="inlineStr"><is><t>20610</t></is></c><c r="B4"><v>180</v></c></row>'
    '<row r="5"><c r="A5" t="inlineStr"><is><t>99213</t></is></c><c r="B5"><v>150</v></c></row>'
    '<row r="6"><c r="A6" t="inlineStr"><is><t>99214</t></is></c><c r="B6"><v>220</v></c></row>'
    '<row r="7"><c r="A7" t="inlineStr"><is><t>Grand Total</t></is></c><c r="B7"><v>550</v></c></row>'
    "</sheetData>%s</worksheet>"
)
PIVOT_CACHE = (
    f'<pivotCacheDefinition xmlns="{NS_MAIN}" xmlns:r="{NS_R}" r:id="rId1" recordCount="3" '
    'createdVersion="6" refreshedVersion="6" minRefreshableVersion="3"><cacheSource type="worksheet">'
    '<worksheetSource ref="A1:B4" sheet="Lookup"/></cacheSource><cacheFields count="2">'
    '<cacheField name="Code" numFmtId="0"><sharedItems count="3"><s v="99213"/><s v="99214"/><s v="20610"/>'
    '</sharedItems></cacheField><cacheField name="Fee" numFmtId="0"><sharedItems containsSemiMixedTypes="0" '
    'containsString="0" containsNumber="1" containsInteger="1" minValue="150" maxValue="220"/></cacheField>'
    f'</cacheFields><extLst><ext uri="{{725AE2AE-9491-48be-B2B4-4EB974FC3084}}" xmlns:x14="{NS_X14}">'
    '<x14:pivotCacheDefinition pivotCacheId="1"/></ext></extLst></pivotCacheDefinition>'
)
PIVOT_RECORDS = (
    f'<pivotCacheRecords xmlns="{NS_MAIN}" count="3"><r><x v="0"/><n v="150"/></r><r><x v="1"/><n v="220"/>'
    '</r><r><x v="2"/><n v="180"/></r></pivotCacheRecords>'
)
PIVOT_TABLE = (
    f'<pivotTableDefinition xmlns="{NS_MAIN}" name="FeePivot" cacheId="1" applyNumberFormats="0" '
    'applyBorderFormats="0" applyFontFormats="0" applyPatternFormats="0" applyAlignmentFormats="0" '
    'applyWidthHeightFormats="1" dataCaption="Values" updatedVersion="6" minRefreshableVersion="3" '
    'createdVersion="6" useAutoFormatting="1" itemPrintTitles="1" indent="0" outline="1" outlineData="1">'
    '<location ref="A3:B7" firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/><pivotFields count="2">'
    '<pivotField axis="axisRow" showAll="0"><items count="4"><item x="2"/><item x="0"/><item x="1"/>'
    '<item t="default"/></items></pivotField><pivotField dataField="1" showAll="0"/></pivotFields>'
    '<rowFields count="1"><field x="0"/></rowFields><rowItems count="4"><i><x/></i><i><x v="1"/></i>'
    '<i><x v="2"/></i><i t="grand"><x/></i></rowItems><colItems count="1"><i/></colItems>'
    '<dataFields count="1"><dataField name="Sum of Fee" fld="1" baseField="0" baseItem="0"/></dataFields>'
    '<pivotTableStyleInfo name="PivotStyleLight16" showRowHeaders="1" showColHeaders="1" showRowStripes="0" '
    'showColStripes="0" showLastColumn="1"/></pivotTableDefinition>'
)
SLICER = (
    f'<slicers xmlns="{NS_X14}"><slicer name="Code" cache="Slicer_Code" caption="Code" rowHeight="241300"/>'
    "</slicers>"
)
SLICER_CACHE = (
    f'<slicerCacheDefinition xmlns="{NS_X14}" name="Slicer_Code" sourceName="Code"><pivotTables>'
    '<pivotTable tabId="4" name="FeePivot"/></pivotTables><data><tabular pivotCacheId="1"><items count="3">'
    '<i x="2" s="1"/><i x="0" s="1"/><i x="1" s="1"/></items></tabular></data></slicerCacheDefinition>'
)


def _rels(*relationships: str) -> bytes:
    body = "".join(relationships)
    return f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'.encode()


def with_pivot(source: Path, target: Path, slicer: bool = False) -> Path:
    """A fourth sheet "Pivot" holding a pivot table (fee by code) over Lookup!A1:B4, with its cache
    definition and records; `slicer`: and a slicer on its Code field (slicer + slicer cache parts, the
    `Slicer_Code` name, the x14 lists in the sheet and the workbook)."""
    sheet_ext = (
        f'<extLst><ext uri="{{A8765BA9-456A-4dab-B4F3-ACF838C121DE}}" xmlns:x14="{NS_X14}"><x14:slicerList>'
        '<x14:slicer r:id="rIdSlicer"/></x14:slicerList></ext></extLst>'
        if slicer
        else ""
    )
    sheet_rels = [_relationship("rIdPt", f"{REL}/pivotTable", "../pivotTables/pivotTable1.xml")]
    workbook_rels = _relationship(
        "rIdPc", f"{REL}/pivotCacheDefinition", "pivotCache/pivotCacheDefinition1.xml"
    )
    workbook_rels += _relationship("rIdPivotSheet", f"{REL}/worksheet", "worksheets/sheet4.xml")
    types = (
        _override("xl/worksheets/sheet4.xml", f"{CT}.worksheet+xml")
        + _override("xl/pivotTables/pivotTable1.xml", f"{CT}.pivotTable+xml")
        + _override("xl/pivotCache/pivotCacheDefinition1.xml", f"{CT}.pivotCacheDefinition+xml")
        + _override("xl/pivotCache/pivotCacheRecords1.xml", f"{CT}.pivotCacheRecords+xml")
    )
    workbook = [
        _before("</sheets>", f'<sheet xmlns:r="{NS_R}" name="Pivot" sheetId="4" r:id="rIdPivotSheet"/>'),
        _before(
            "</workbook>",
            f'<pivotCaches><pivotCache xmlns:r="{NS_R}" cacheId="1" r:id="rIdPc"/></pivotCaches>',
        ),
    ]
    added = {
        "xl/worksheets/sheet4.xml": (PIVOT_SHEET % sheet_ext).encode(),
        "xl/pivotTables/pivotTable1.xml": PIVOT_TABLE.encode(),
        "xl/pivotTables/_rels/pivotTable1.xml.rels": _rels(
            _relationship("rId1", f"{REL}/pivotCacheDefinition", "../pivotCache/pivotCacheDefinition1.xml")
        ),
        "xl/pivotCache/pivotCacheDefinition1.xml": PIVOT_CACHE.encode(),
        "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": _rels(
            _relationship("rId1", f"{REL}/pivotCacheRecords", "pivotCacheRecords1.xml")
        ),
        "xl/pivotCache/pivotCacheRecords1.xml": PIVOT_RECORDS.encode(),
    }
    if slicer:
        sheet_rels.append(
            _relationship("rIdSlicer", f"{MS_REL}/2007/relationships/slicer", "../slicers/slicer1.xml")
        )
        workbook_rels += _relationship(
            "rIdSc", f"{MS_REL}/2007/relationships/slicerCache", "slicerCaches/slicerCache1.xml"
        )
        types += _override("xl/slicers/slicer1.xml", "application/vnd.ms-excel.slicer+xml")
        types += _override("xl/slicerCaches/slicerCache1.xml", "application/vnd.ms-excel.slicerCache+xml")
        workbook.append(_before("</definedNames>", '<definedName name="Slicer_Code">#N/A</definedName>'))
        workbook.append(
            _before(
                "</workbook>",
                f'<extLst><ext uri="{{BBE1A952-AA13-448e-AADC-164F8A28A991}}" xmlns:x14="{NS_X14}">'
                f'<x14:slicerCaches><x14:slicerCache xmlns:r="{NS_R}" r:id="rIdSc"/></x14:slicerCaches></ext>'
                "</extLst>",
            )
        )
        added["xl/slicers/slicer1.xml"] = SLICER.encode()
        added["xl/slicerCaches/slicerCache1.xml"] = SLICER_CACHE.encode()
    added["xl/worksheets/_rels/sheet4.xml.rels"] = _rels(*sheet_rels)
    return repackage(
        source,
        target,
        {
            "xl/workbook.xml": _chain(*workbook),
            "xl/_rels/workbook.xml.rels": _before("</Relationships>", workbook_rels),
            "[Content_Types].xml": _before("</Types>", types),
        },
        added,
    )


X14_FORMATS = (
    f'<ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{NS_X14}"><x14:conditionalFormattings>'
    f'<x14:conditionalFormatting xmlns:xm="{NS_XM}"><x14:cfRule type="iconSet" priority="2" '
    'id="{5B1C2D3E-0000-4000-8000-000000000001}"><x14:iconSet iconSet="3Stars"><x14:cfvo type="percent">'
    '<xm:f>0</xm:f></x14:cfvo><x14:cfvo type="percent"><xm:f>33</xm:f></x14:cfvo><x14:cfvo type="percent">'
    "<xm:f>67</xm:f></x14:cfvo></x14:iconSet></x14:cfRule><xm:sqref>H4:H9</xm:sqref>"
    "</x14:conditionalFormatting></x14:conditionalFormattings></ext>"
    f'<ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{NS_X14}">'
    f'<x14:dataValidations xmlns:xm="{NS_XM}" count="1"><x14:dataValidation type="list" allowBlank="1" '
    'showInputMessage="1" showErrorMessage="1"><x14:formula1><xm:f>Lookup!$A$2:$A$4</xm:f></x14:formula1>'
    "<xm:sqref>E4:E9</xm:sqref></x14:dataValidation></x14:dataValidations></ext>"
)


def with_x14_formats(source: Path, target: Path) -> Path:
    """Over the charge sheet, beside `feature_rich`'s own validation and conditional format: an Excel 2010
    icon set on Units and a validation list of codes taken from another sheet (both x14 extensions)."""
    return repackage(source, target, {CHARGES: _sheet_ext(X14_FORMATS)})


DEFINED_NAMES = (
    '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Charges!$A$3:$L$9</definedName>'
    '<definedName name="_xlnm.Print_Titles" localSheetId="0">Charges!$3:$3</definedName>'
    '<definedName name="Fees" localSheetId="1" comment="fee column (made up)">Lookup!$B$2:$B$4</definedName>'
    '<definedName name="NonParShare" hidden="1">0.95</definedName>'
)


def with_defined_names(source: Path, target: Path) -> Path:
    """More defined names: sheet-local ones (print titles, a filter range, a name with a comment) and a
    hidden constant, beside `feature_rich`'s workbook-wide ChargeTotal."""
    return repackage(source, target, {"xl/workbook.xml": _before("</definedNames>", DEFINED_NAMES)})


def everything(folder: Path) -> Path:
    """Every feature of this corpus in one macro-enabled workbook (each step a separate file in `folder`)."""
    path = feature_rich(folder / "e0.xlsx")
    steps: list[Callable[[Path, Path], Path]] = [
        with_shared_strings, with_1904_dates, with_threaded_comments,
        lambda a, b: with_pivot(a, b, slicer=True), with_sparklines, with_x14_formats, with_defined_names,
    ]  # fmt: skip
    for number, step in enumerate(steps, start=1):
        path = step(path, folder / f"e{number}.xlsx")
    return as_xlsm(path, folder / "everything.xlsm")
