"""The procedure log: a physician's own record of what they did, with work RVUs and payment by formula.

Sheet `Log` (an Excel Table): date, code, modifiers, units, setting; formulas give a Check ("ok" / "not
found"), the credited wRVU (x units) and the payment (x units), from helper columns that show each step
(line_formulas.py). Sheet `Summary`: monthly and year-to-date totals for the year in B3, and a chart of
monthly wRVU.
Sheets `RVU` and `GPCI`: the fee schedule the formulas read. The copy in `workbooks/procedure-log.xlsx` ships
them empty (CMS-derived tables are not ours to ship); `rvucheck workbook procedure-log --out FILE` writes one
filled from the user's installed release. Cells go through the report toolkit: formulas are `Formula`
values, every other string is text that can never become a formula.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from rvucheck.excel import line_formulas as lf
from rvucheck.excel import workbook_data as wd
from rvucheck.report.xlsx import COUNT, DATE, MONEY, RVU, Formula, print_setup, put, put_at

HELPER_FILL = PatternFill("solid", fgColor="F2F2F2")  # the helper columns: there to be read, not typed in

LOG = "Log"
SUMMARY = "Summary"
LOG_HEADER_ROW = 5
FIRST_ENTRY = LOG_HEADER_ROW + 1
ENTRY_COUNT = 1000
LAST_ENTRY = FIRST_ENTRY + ENTRY_COUNT - 1
LOCALITY_CELL = "B3"  # on the Log sheet
YEAR_CELL = "B3"  # on the Summary sheet
SUMMARY_HEADER_ROW = 5
FIRST_MONTH_ROW = SUMMARY_HEADER_ROW + 1
YEAR_TOTAL_ROW = FIRST_MONTH_ROW + 12

LOG_GPCI_CELL = "B4"  # the GPCI row of the locality in B3 (helper)
# (header, letter, number format, width): what the physician types (A-E, I), what the formulas give (F-H),
# then the helper columns the values come from, one short step each (line_formulas.py)
LOG_COLUMNS = (
    ("Date", "A", DATE, 11),
    ("Code", "B", None, 9),
    ("Modifiers", "C", None, 10),
    ("Units", "D", "0.##", 7),
    ("Setting", "E", None, 12),
    ("Check", "F", None, 17),
    ("wRVU", "G", "0.00", 9),
    ("Payment", "H", MONEY, 11),
    ("Notes (no patient names)", "I", None, 28),
    ("Code as listed", "J", None, 9),
    ("All modifiers", "K", None, 12),
    ("RVU row", "L", "0", 9),
    ("Fee", "M", MONEY, 10),
    ("OPPS cap", "N", MONEY, 10),
    ("Fee after status", "O", MONEY, 10),
    ("50 factor", "P", "0.###", 8),
    ("51 factor", "Q", "0.###", 8),
    ("Assistant share", "R", "0.###", 9),
    ("80/AS factor", "S", "0.###", 8),
)
HELPERS_FROM = "J"


def line_cells(row: int) -> lf.LineCells:
    return lf.LineCells(
        code=f"$B{row}", modifiers=f"$C{row}", units=f"$D{row}", setting=f"$E{row}",
        gpci_row=f"${LOG_GPCI_CELL[0]}${LOG_GPCI_CELL[1:]}", clean=f"$J{row}", mods=f"$K{row}",
        row=f"$L{row}",
        full=f"$M{row}", cap=f"$N{row}", fee=f"$O{row}", share=f"$R{row}",
        factors=(f"$P{row}", f"$Q{row}", f"$S{row}"),
    )  # fmt: skip


def entry_formulas(row: int) -> dict[str, str]:
    cells = line_cells(row)
    return {
        "F": lf.check(cells),
        "G": lf.credited_work(cells),
        "H": lf.payment(cells),
        "J": lf.clean_code(cells),
        "K": lf.all_modifiers(cells),
        "L": lf.rvu_row(cells),
        "M": lf.full_fee(cells),
        "N": lf.opps_cap(cells),
        "O": lf.fee(cells),
        "P": lf.bilateral(cells),
        "Q": lf.multiple(cells),
        "R": lf.assistant_share(cells),
        "S": lf.assistant(cells),
    }


def month_formulas(row: int, month: int) -> dict[str, str]:
    """SUMIFS over the log's dates for one month of the year in Summary!B3 (text cells are ignored)."""
    year = f"${YEAR_CELL[0]}${YEAR_CELL[1:]}"
    start, end = f"DATE({year},{month},1)", f"DATE({year},{month + 1},1)"
    dates = f"{LOG}!$A${FIRST_ENTRY}:$A${LAST_ENTRY}"

    def total(column: str) -> str:
        values = f"{LOG}!${column}${FIRST_ENTRY}:${column}${LAST_ENTRY}"
        return f'=SUMIFS({values},{dates},">="&{start},{dates},"<"&{end})'

    return {
        "B": total("G"),
        "C": total("H"),
        "D": f"=SUM($B${FIRST_MONTH_ROW}:$B{row})",
        "E": f"=SUM($C${FIRST_MONTH_ROW}:$C{row})",
        "F": f'=COUNTIFS({dates},">="&{start},{dates},"<"&{end})',
    }


