"""The fee-schedule data sheets of the no-add-in workbooks, and the native formulas that look them up.

Sheet `RVU`: one row per PPRRVU row of the user's installed release, keyed `HCPCS|MOD` ("20983|", "93000|26").
Sheet `GPCI`: one row per Medicare locality keyed `MAC-locality` ("01112-05"), plus `NATIONAL` (all 1.0).
The DESCRIPTION column (AMA-licensed CPT text) is written only when the user asks for it: it comes from their
own file and is theirs to keep, not ours to ship.

Both sheets are Excel Tables, and the columns the formulas read are workbook names over the data rows
(`RVU_KEY`, `RVU_WORK`, `GPCI_PE` ...): the line formulas (line_formulas.py) MATCH the row once and INDEX
each value, which every Excel since 2007 and LibreOffice evaluate alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.refdata.types import Locality, RvuRow
from rvucheck.report.xlsx import print_setup

RVU_SHEET = "RVU"
GPCI_SHEET = "GPCI"
NATIONAL = "NATIONAL"

# (header, RvuRow attribute) in column order A, B, C, ...; "key" is computed.
RVU_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Key", "key"),
    ("HCPCS", "hcpcs"),
    ("MOD", "modifier"),
    ("Status", "status_code"),
    ("Work RVU", "work_rvu"),
    ("Non-facility PE RVU", "pe_rvu_nonfacility"),
    ("Non-facility NA", "nonfacility_na"),
    ("Facility PE RVU", "pe_rvu_facility"),
    ("Facility NA", "facility_na"),
    ("MP RVU", "mp_rvu"),
    ("Total non-facility", "total_rvu_nonfacility"),
    ("Total facility", "total_rvu_facility"),
    ("PC/TC", "pctc_indicator"),
    ("Global days", "global_days"),
    ("Mult proc", "mult_proc"),
    ("Bilat surg", "bilat_surg"),
    ("Asst surg", "asst_surg"),
    ("Co-surg", "co_surg"),
    ("Team surg", "team_surg"),
    ("Conversion factor", "conversion_factor"),
    ("OPPS non-facility PE", "opps_pe_nonfacility"),
    ("OPPS facility PE", "opps_pe_facility"),
    ("OPPS MP", "opps_mp"),
    ("Description (from your CMS file)", "description"),
)
GPCI_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Key", "key"),
    ("MAC", "mac"),
    ("Locality", "locality"),
    ("State", "state"),
    ("Name", "name"),
    ("Work GPCI", "work_gpci"),
    ("PE GPCI", "pe_gpci"),
    ("MP GPCI", "mp_gpci"),
)
FIRST_DATA_ROW = 3  # row 1: what this is; row 2: headers


def column_letter(columns: tuple[tuple[str, str], ...], attribute: str) -> str:
    index = [a for _h, a in columns].index(attribute)
    return chr(ord("A") + index)


def rvu_column(attribute: str) -> str:
    return column_letter(RVU_COLUMNS, attribute)


def gpci_column(attribute: str) -> str:
    return column_letter(GPCI_COLUMNS, attribute)


@dataclass(frozen=True)
class SheetData:
    """What the data sheets hold: one release's rows and the localities that go with it."""

    release: str
    rows: tuple[RvuRow, ...]
    localities: tuple[Locality, ...]
    with_descriptions: bool = False
    note: str = ""


def row_key(hcpcs: str, modifier: str) -> str:
    return f"{hcpcs}|{modifier}"


# The named ranges the line formulas read (excel/line_formulas.py): one per data column they use, over the
# data rows only (whole-column references make every lookup scan a million rows).
RVU_NAMES = {
    "RVU_KEY": "key",
    "RVU_WORK": "work_rvu",
    "RVU_PE_NF": "pe_rvu_nonfacility",
    "RVU_PE_F": "pe_rvu_facility",
    "RVU_MP": "mp_rvu",
    "RVU_TOTAL_NF": "total_rvu_nonfacility",
    "RVU_TOTAL_F": "total_rvu_facility",
    "RVU_STATUS": "status_code",
    "RVU_GLOBAL": "global_days",
    "RVU_MULT": "mult_proc",
    "RVU_BILAT": "bilat_surg",
    "RVU_ASST": "asst_surg",
    "RVU_CF": "conversion_factor",
    "OPPS_PE_NF": "opps_pe_nonfacility",
    "OPPS_PE_F": "opps_pe_facility",
    "OPPS_MP": "opps_mp",
}
GPCI_NAMES = {"GPCI_KEY": "key", "GPCI_WORK": "work_gpci", "GPCI_PE": "pe_gpci", "GPCI_MP": "mp_gpci"}


