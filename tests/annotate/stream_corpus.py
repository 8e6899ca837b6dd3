"""More workbooks for the streamed copy's losslessness tests (all values made up).

`with_pivot_and_threads(xlsx, out)`: the feature-rich package plus a pivot table (cache definition, records,
table over the Lookup sheet) and a threaded comment with its person list, parts openpyxl drops.
`inline_1904(path)`: the charge sheet written by xlsxwriter with inline strings and the 1904 date system.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import xlsxwriter
from annotate_corpus import FIRST_DATA_ROW, HEADER_ROW, HEADERS, ROWS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PIVOT_CACHE = (
    f'<pivotCacheDefinition xmlns="{MAIN}" xmlns:r="{REL}" r:id="rId1" refreshOnLoad="1" recordCount="3">'
    '<cacheSource type="worksheet"><worksheetSource ref="A1:B4" sheet="Lookup"/></cacheSource>'
    '<cacheFields count="2"><cacheField name="Code" numFmtId="0"><sharedItems count="3"><s v="99213"/>'
    '<s v="99214"/><s v="20610"/></sharedItems></cacheField><cacheField name="Fee" numFmtId="0">'
    '<sharedItems containsSemiMixedTypes="0" containsString="0" containsNumber="1" containsInteger="1" '
    'minValue="150" maxValue="220"/></cacheField></cacheFields></pivotCacheDefinition>'
)
PIVOT_RECORDS = (
    f'<pivotCacheRecords xmlns="{MAIN}" count="3"><r><x v="0"/><n v="150"/></r><r><x v="1"/><n v="220"/></r>'
    '<r><x v="2"/><n v="180"/></r></pivotCacheRecords>'
)
PIVOT_TABLE = (
    f'<pivotTableDefinition xmlns="{MAIN}" name="FeePivot" cacheId="7" applyNumberFormats="0" '
    'applyBorderFormats="0" applyFontFormats="0" applyPatternFormats="0" applyAlignmentFormats="0" '
    'applyWidthHeightFormats="1" dataCaption="Values" updatedVersion="6" minRefreshableVersion="3" '
    'createdVersion="6" indent="0" outline="1" outlineData="1"><location ref="H2:I6" firstHeaderRow="1" '
    'firstDataRow="1" firstDataCol="1"/><pivotFields count="2"><pivotField axis="axisRow" showAll="0">'
    '<items count="4"><item x="0"/><item x="1"/><item x="2"/><item t="default"/></items></pivotField>'
    '<pivotField dataField="1" showAll="0"/></pivotFields><rowFields count="1"><field x="0"/></rowFields>'
    '<rowItems count="4"><i><x/></i><i><x v="1"/></i><i><x v="2"/></i><i t="grand"><x/></i></rowItems>'
    '<colItems count="1"><i/></colItems><dataFields count="1"><dataField name="Sum of Fee" fld="1" '
    'baseField="0" baseItem="0"/></dataFields></pivotTableDefinition>'
)
THREAD = (
    '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
    '<threadedComment ref="E6" dT="2026-10-02T10:00:00.00" personId="{11111111-1111-1111-1111-111111111111}" '
    'id="{22222222-2222-2222-2222-222222222222}"><text>Is 99214 right here? (made up)</text>'
    "</threadedComment></ThreadedComments>"
)
PERSONS = (
    '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
    '<person displayName="Pat Example" id="{11111111-1111-1111-1111-111111111111}" providerId="None"/>'
    "</personList>"
)
MS = "http://schemas.microsoft.com/office/2017/10/relationships"
ADDED_PARTS = {
    "xl/pivotCache/pivotCacheDefinition1.xml": PIVOT_CACHE,
    "xl/pivotCache/pivotCacheRecords1.xml": PIVOT_RECORDS,
    "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": (
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/>'
        "</Relationships>"
    ),
    "xl/pivotTables/pivotTable1.xml": PIVOT_TABLE,
    "xl/pivotTables/_rels/pivotTable1.xml.rels": (
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/pivotCacheDefinition" '
        'Target="../pivotCache/pivotCacheDefinition1.xml"/></Relationships>'
    ),
    "xl/threadedComments/threadedComment1.xml": THREAD,
    "xl/persons/person.xml": PERSONS,
}
TYPES = {
    "/xl/pivotCache/pivotCacheDefinition1.xml": "spreadsheetml.pivotCacheDefinition+xml",
    "/xl/pivotCache/pivotCacheRecords1.xml": "spreadsheetml.pivotCacheRecords+xml",
    "/xl/pivotTables/pivotTable1.xml": "spreadsheetml.pivotTable+xml",
}


def _add_rel(data: bytes, rel_type: str, target: str, rel_id: str) -> bytes:
    rel = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>'
    return data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")


def with_pivot_and_threads(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                overrides = "".join(
                    f'<Override PartName="{part}" ContentType="application/vnd.openxmlformats-officedocument.'
                    f'{kind}"/>'
                    for part, kind in TYPES.items()
                )
                overrides += (
                    '<Override PartName="/xl/threadedComments/threadedComment1.xml" '
                    'ContentType="application/vnd.ms-excel.threadedcomments+xml"/>'
                    '<Override PartName="/xl/persons/person.xml" '
                    'ContentType="application/vnd.ms-excel.person+xml"/>'
                )
                data = data.replace(b"</Types>", overrides.encode() + b"</Types>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                cache = "pivotCache/pivotCacheDefinition1.xml"
                data = _add_rel(data, f"{REL}/pivotCacheDefinition", cache, "rIdPc")
                data = _add_rel(data, f"{MS}/person", "persons/person.xml", "rIdPe")
            elif item.filename == "xl/workbook.xml":
                caches = f'<pivotCaches><pivotCache xmlns:r="{REL}" cacheId="7" r:id="rIdPc"/></pivotCaches>'
                data = re.sub(rb"(</workbook>)", caches.encode() + rb"\1", data)
            elif item.filename == "xl/worksheets/_rels/sheet2.xml.rels":
                data = _add_rel(data, f"{REL}/pivotTable", "../pivotTables/pivotTable1.xml", "rIdPt")
            elif item.filename == "xl/worksheets/_rels/sheet1.xml.rels":
                thread = "../threadedComments/threadedComment1.xml"
                data = _add_rel(data, f"{MS}/threadedComment", thread, "rIdTc")
            dst.writestr(item, data)
        assert {"xl/worksheets/_rels/sheet1.xml.rels", "xl/worksheets/_rels/sheet2.xml.rels"} <= set(names)
        for name, text in ADDED_PARTS.items():
            dst.writestr(name, text)
    return target


def inline_1904(path: Path) -> Path:
    """The charge sheet through xlsxwriter's constant-memory mode (inline strings), 1904 dates."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "date_1904": True})
    ws = wb.add_worksheet("Charges")
    date = wb.add_format({"num_format": "mm/dd/yyyy"})
    ws.write_string(0, 0, "Charges (made-up data)")
    for column, title in enumerate(HEADERS):
        ws.write_string(HEADER_ROW - 1, column, title)
    for offset, values in enumerate(ROWS):
        row = FIRST_DATA_ROW - 1 + offset
        for column, value in enumerate(values):
            if value is None:
                continue
            if column == 2:
                ws.write_datetime(row, column, value, date)
            elif isinstance(value, str):
                ws.write_string(row, column, value)
            else:
                ws.write_number(row, column, value)
        ws.write_formula(row, 11, f"=K{row + 1}*2", None, values[10] * 2)
    wb.close()
    return path


