"""Synthetic months as ChargeLines and as files (the project's generator: patients, dates, repeat visits),
and the findings of one engine run to compare with."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def delta_month(csv: Path, folder: Path, rows: int) -> tuple[Path, Path]:
    """A Delta table of the CSV's first `rows` lines as text columns, in three versions: written, appended
    to, then its lines of one code deleted (a file rewritten: the old one stays on disk, out of the
    snapshot). Returns the table and a CSV of its snapshot (delta-rs's own read) for the one-process check."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    from deltalake import DeltaTable, write_deltalake

    names = pacsv.read_csv(csv).column_names
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    table = pacsv.read_csv(csv, convert_options=options).slice(0, rows)
    code = "CPT/HCPCS"  # the synthetic month's code column (write.CSV_HEADERS)
    half = rows // 2
    write_deltalake(folder, table.slice(0, half))
    write_deltalake(folder, table.slice(half), mode="append")
    counts = pc.value_counts(table.column(code)).to_pylist()
    common = max(counts, key=lambda item: item["counts"])["values"]
    DeltaTable(folder).delete(f"\"{code}\" = '{common}'")
    snapshot = DeltaTable(folder).to_pyarrow_table()
    assert 0 < snapshot.num_rows < rows
    copy = folder.with_name(folder.name + "-snapshot.csv")
    pacsv.write_csv(snapshot, copy)
    return folder, copy


def text_lines(text: str) -> Any:
    """A CSV's lines as Spark's text source hands them to the workers' prepare stage: each line's text, its
    file (0) and its line id (numbered from the file's first line)."""
    import pyarrow as pa

    from rvucheck.batch import spark_worker as worker

    lines = text.splitlines()
    return pa.table(
        {
            "value": pa.array(lines, pa.string()),
            worker.FILE_COLUMN: pa.array([0] * len(lines), pa.int32()),
            worker.ID_COLUMN: pa.array(range(len(lines)), pa.int64()),
        }
    )
