"""Feature-rich workbooks built for the round-trip tests (all values made up).

`feature_rich(path)`: a charge sheet under a title block with styles, number formats, formulas, comments,
data validation, conditional formats, merged title, a hidden row, freeze panes, a hyperlink, a defined name;
a second sheet with a table, a bar chart and an image; a hidden sheet.
`as_xlsm(xlsx, xlsm)`: the same package made macro-enabled with a vbaProject.bin part we write ourselves.
`with_sparklines(xlsx, out)`: the same package with an x14 sparkline group openpyxl would drop.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
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
