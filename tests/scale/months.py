"""Synthetic months as ChargeLines and as files (the project's generator: patients, dates, repeat visits),
and the findings of one engine run to compare with."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rvucheck.model import CellRef, ChargeLine, Report
from rvucheck.testing.synthetic.month import SyntheticLine, as_charge_line, generate_month, write_csv

# every field the CSV writer writes (write.CSV_HEADERS): the lines built here carry the file's layout
CSV_COLUMNS = (("claim", 1), ("patient", 2), ("dos", 3), ("provider", 4), ("provider_npi", 5),
               ("specialty", 6), ("pos", 7), ("hcpcs", 8), ("modifiers", 9), ("units", 10),
               ("diagnoses", 11), ("charge", 12), ("payer", 13), ("posted", 14))  # fmt: skip


def charge_lines(
    synthetic: Sequence[SyntheticLine], sheet: str = "Charges", first_row: int = 2
) -> list[ChargeLine]:
    return [
        as_charge_line(s, CellRef(sheet, row, 8), CSV_COLUMNS) for row, s in enumerate(synthetic, first_row)
    ]


def month_lines(year: int, month: int, count: int, seed: int) -> list[ChargeLine]:
    return charge_lines(generate_month(year, month, count, seed=seed))


def month_csv(path: Path, year: int, month: int, count: int, seed: int) -> Path:
    return write_csv(generate_month(year, month, count, seed=seed), path)


def by_line(report: Report) -> list[tuple[int, str, str]]:
    """(line index, rule, message) of every line finding, in line order."""
    return [(i, f.rule, f.message) for i, result in enumerate(report.results) for f in result.findings]
