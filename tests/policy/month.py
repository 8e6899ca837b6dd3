"""The hand-built scenario month (issue 12): scenarios.csv is the one list of scenarios and their expected
findings; this module writes it out as the charge workbook a practice would export (xlsx, typed cells, the
`Expected` column left out) for the test to check through the real CLI.

    python tests/policy/month.py OUT.xlsx

scenarios.csv: one line per charge line. `Scenario` names what the line (or its patient's day) shows,
`Expected` lists the rule ids the line must raise (blank: none); the other columns are an ordinary export
layout. Every patient, provider, date of birth and charge in it is made up. The dates are July 2026, except
where a frequency scenario needs an earlier visit of its patient.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import openpyxl

SCENARIOS = Path(__file__).with_name("scenarios.csv")
EXPECTED = "Expected"
DATES = ("Date of Birth", "Date of Service")
NUMBERS = ("Units", "Charge")


def scenarios(path: Path = SCENARIOS) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def expected(rows: list[dict[str, str]]) -> dict[int, set[str]]:
    """Workbook row (the header is row 1) -> the rule ids expected on it."""
    return {row: set(line[EXPECTED].split()) for row, line in enumerate(rows, start=2)}


def _cell(column: str, text: str) -> object:
    if not text:
        return None
    if column in DATES:
        return dt.date.fromisoformat(text)
    if column in NUMBERS:
        return float(text) if "." in text else int(text)
    return text  # codes, NPIs and names stay text (0001F, 1234567893)


def build(out: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """Write the scenarios as one charge workbook (sheet "Charges") and return its path."""
    rows = scenarios() if rows is None else rows
    columns = [name for name in rows[0] if name != EXPECTED]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Charges"
    sheet.append(columns)
    for line in rows:
        sheet.append([_cell(column, line[column]) for column in columns])
    for column, name in enumerate(columns, start=1):
        if name in DATES:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = "yyyy-mm-dd"
    book.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("scenario-month.xlsx")))
