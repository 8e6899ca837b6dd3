"""The fee-schedule data sheets of the no-add-in workbooks, and the native formulas that look them up.

Sheet `RVU`: one row per PPRRVU row of the user's installed release, keyed `HCPCS|MOD` ("20983|", "93000|26").
Sheet `GPCI`: one row per Medicare locality keyed `MAC-locality` ("01112-05"), plus `NATIONAL` (all 1.0).
The DESCRIPTION column (AMA-licensed CPT text) is written only when the user asks for it: it comes from their
own file and is theirs to keep, not ours to ship.

Lookups are `_xlfn.XLOOKUP` with an INDEX/MATCH fallback inside IFERROR: Excel 2021/365 and LibreOffice 24.8+
use XLOOKUP; older Excel reads `#NAME?` there and IFERROR falls back to INDEX/MATCH.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.refdata.pricing.pricer import UNPAID_STATUSES
from rvucheck.refdata.types import Locality, RvuRow

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


def lookup(key_cell: str, sheet: str, result_column: str) -> str:
    """XLOOKUP of key_cell in column A of the sheet, with the INDEX/MATCH fallback (no leading '=')."""
    keys = f"{sheet}!$A:$A"
    values = f"{sheet}!${result_column}:${result_column}"
    return f"IFERROR(_xlfn.XLOOKUP({key_cell},{keys},{values}),INDEX({values},MATCH({key_cell},{keys},0)))"


def rvu_lookup(key_cell: str, attribute: str) -> str:
    return lookup(key_cell, RVU_SHEET, rvu_column(attribute))


def gpci_lookup(key_cell: str, attribute: str) -> str:
    return lookup(key_cell, GPCI_SHEET, gpci_column(attribute))


def code_text(code_cell: str) -> str:
    """A code cell as the data sheet's HCPCS text: 99213 typed as a number -> "99213", 100 -> "00100"."""
    return f'IF(ISNUMBER({code_cell}),TEXT({code_cell},"00000"),UPPER(TRIM({code_cell})))'


def row_modifier(modifier_cell: str) -> str:
    """The row modifier the one pricer (refdata/pricing/pricer.choose_rows) picks from the modifiers typed
    in a cell ("26", "tc", "26 59", "59,TC"): 26, then TC, then 53; "" (the global row) for 26 and TC
    together or for none of them."""
    text = f'UPPER({modifier_cell}&"")'
    found = {m: f'ISNUMBER(SEARCH("{m}",{text}))' for m in ("26", "TC", "53")}
    both = f"AND({found['26']},{found['TC']})"
    return f'IF({both},"",IF({found["26"]},"26",IF({found["TC"]},"TC",IF({found["53"]},"53",""))))'


def key_formula(code_cell: str, modifier_cell: str) -> str:
    """`HCPCS|MOD` when the line carries 26, TC or 53 and the release has that row, else the code's own row
    (other modifiers do not change the published RVUs). Blank when the code cell is blank."""
    code = code_text(code_cell)
    with_modifier = f'{code}&"|"&{row_modifier(modifier_cell)}'
    return (
        f'=IF({code_cell}="","",IF(COUNTIF({RVU_SHEET}!$A:$A,{with_modifier})>0,{with_modifier},{code}&"|"))'
    )


def payment_expression(key_cell: str, locality_key: str, facility_test: str) -> str:
    """Medicare payment, no leading '=': $0 for a status not paid separately (as the one pricer), else
    ((wRVU x wGPCI) + (PE x peGPCI) + (MP x mpGPCI)) x CF rounded to cents, or the OPPS-capped amount
    (same formula over the "used for OPPS" PE/MP columns) when a code has those and it is lower.
    `locality_key` is a cell or expression giving the GPCI key; `facility_test` is TRUE in the facility
    setting."""

    def setting(facility: str, nonfacility: str) -> str:
        return f"IF({facility_test},{rvu_lookup(key_cell, facility)},{rvu_lookup(key_cell, nonfacility)})"

    work = f"{rvu_lookup(key_cell, 'work_rvu')}*{gpci_lookup(locality_key, 'work_gpci')}"
    pe_gpci, mp_gpci = gpci_lookup(locality_key, "pe_gpci"), gpci_lookup(locality_key, "mp_gpci")
    cf = rvu_lookup(key_cell, "conversion_factor")
    pe = setting("pe_rvu_facility", "pe_rvu_nonfacility")
    full = f"ROUND(({work}+{pe}*{pe_gpci}+{rvu_lookup(key_cell, 'mp_rvu')}*{mp_gpci})*{cf},2)"
    opps_pe, opps_mp = setting("opps_pe_facility", "opps_pe_nonfacility"), rvu_lookup(key_cell, "opps_mp")
    capped = f"ROUND(({work}+{opps_pe}*{pe_gpci}+{opps_mp}*{mp_gpci})*{cf},2)"
    scheduled = f"IF(OR({opps_pe}>0,{opps_mp}>0),MIN({full},{capped}),{full})"
    unpaid = f'ISNUMBER(SEARCH({rvu_lookup(key_cell, "status_code")},"{"".join(sorted(UNPAID_STATUSES))}"))'
    return f"IF({unpaid},0,{scheduled})"


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


def add_data_sheets(book: Workbook, data: SheetData | None) -> None:
    write_rvu_sheet(book.create_sheet(RVU_SHEET), data)
    write_gpci_sheet(book.create_sheet(GPCI_SHEET), data)


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
