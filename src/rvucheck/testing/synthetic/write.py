"""Write synthetic lines the way a practice-management system exports them (.xlsx with a title block and a
totals row; .csv with one modifier and one diagnosis column)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rvucheck.testing.synthetic.month import SyntheticLine

XLSX_HEADERS = (
    "Encounter #",
    "Patient MRN",
    "Date of Service",
    "Rendering Provider",
    "Rendering NPI",
    "Specialty",
    "POS",
    "CPT Code",
    "Modifier 1",
    "Modifier 2",
    "Modifier 3",
    "Modifier 4",
    "Units",
    "Dx 1",
    "Dx 2",
    "Dx 3",
    "Dx 4",
    "Charge Amount",
    "Primary Payer",
    "Posted Date",
)
CSV_HEADERS = (
    "Claim",
    "Patient ID",
    "DOS",
    "Provider",
    "NPI",
    "Specialty",
    "Place of Service",
    "CPT/HCPCS",
    "Modifiers",
    "Qty",
    "ICD-10",
    "Billed",
    "Insurance",
    "Post Date",
)
PRACTICE = "Riverbend Medical Group (synthetic data)"


def _number_or_text(code: str) -> int | str:
    """Exports store numeric codes as numbers (and lose leading zeros); keep that realism."""
    return int(code) if code.isdigit() and not code.startswith("0") else code


COLUMN_WIDTHS = (  # (first, last, width) over the export's 20 columns
    (0, 1, 13), (2, 2, 15), (3, 3, 22), (4, 4, 14), (5, 5, 22), (6, 6, 6), (7, 7, 10), (8, 11, 11),
    (12, 12, 7), (13, 16, 9), (17, 17, 14), (18, 18, 26), (19, 19, 12),
)  # fmt: skip


def write_xlsx(
    lines: Sequence[SyntheticLine],
    path: Path | str,
    year: int | None = None,
    month: int | None = None,
    constant_memory: bool = False,
    sheet_name: str = "Charge Detail",
) -> Path:
    """An export-style workbook: title block, header on row 5, one row per line, a totals row at the end."""
    import xlsxwriter  # type: ignore[import-untyped]

    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    first_day = dt.datetime(year or 2026, month or 1, 1)
    workbook.set_properties({"title": "Charge Detail Report", "author": PRACTICE, "created": first_day})
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "bottom": 1, "bg_color": "#DDEBF7"})
    date_format = workbook.add_format({"num_format": "mm/dd/yyyy"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    money_bold = workbook.add_format({"num_format": "#,##0.00", "bold": True})
    dates = [line.dos for line in lines]
    first = min(dates) if dates else dt.date(year or 2026, month or 1, 1)
    last = max(dates) if dates else first
    sheet.write(0, 0, PRACTICE, title)
    sheet.write(1, 0, f"Charge Detail Report - Date of Service {first:%m/%d/%Y} to {last:%m/%d/%Y}")
    sheet.write(2, 0, f"Run {last + dt.timedelta(days=3):%m/%d/%Y} 06:00 - all providers, all payers")
    header_row = 4
    for column, name in enumerate(XLSX_HEADERS):
        sheet.write(header_row, column, name, header)
    row = header_row
    for line in lines:
        row += 1
        for column, value in enumerate(_export_values(line)):
            if value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(row, column, dt.datetime.combine(value, dt.time()), date_format)
            elif column == 17:
                sheet.write_number(row, column, float(value), money)  # type: ignore[arg-type]
            else:
                sheet.write(row, column, value)
    total_row = row + 1
    sheet.write(total_row, 0, "Grand Total", bold)
    units = sum(line.units for line in lines)
    charges = round(sum(line.charge for line in lines), 2)
    sheet.write_formula(total_row, 12, f"=SUBTOTAL(9,M{header_row + 2}:M{total_row})", bold, units)
    sheet.write_formula(total_row, 17, f"=SUBTOTAL(9,R{header_row + 2}:R{total_row})", money_bold, charges)
    if not constant_memory:
        sheet.freeze_panes(header_row + 1, 0)
        # every column as wide as its header or dates (a real export's are; unset, dates show as ###)
        for first_column, last_column, width in COLUMN_WIDTHS:
            sheet.set_column(first_column, last_column, width)
    workbook.close()
    return path


def _export_values(line: SyntheticLine) -> list[object]:
    """One line's cells in XLSX_HEADERS order, typed as a practice system exports them."""
    modifiers = [*line.modifiers, "", "", "", ""][:4]
    diagnoses = [*line.diagnoses, "", "", "", ""][:4]
    return [
        line.claim,
        line.patient,
        line.dos,
        line.provider,
        int(line.npi),
        line.specialty,
        int(line.pos),
        _number_or_text(line.hcpcs),
        *[_number_or_text(m) if m else "" for m in modifiers],
        line.units,
        *diagnoses,
        line.charge,
        line.payer,
        line.posted,
    ]


def write_csv(lines: Sequence[SyntheticLine], path: Path | str) -> Path:
    """A flat CSV export: modifiers '25,59' and diagnoses 'E11.9, I10' in one cell each, US dates."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADERS)
        for line in lines:
            writer.writerow(
                [
                    line.claim,
                    line.patient,
                    f"{line.dos:%m/%d/%Y}",
                    line.provider,
                    line.npi,
                    line.specialty,
                    line.pos,
                    line.hcpcs,
                    ",".join(line.modifiers),
                    f"{line.units:g}",
                    ", ".join(line.diagnoses),
                    f"{line.charge:.2f}",
                    line.payer,
                    f"{line.posted:%m/%d/%Y}",
                ]
            )
    return path