def prefixed(source: Path, target: Path) -> Path:
    """The charge sheet with every element spelt `<x:row>` (as the Open XML SDK writes), same XML."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<(/?)([A-Za-z][\w.-]*)(?=[\s/>])", rb"<\1x:\2", data)
                data = data.replace(f'xmlns="{MAIN}"'.encode(), f'xmlns:x="{MAIN}"'.encode(), 1)
            dst.writestr(item, data)
    return target


def with_charge_table(source: Path, target: Path) -> Path:
    """The charge rows as an Excel table (header row 3 to the last line, all 12 columns)."""
    columns = "".join(f'<tableColumn id="{i}" name="{name}"/>' for i, name in enumerate(HEADERS, start=1))
    last = FIRST_DATA_ROW + len(ROWS) - 1
    table = (
        f'<table xmlns="{MAIN}" id="9" name="ChargeRows" displayName="ChargeRows" '
        f'ref="A{HEADER_ROW}:L{last}"><autoFilter ref="A{HEADER_ROW}:L{last}"/>'
        f'<tableColumns count="{len(HEADERS)}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleLight9" showRowStripes="1"/></table>'
    )
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                override = (
                    '<Override PartName="/xl/tables/chargeRows.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>'
                )
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            elif item.filename == "xl/worksheets/_rels/sheet1.xml.rels":
                data = _add_rel(data, f"{REL}/table", "../tables/chargeRows.xml", "rIdCt")
            elif item.filename == "xl/worksheets/sheet1.xml":
                parts = f'<tableParts count="1"><tablePart xmlns:r="{REL}" r:id="rIdCt"/></tableParts>'
                data = data.replace(b"</worksheet>", parts.encode() + b"</worksheet>")
            dst.writestr(item, data)
        dst.writestr("xl/tables/chargeRows.xml", table)
    return target