def define_names(book: Workbook, data: SheetData | None) -> None:
    """The data columns as workbook names (`RVU_WORK` = RVU!$E$3:$E$19358), each over the data rows."""
    rvu_last = FIRST_DATA_ROW + max(len(data.rows) if data else 0, 1) - 1
    gpci_last = FIRST_DATA_ROW + (len(data.localities) + 1 if data else 1) - 1  # + NATIONAL
    for names, sheet, columns, last in (
        (RVU_NAMES, RVU_SHEET, RVU_COLUMNS, rvu_last),
        (GPCI_NAMES, GPCI_SHEET, GPCI_COLUMNS, gpci_last),
    ):
        for name, attribute in names.items():
            letter = column_letter(columns, attribute)
            book.defined_names[name] = DefinedName(
                name, attr_text=f"{sheet}!${letter}${FIRST_DATA_ROW}:${letter}${last}"
            )


def _as_table(sheet: Worksheet, name: str, columns: int, last: int) -> None:
    """The data rows as an Excel Table (filter, sort, banded rows) under the sheet's title row. Printing
    the workbook prints the sheet's title and headers only: 19,000 fee-schedule rows are 1,200 pages
    nobody wants by accident (filter the table and print the selection for the rows you need)."""
    last_column = get_column_letter(columns)
    table = Table(displayName=name, ref=f"A2:{last_column}{max(last, FIRST_DATA_ROW)}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    sheet.add_table(table)
    print_setup(sheet, title_rows=2, area=f"A1:{last_column}2")


def write_rvu_sheet(sheet: Worksheet, data: SheetData | None) -> None:
    columns = RVU_COLUMNS if data is not None and data.with_descriptions else RVU_COLUMNS[:-1]
    if data is None:
        sheet["A1"] = (
            "Empty: run `rvucheck workbook procedure-log --out FILE` to write a copy of this workbook with "
            "your installed CMS fee-schedule release on this sheet."
        )
    else:
        sheet["A1"] = f"CMS PFS release {data.release} from your installed files. {data.note}".strip()
    sheet.append([h for h, _a in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    if data is not None:
        attributes = [a for _h, a in columns]
        for row in data.rows:
            values = [row_key(row.hcpcs, row.modifier) if a == "key" else getattr(row, a) for a in attributes]
            sheet.append(values)
    sheet.freeze_panes = "B3"
    _as_table(sheet, "RvuTable", len(columns), sheet.max_row)


def write_gpci_sheet(sheet: Worksheet, data: SheetData | None) -> None:
    sheet["A1"] = (
        "Geographic practice cost indices by Medicare locality; NATIONAL = 1.000 (national amounts)."
        if data is not None
        else "Empty: filled by `rvucheck workbook procedure-log --out FILE` from your installed GPCI file."
    )
    sheet.append([h for h, _a in GPCI_COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    if data is not None:
        sheet.append([NATIONAL, "", "", "", "National (no geographic adjustment)", 1.0, 1.0, 1.0])
        for loc in data.localities:
            sheet.append([getattr(loc, a) for _h, a in GPCI_COLUMNS])
    sheet.freeze_panes = "B3"
    _as_table(sheet, "GpciTable", len(GPCI_COLUMNS), sheet.max_row)


def add_data_sheets(book: Workbook, data: SheetData | None) -> None:
    write_rvu_sheet(book.create_sheet(RVU_SHEET), data)
    write_gpci_sheet(book.create_sheet(GPCI_SHEET), data)
    define_names(book, data)


def sheet_data(ref: Any, on: dt.date | None = None, with_descriptions: bool = False) -> SheetData:
    """The release in effect on `on` (default: the newest installed) with its localities, sorted."""
    choice = ref.release_for(on)
    if not choice.release_id:
        from rvucheck.errors import DataNotInstalled

        message = choice.note or f"no fee schedule installed for {on}: run `rvucheck data install`"
        raise DataNotInstalled(message)
    rows = sorted(ref.rows(choice.release_id).values(), key=lambda r: (r.hcpcs, r.modifier))
    localities = sorted(ref.localities(choice.release_id).values(), key=lambda loc: loc.key)
    note = choice.note or ""
    return SheetData(choice.release_id, tuple(rows), tuple(localities), with_descriptions, note)
