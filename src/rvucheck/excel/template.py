"""`rvucheck workbook template`: a fee-schedule calculator workbook that needs no add-in.

Sheet `Calculator` (an Excel Table): type codes, modifiers, units, setting and locality; native formulas
give a Check ("ok" / "not found"), the work RVU, total RVU, credited wRVU, global days, status and Medicare
payment, the same values as `=RVU(...)`, `=RVU_GLOBAL(...)` and `=RVU_PAYMENT(...)`, plus totals, from helper
columns that show each step (line_formulas.py). The data comes from the user's installed release (see
workbook_data).
Cells go through the report toolkit: the formulas are `Formula` values, everything else (codes, modifiers,
the locality and release a user gave) is plain text that can never become a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from rvucheck.excel import line_formulas as lf
from rvucheck.excel import workbook_data as wd
from rvucheck.report.xlsx import MONEY, Formula, print_setup, put_at

CALCULATOR = "Calculator"
HEADER_ROW = 6
FIRST_LINE = HEADER_ROW + 1
LINE_COUNT = 40  # empty formula rows a user can type into
DEFAULT_LOCALITY_CELL = "B4"

# (header, column letter, number format, width): what a user types (A-E), what the formulas give (F-M),
# then the helper columns the values come from, one short step each (line_formulas.py)
COLUMNS = (
    ("Code", "A", None, 15),
    ("Modifier", "B", None, 9),
    ("Units", "C", "0.##", 7),
    ("Setting", "D", None, 12),
    ("Locality (blank = B4)", "E", None, 13),
    ("Check", "F", None, 17),
    ("Work RVU", "G", "0.00", 8),
    ("Total RVU", "H", "0.00", 8),
    ("Credited wRVU x units", "I", "#,##0.00", 10),
    ("Global days", "J", None, 7),
    ("Status", "K", None, 7),
    ("Payment", "L", MONEY, 11),
    ("Payment x units", "M", MONEY, 12),
    ("Code as listed", "N", None, 9),
    ("All modifiers", "O", None, 11),
    ("RVU row", "P", "0", 8),
    ("GPCI row", "Q", "0", 8),
    ("Fee", "R", MONEY, 10),
    ("OPPS cap", "S", MONEY, 10),
    ("Fee after status", "T", MONEY, 10),
    ("50 factor", "U", "0.###", 8),
    ("51 factor", "V", "0.###", 8),
    ("Assistant share", "W", "0.###", 9),
    ("80/AS factor", "X", "0.###", 8),
)
HELPERS_FROM = "N"
HELPER_FILL = PatternFill("solid", fgColor="F2F2F2")


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


def line_cells(row: int) -> lf.LineCells:
    return lf.LineCells(
        code=f"$A{row}", modifiers=f"$B{row}", units=f"$C{row}", setting=f"$D{row}", gpci_row=f"$Q{row}",
        clean=f"$N{row}", mods=f"$O{row}", row=f"$P{row}", full=f"$R{row}", cap=f"$S{row}", fee=f"$T{row}",
        share=f"$W{row}",
        factors=(f"$U{row}", f"$V{row}", f"$X{row}"),
    )  # fmt: skip


def line_formulas(row: int) -> dict[str, str]:
    """The formula of every computed column of calculator row `row`."""
    cells = line_cells(row)
    default = f"${DEFAULT_LOCALITY_CELL[0]}${DEFAULT_LOCALITY_CELL[1:]}"
    locality = f'IF(TRIM($E{row}&"")="",{default},$E{row})'
    facility = f'LOWER(TRIM($D{row}&""))="facility"'
    total = f'=IF(ISNUMBER($P{row}),IF({facility},INDEX(RVU_TOTAL_F,$P{row}),INDEX(RVU_TOTAL_NF,$P{row})),"")'
    return {
        "F": lf.check(cells),
        "G": lf.value(cells, "RVU_WORK"),
        "H": total,
        "I": lf.credited_work(cells),
        "J": lf.value(cells, "RVU_GLOBAL"),
        "K": lf.value(cells, "RVU_STATUS"),
        "L": lf.payment(cells, times_units=False),
        "M": lf.payment(cells),
        "N": lf.clean_code(cells),
        "O": lf.all_modifiers(cells),
        "P": lf.rvu_row(cells),
        "Q": f'=IF($N{row}="","",{lf.gpci_row(locality)})',
        "R": lf.full_fee(cells),
        "S": lf.opps_cap(cells),
        "T": lf.fee(cells),
        "U": lf.bilateral(cells),
        "V": lf.multiple(cells),
        "W": lf.assistant_share(cells),
        "X": lf.assistant(cells),
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
    title = put_at(sheet, "A1", "rvucheck fee-schedule calculator (no add-in needed)")
    title.font = Font(name="Calibri", bold=True, size=14)
    put_at(sheet, "A2", (
        f"CMS PFS release {data.release} from your installed files; conversion factor in the RVU sheet. "
        "Type code, modifier (26/TC/53 pick their own CMS row; 50, 51 and 80/81/82/AS adjust the payment and "
        "the credited wRVU), units, setting (facility or nonfacility) and locality. Check says 'not found' "
        "for a code the release does not list; its line stays out of the totals. Columns N-X show each step. "
        "Anesthesia (base + time units) and Part B drugs (ASP) are not priced here (they show the fee "
        "schedule's $0): use =RVU_PAYMENT() from the rvucheck add-in for those."
    ))  # fmt: skip
    sheet.merge_cells("A2:M2")  # the instructions wrap over the printed width instead of running off it
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 45
    put_at(sheet, "A4", "Default locality")
    put_at(sheet, DEFAULT_LOCALITY_CELL, default_locality)
    put_at(sheet, "C4", '"MAC-locality" from the GPCI sheet, e.g. 01112-05, or NATIONAL')
    header_font = Font(name="Calibri", bold=True)
    for header, letter, _format, width in COLUMNS:
        cell = put_at(sheet, f"{letter}{HEADER_ROW}", header)
        cell.font, cell.alignment = header_font, Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[letter].width = width
    formats = {letter: number_format for _h, letter, number_format, _w in COLUMNS if number_format}
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
            put_at(sheet, f"{letter}{row}", Formula(formula), formats.get(letter))
            if letter >= HELPERS_FROM:
                sheet[f"{letter}{row}"].fill = HELPER_FILL
        sheet[f"C{row}"].number_format = "0.##"
        for letter in "JK":  # 000 / XXX and A: short codes, centred apart from the numbers beside them
            sheet[f"{letter}{row}"].alignment = Alignment(horizontal="center")
    put_at(sheet, f"A{last_total}", "Total").font = header_font
    for letter in ("I", "M"):
        total = Formula(f"=SUM({letter}{FIRST_LINE}:{letter}{last_total - 1})")
        put_at(sheet, f"{letter}{last_total}", total, formats[letter]).font = header_font
    not_found = f'=COUNTIF(F{FIRST_LINE}:F{last_total - 1},"{lf.NOT_FOUND}")&" not found"'
    put_at(sheet, f"F{last_total}", Formula(not_found)).font = header_font
    table = Table(displayName="Calculator", ref=f"A{HEADER_ROW}:{COLUMNS[-1][1]}{last_total - 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    sheet.add_table(table)
    _validations(sheet, data, last_total)
    sheet.freeze_panes = f"B{FIRST_LINE}"
    print_setup(sheet, title_rows=HEADER_ROW, area=f"A1:M{last_total}")
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
