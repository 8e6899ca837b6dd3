"""The procedure log: a physician's own record of what they did, with work RVUs and payment by formula.

Sheet `Log`: date, code, modifiers, units, setting, then formulas for the row key, wRVU (x units) and payment
(x units). Sheet `Summary`: monthly and year-to-date totals for the year in B3, and a chart of monthly wRVU.
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
from openpyxl.styles import Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from rvucheck.excel import workbook_data as wd
from rvucheck.report.xlsx import Formula, put, put_at

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

LOG_COLUMNS = (
    ("Date", "A"),
    ("Code", "B"),
    ("Modifiers", "C"),
    ("Units", "D"),
    ("Setting", "E"),
    ("Row key", "F"),
    ("wRVU", "G"),
    ("Payment", "H"),
    ("Notes (no patient names)", "I"),
)


def entry_formulas(row: int) -> dict[str, str]:
    key = f"$F{row}"
    units = f'IF($D{row}="",1,$D{row})'
    facility = f'LOWER(TRIM($E{row}&""))="facility"'
    locality = f"${LOCALITY_CELL[0]}${LOCALITY_CELL[1:]}"
    payment = wd.payment_expression(key, locality, facility)
    return {
        "F": wd.key_formula(f"$B{row}", f"$C{row}"),
        "G": f'=IF({key}="","",{wd.rvu_lookup(key, "work_rvu")}*{units})',
        "H": f'=IF({key}="","",{payment}*{units})',
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
    put_at(sheet, "A1", "Procedure log (rvucheck)").font = Font(bold=True, size=14)
    release = f"CMS PFS release {data.release}" if data else "no fee schedule yet (RVU sheet empty)"
    put_at(sheet, "A2", (
        f"{release}. One line per procedure: date, code, modifiers (26/TC/53 pick their own CMS row), units, "
        "setting. wRVU and payment are formulas; with the rvucheck add-in you may use =RVU(B6)*D6 and "
        "=RVU_PAYMENT(B6,C6,$B$3,E6) instead (they also apply payment modifiers such as 50, 51, 80)."
    ))  # fmt: skip
    put_at(sheet, "A3", "Locality")
    put_at(sheet, LOCALITY_CELL, wd.NATIONAL)
    put_at(sheet, "C3", '"MAC-locality" from the GPCI sheet (e.g. 01112-05) or NATIONAL')
    for header, letter in LOG_COLUMNS:
        put_at(sheet, f"{letter}{LOG_HEADER_ROW}", header).font = Font(bold=True)
    for row in range(FIRST_ENTRY, LAST_ENTRY + 1):
        sheet[f"A{row}"].number_format = "yyyy-mm-dd"
        sheet[f"G{row}"].number_format = "0.00"
        sheet[f"H{row}"].number_format = "#,##0.00"
        for letter, formula in entry_formulas(row).items():
            put_at(sheet, f"{letter}{row}", Formula(formula))
    setting = DataValidation(type="list", formula1='"nonfacility,facility"', allow_blank=True)
    sheet.add_data_validation(setting)
    setting.add(f"E{FIRST_ENTRY}:E{LAST_ENTRY}")
    sheet.freeze_panes = f"A{FIRST_ENTRY}"
    for letter, width in {"A": 12, "B": 9, "C": 11, "E": 12, "F": 10, "G": 9, "H": 11, "I": 30}.items():
        sheet.column_dimensions[letter].width = width


def _write_summary(sheet: Any, year: int) -> None:
    put_at(sheet, "A1", "Monthly and year-to-date totals").font = Font(bold=True, size=14)
    put_at(sheet, "A3", "Year")
    put_at(sheet, YEAR_CELL, year)
    headers = ("Month", "wRVU", "Payment", "YTD wRVU", "YTD payment", "Procedures")
    for index, header in enumerate(headers):
        put(sheet, SUMMARY_HEADER_ROW, index + 1, header).font = Font(bold=True)
    for month in range(1, 13):
        row = FIRST_MONTH_ROW + month - 1
        put_at(sheet, f"A{row}", calendar.month_abbr[month])
        for letter, formula in month_formulas(row, month).items():
            put_at(sheet, f"{letter}{row}", Formula(formula))
    last = YEAR_TOTAL_ROW - 1
    put_at(sheet, f"A{YEAR_TOTAL_ROW}", "Year").font = Font(bold=True)
    for letter in ("B", "C", "F"):
        put_at(sheet, f"{letter}{YEAR_TOTAL_ROW}", Formula(f"=SUM({letter}{FIRST_MONTH_ROW}:{letter}{last})"))
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