def build_procedure_log(data: wd.SheetData | None, year: int | None = None) -> Workbook:
    book = Workbook()
    log = book.active
    assert log is not None
    log.title = LOG
    _write_log(log, data)
    _write_summary(book.create_sheet(SUMMARY), year or dt.date.today().year)
    wd.add_data_sheets(book, data)
    return book


def _write_log(sheet: Any, data: wd.SheetData | None) -> None:
    put_at(sheet, "A1", "Procedure log (rvucheck)").font = Font(name="Calibri", bold=True, size=14)
    release = f"CMS PFS release {data.release}" if data else "no fee schedule yet (RVU sheet empty)"
    put_at(sheet, "A2", (
        f"{release}. One line per procedure: date, code, modifiers (26/TC/53 pick their own CMS row; 50, 51 "
        "and 80/81/82/AS adjust wRVU and payment), units, setting. Check says 'not found' for a code the "
        "release does not list (its line stays out of the totals). Columns J-S show each step of the "
        "formulas."
    ))  # fmt: skip
    sheet.merge_cells("A2:I2")  # the instructions wrap over the printed width instead of running off it
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 45
    put_at(sheet, "A3", "Locality")
    put_at(sheet, LOCALITY_CELL, wd.NATIONAL)
    put_at(sheet, "C3", '"MAC-locality" from the GPCI sheet (e.g. 01112-05) or NATIONAL')
    put_at(sheet, "A4", "GPCI row")
    put_at(sheet, LOG_GPCI_CELL, Formula("=" + lf.gpci_row(f"${LOCALITY_CELL[0]}${LOCALITY_CELL[1:]}")))
    header_font = Font(name="Calibri", bold=True)
    for header, letter, _format, width in LOG_COLUMNS:
        cell = put_at(sheet, f"{letter}{LOG_HEADER_ROW}", header)
        cell.font, cell.alignment = header_font, Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[letter].width = width
    formats = {letter: number_format for _h, letter, number_format, _w in LOG_COLUMNS if number_format}
    helpers = [letter for _h, letter, _f, _w in LOG_COLUMNS if letter >= HELPERS_FROM]
    for row in range(FIRST_ENTRY, LAST_ENTRY + 1):
        for letter, formula in entry_formulas(row).items():
            put_at(sheet, f"{letter}{row}", Formula(formula))
        for letter, number_format in formats.items():
            sheet[f"{letter}{row}"].number_format = number_format
        for letter in helpers:
            sheet[f"{letter}{row}"].fill = HELPER_FILL
    setting = DataValidation(type="list", formula1='"nonfacility,facility"', allow_blank=True)
    sheet.add_data_validation(setting)
    setting.add(f"E{FIRST_ENTRY}:E{LAST_ENTRY}")
    table = Table(displayName="ProcedureLog", ref=f"A{LOG_HEADER_ROW}:{LOG_COLUMNS[-1][1]}{LAST_ENTRY}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    sheet.add_table(table)
    sheet.freeze_panes = f"C{FIRST_ENTRY}"
    print_setup(sheet, title_rows=LOG_HEADER_ROW, area=f"A1:I{LAST_ENTRY}")


def _write_summary(sheet: Any, year: int) -> None:
    put_at(sheet, "A1", "Monthly and year-to-date totals").font = Font(name="Calibri", bold=True, size=14)
    put_at(sheet, "A3", "Year")
    put_at(sheet, YEAR_CELL, year)
    headers = ("Month", "wRVU", "Payment", "YTD wRVU", "YTD payment", "Procedures")
    for index, header in enumerate(headers):
        put(sheet, SUMMARY_HEADER_ROW, index + 1, header).font = Font(name="Calibri", bold=True)
    formats = {"B": RVU, "C": MONEY, "D": RVU, "E": MONEY, "F": COUNT}
    for month in range(1, 13):
        row = FIRST_MONTH_ROW + month - 1
        put_at(sheet, f"A{row}", calendar.month_abbr[month])
        for letter, formula in month_formulas(row, month).items():
            put_at(sheet, f"{letter}{row}", Formula(formula), formats[letter])
    last = YEAR_TOTAL_ROW - 1
    put_at(sheet, f"A{YEAR_TOTAL_ROW}", "Year").font = Font(name="Calibri", bold=True)
    for letter in ("B", "C", "F"):
        total = Formula(f"=SUM({letter}{FIRST_MONTH_ROW}:{letter}{last})")
        put_at(sheet, f"{letter}{YEAR_TOTAL_ROW}", total, formats[letter])
    for letter, width in {"A": 8, "B": 11, "C": 14, "D": 11, "E": 14, "F": 11}.items():
        sheet.column_dimensions[letter].width = width
    print_setup(sheet, title_rows=None)
    chart = BarChart()
    chart.title = "Work RVUs by month"
    chart.y_axis.title = "wRVU"
    values = Reference(sheet, min_col=2, min_row=SUMMARY_HEADER_ROW, max_row=last)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=FIRST_MONTH_ROW, max_row=last))
    chart.height, chart.width = 8, 16
    sheet.add_chart(chart, "H3")


def write_procedure_log(
    ref: Any, out: Path, on: dt.date | None = None, with_descriptions: bool = False
) -> Path:
    book = build_procedure_log(wd.sheet_data(ref, on=on, with_descriptions=with_descriptions))
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
