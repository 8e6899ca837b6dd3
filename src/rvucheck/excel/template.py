"""`rvucheck workbook template`: a fee-schedule calculator workbook that needs no add-in.

Sheet `Calculator`: type codes, modifiers, units, setting and locality; native formulas give the work RVU,
total RVU, global days, status and Medicare payment, the same values as `=RVU(...)`, `=RVU_GLOBAL(...)` and
`=RVU_PAYMENT(...)`, plus totals. The data comes from the user's installed release (see workbook_data).
Cells go through the report toolkit: the formulas are `Formula` values, everything else (codes, modifiers,
the locality and release a user gave) is plain text that can never become a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.styles import Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from rvucheck.excel import workbook_data as wd
from rvucheck.report.xlsx import Formula, put_at

CALCULATOR = "Calculator"
HEADER_ROW = 6
FIRST_LINE = HEADER_ROW + 1
LINE_COUNT = 40  # empty formula rows a user can type into
DEFAULT_LOCALITY_CELL = "B4"

# (header, column letter) of the calculator table; formulas below refer to these letters.
COLUMNS = (
    ("Code", "A"),
    ("Modifier", "B"),
    ("Units", "C"),
    ("Setting", "D"),
    ("Locality (blank = B4)", "E"),
    ("Row key", "F"),
    ("Work RVU", "G"),
    ("Total RVU", "H"),
    ("Work RVU x units", "I"),
    ("Global days", "J"),
    ("Status", "K"),
    ("Payment", "L"),
    ("Payment x units", "M"),
)


@dataclass(frozen=True)
class ExampleLine:
    code: str | int
    modifier: str = ""
    units: float | None = None
    setting: str = "nonfacility"
    locality: str = ""


# Ordinary lines that show each column at work: a surgery code with 000 global days, office E/M, a
# professional component row (26), a technical component row (TC), units, and a facility-setting line.
EXAMPLES = (
    ExampleLine("20983"),
    ExampleLine(99213),
    ExampleLine("99214", setting="facility"),
    ExampleLine("93000"),
    ExampleLine("71046", "26"),
    ExampleLine("71046", "TC"),
    ExampleLine("27447", setting="facility", locality=wd.NATIONAL),
    ExampleLine("96372", units=2),
)


def facility_test(row: int) -> str:
    return f'LOWER(TRIM($D{row}&""))="facility"'


def line_formulas(row: int) -> dict[str, str]:
    """The formula of every computed column of calculator row `row`."""
    key = f"$F{row}"
    default = f"${DEFAULT_LOCALITY_CELL[0]}${DEFAULT_LOCALITY_CELL[1:]}"
    locality = f'IF(TRIM($E{row}&"")="",{default},TRIM($E{row}&""))'
    total_nf, total_f = wd.rvu_lookup(key, "total_rvu_nonfacility"), wd.rvu_lookup(key, "total_rvu_facility")
    units = f'IF($C{row}="",1,$C{row})'
    payment = wd.payment_expression(key, locality, facility_test(row))
    return {
        "F": wd.key_formula(f"$A{row}", f"$B{row}"),
        "G": f'=IF({key}="","",{wd.rvu_lookup(key, "work_rvu")})',
        "H": f'=IF({key}="","",IF({facility_test(row)},{total_f},{total_nf}))',
        "I": f'=IF({key}="","",$G{row}*{units})',
        "J": f'=IF({key}="","",{wd.rvu_lookup(key, "global_days")})',
        "K": f'=IF({key}="","",{wd.rvu_lookup(key, "status_code")})',
        "L": f'=IF({key}="","",{payment})',
        "M": f'=IF({key}="","",$L{row}*{units})',
    }


def total_row(lines: Sequence[ExampleLine]) -> int:
    return FIRST_LINE + max(LINE_COUNT, len(lines))


def build_template(
    data: wd.SheetData, default_locality: str = wd.NATIONAL, lines: Sequence[ExampleLine] = EXAMPLES
) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = CALCULATOR
    put_at(sheet, "A1", "rvucheck fee-schedule calculator (no add-in needed)").font = Font(bold=True, size=14)
    put_at(sheet, "A2", (
        f"CMS PFS release {data.release} from your installed files; conversion factor in the RVU sheet. "
        "Type code, modifier (26/TC/53 pick their own CMS row), units, setting (facility or nonfacility) and "
        "locality; columns F-M are formulas. Payment modifiers (50, 51, 62, 80 ...) are not applied "
        "here, nor are anesthesia (base + time units) and Part B drugs (ASP) priced (they show the fee "
        "schedule's $0): use =RVU_PAYMENT() from the rvucheck add-in for those."
    ))  # fmt: skip
    put_at(sheet, "A4", "Default locality")
    put_at(sheet, DEFAULT_LOCALITY_CELL, default_locality)
    put_at(sheet, "C4", '"MAC-locality" from the GPCI sheet, e.g. 01112-05, or NATIONAL')
    for header, letter in COLUMNS:
        put_at(sheet, f"{letter}{HEADER_ROW}", header).font = Font(bold=True)
    last_total = total_row(lines)
    for offset in range(last_total - FIRST_LINE):
        row = FIRST_LINE + offset
        if offset < len(lines):
            example = lines[offset]
            put_at(sheet, f"A{row}", example.code)
            put_at(sheet, f"B{row}", example.modifier or None)
            put_at(sheet, f"C{row}", example.units)
            put_at(sheet, f"D{row}", example.setting)
            put_at(sheet, f"E{row}", example.locality or None)
        for letter, formula in line_formulas(row).items():
            put_at(sheet, f"{letter}{row}", Formula(formula))
    put_at(sheet, f"A{last_total}", "Total").font = Font(bold=True)
    for letter in ("I", "M"):
        total = Formula(f"=SUM({letter}{FIRST_LINE}:{letter}{last_total - 1})")
        put_at(sheet, f"{letter}{last_total}", total).font = Font(bold=True)
    _validations(sheet, data, last_total)
    sheet.freeze_panes = f"A{FIRST_LINE}"
    for letter, width in {"A": 10, "B": 9, "D": 12, "E": 20, "F": 11, "L": 11, "M": 14}.items():
        sheet.column_dimensions[letter].width = width
    wd.add_data_sheets(book, data)
    return book


def _validations(sheet: Any, data: wd.SheetData, last_total: int) -> None:
    setting = DataValidation(type="list", formula1='"nonfacility,facility"', allow_blank=True)
    sheet.add_data_validation(setting)
    setting.add(f"D{FIRST_LINE}:D{last_total - 1}")
    last = wd.FIRST_DATA_ROW + len(data.localities)  # NATIONAL + one row per locality
    locality = DataValidation(type="list", formula1=f"{wd.GPCI_SHEET}!$A${wd.FIRST_DATA_ROW}:$A${last}")
    sheet.add_data_validation(locality)
    locality.add(f"E{FIRST_LINE}:E{last_total - 1}")
    locality.add(DEFAULT_LOCALITY_CELL)


def write_template(
    ref: Any,
    out: Path,
    on: dt.date | None = None,
    with_descriptions: bool = False,
    default_locality: str = wd.NATIONAL,
) -> Path:
    data = wd.sheet_data(ref, on=on, with_descriptions=with_descriptions)
    book = build_template(data, default_locality)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
