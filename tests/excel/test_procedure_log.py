"""The procedure log: the shipped copy holds no CMS tables; a filled one recalculates in LibreOffice to the
values of the functions (per line, per month, year to date)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from rvucheck.excel import procedure_log as pl
from rvucheck.excel import udfs
from rvucheck.excel import workbook_data as wd
from rvucheck.refdata.pricing import pricer

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "workbooks" / "procedure-log.xlsx"
LOCALITY = "01112-05"

# date, code, modifiers, units, setting: a physician's year; one line from the year before (not in 2026)
ENTRIES: list[tuple[dt.datetime, Any, str | None, float | None, str]] = [
    (dt.datetime(2026, 1, 5), "27447", None, None, "facility"),
    (dt.datetime(2026, 1, 5), 99223, None, None, "facility"),
    (dt.datetime(2026, 1, 19), "20610", None, 2, "nonfacility"),
    (dt.datetime(2026, 1, 31), "99213", "25", None, "nonfacility"),
    (dt.datetime(2026, 2, 2), "71046", "26", None, "facility"),
    (dt.datetime(2026, 2, 3), "71046", "59 tc", None, "nonfacility"),
    (dt.datetime(2026, 2, 28), "29881", "RT", None, "facility"),
    (dt.datetime(2026, 3, 1), "20983", None, None, "nonfacility"),
    (dt.datetime(2026, 3, 15), "93000", None, None, "nonfacility"),
    (dt.datetime(2026, 4, 30), "99214", None, None, "nonfacility"),
    (dt.datetime(2026, 6, 12), "27130", None, None, "facility"),
    (dt.datetime(2026, 7, 1), "G2211", None, None, "nonfacility"),
    (dt.datetime(2026, 7, 31), "96372", None, 3, "nonfacility"),
    (dt.datetime(2026, 12, 31), "99215", None, None, "nonfacility"),
    (dt.datetime(2025, 12, 31), "99215", None, None, "nonfacility"),
    # payment modifiers credited (issue 15): bilateral, multiple procedure, assistant at surgery
    (dt.datetime(2026, 3, 2), "27447", "50", None, "facility"),
    (dt.datetime(2026, 3, 2), "11102", "51", None, "nonfacility"),
    (dt.datetime(2026, 3, 3), "27130", "80", None, "facility"),
    (dt.datetime(2026, 3, 3), "99213-25", None, None, "nonfacility"),  # modifier typed with the code
]
# a code no release lists: "not found" in its row, and every total as if the line were not there
BAD = (dt.datetime(2026, 3, 4), "XXXXX", None, None, "nonfacility")


def test_shipped_log_holds_no_cms_tables() -> None:
    book = openpyxl.load_workbook(SHIPPED)
    assert book.sheetnames == [pl.LOG, pl.SUMMARY, wd.RVU_SHEET, wd.GPCI_SHEET]
    for name in (wd.RVU_SHEET, wd.GPCI_SHEET):
        sheet = book[name]
        assert sheet.max_row == 2, f"{name} must be empty in the shipped copy"
        assert "rvucheck workbook procedure-log" in sheet["A1"].value
    assert "no fee schedule yet" in book[pl.LOG]["A2"].value
    # same layout as the writer makes: formulas in every entry row, the chart on the summary
    log = book[pl.LOG]
    assert log[f"G{pl.FIRST_ENTRY}"].value == pl.entry_formulas(pl.FIRST_ENTRY)["G"]
    assert log[f"H{pl.LAST_ENTRY}"].value == pl.entry_formulas(pl.LAST_ENTRY)["H"]
    assert len(book[pl.SUMMARY]._charts) == 1


@pytest.mark.libreoffice
@pytest.mark.usefixtures("udf_data")
def _expected(ref: Any, code: Any, modifiers: str | None, setting: str) -> tuple[float, float]:
    """(credited wRVU, payment) of one unit, from the one pricer (modifiers 50/51/80 applied)."""
    text = str(code)
    hcpcs, _, typed = text.partition("-")
    mods = pricer.normalise_modifiers(f"{modifiers or ''} {typed}".replace(",", " ").split())
    release = ref.release_for().release_id
    choice = pricer.choose_rows(ref, release, hcpcs.zfill(5), mods)
    adjusted = pricer.adjusted(ref, choice, mods, 1, ref.locality(LOCALITY), setting == "facility")
    assert adjusted.payment == udfs.RVU_PAYMENT(code, modifiers, LOCALITY, setting)  # the functions agree
    return adjusted.work_rvu, adjusted.payment


def test_filled_log_recalculates_to_the_function_values(ref: Any, tmp_path: Path, recalculate: Any) -> None:
    book = pl.build_procedure_log(wd.sheet_data(ref), year=2026)
    log = book[pl.LOG]
    log[pl.LOCALITY_CELL] = LOCALITY
    for offset, (date, code, modifiers, units, setting) in enumerate([*ENTRIES, BAD]):
        row = pl.FIRST_ENTRY + offset
        log[f"A{row}"], log[f"B{row}"], log[f"C{row}"] = date, code, modifiers
        log[f"D{row}"], log[f"E{row}"] = units, setting
    path = tmp_path / "log.xlsx"
    book.save(path)
    values = openpyxl.load_workbook(recalculate(path), data_only=True)

    # every line: wRVU x units and payment x units, as =RVU() and =RVU_PAYMENT() give them
    month_wrvu: dict[int, float] = {}
    month_pay: dict[int, float] = {}
    month_count: dict[int, int] = {}
    sheet = values[pl.LOG]
    for row in range(pl.FIRST_ENTRY, pl.LAST_ENTRY + 1):
        offset = row - pl.FIRST_ENTRY
        got_wrvu, got_pay = sheet[f"G{row}"].value, sheet[f"H{row}"].value
        if offset >= len(ENTRIES):
            assert got_wrvu in (None, "") and got_pay in (None, ""), row
            assert sheet[f"F{row}"].value == ("not found" if offset == len(ENTRIES) else None), row
            continue
        date, code, modifiers, units, setting = ENTRIES[offset]
        assert sheet[f"F{row}"].value == "ok", (row, code)
        one_wrvu, one_payment = _expected(ref, code, modifiers, setting)
        wrvu, payment = one_wrvu * (units or 1), one_payment * (units or 1)
        assert got_wrvu == pytest.approx(wrvu, abs=1e-9), (row, code)
        assert got_pay == pytest.approx(payment, abs=1e-9), (row, code)
        if date.year == 2026:
            month_wrvu[date.month] = month_wrvu.get(date.month, 0.0) + wrvu
            month_pay[date.month] = month_pay.get(date.month, 0.0) + payment
            month_count[date.month] = month_count.get(date.month, 0) + 1

    month_count[BAD[0].month] += 1  # counted as a procedure; its values are not there to add
    summary = values[pl.SUMMARY]
    ytd_wrvu = ytd_pay = 0.0
    for month in range(1, 13):
        row = pl.FIRST_MONTH_ROW + month - 1
        ytd_wrvu += month_wrvu.get(month, 0.0)
        ytd_pay += month_pay.get(month, 0.0)
        assert summary[f"B{row}"].value == pytest.approx(month_wrvu.get(month, 0.0), abs=1e-9), month
        assert summary[f"C{row}"].value == pytest.approx(month_pay.get(month, 0.0), abs=1e-6), month
        assert summary[f"D{row}"].value == pytest.approx(ytd_wrvu, abs=1e-9), month
        assert summary[f"E{row}"].value == pytest.approx(ytd_pay, abs=1e-6), month
        assert summary[f"F{row}"].value == month_count.get(month, 0), month
    assert summary[f"B{pl.YEAR_TOTAL_ROW}"].value == pytest.approx(ytd_wrvu, abs=1e-9)
    assert summary[f"F{pl.YEAR_TOTAL_ROW}"].value == len(ENTRIES)  # the 2025 line out, the bad line in
    assert month_count[1] == 4 and 5 not in month_count  # Jan 31 in January; May empty
    march = summary[f"B{pl.FIRST_MONTH_ROW + 2}"].value
    assert march == pytest.approx(month_wrvu[3], abs=1e-9) and march > 0  # the bad line breaks no total
    credited = {ENTRIES[o][1:3]: sheet[f"G{pl.FIRST_ENTRY + o}"].value for o in range(len(ENTRIES))}
    assert credited[("27447", "50")] == pytest.approx(round(19.11 * 1.5 + 1e-9, 2))  # 150%, indicator 1
    assert credited[("99213-25", None)] == udfs.RVU("99213", "work")
    # the formulas are short enough to read: each step its own column (they were 2,800-3,300 characters)
    assert max(len(f) for f in pl.entry_formulas(pl.FIRST_ENTRY).values()) < 400
