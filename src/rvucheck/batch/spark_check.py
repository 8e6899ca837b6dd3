"""What a Spark worker's check stage emits (spark_worker.check): one table of four struct columns, one set in
each row: a line (lines.parquet's columns, as --engine local writes them), a finding, an unreadable row, or
figures: pickled (batch.figures.RunSums, batch.notes.Note tuple, each date's first line, unreadable rows):
a run's figures, notes and dates (they merge on the driver as the local engine merges its buckets'), or the
number of unreadable rows emitted beside them (unreadable_rows: the driver counts the unreadable rows from
the figures it collects anyway, not by a job of its own).

    rows = check_lines(lines, past, kept, session)      # a run's ChargeLines checked -> CHECKED_SCHEMA tables
"""

from __future__ import annotations

import pickle
from typing import Any

import pyarrow as pa

from rvucheck.batch.contract import (
    CHARGE_SCHEMA,
    FINDING_SCHEMA,
    RESULT_SCHEMA,
    finding_table,
    result_table,
    values_of,
)
from rvucheck.batch.figures import RunSums, bucket_sums
from rvucheck.batch.notes import Note
from rvucheck.batch.worker import LINE_COLUMNS
from rvucheck.model import UnreadableLine
from rvucheck.session import GLOBAL_EM_KINDS, NEW_PATIENT_KINDS

UNREADABLE_SCHEMA = pa.schema(
    [
        pa.field("line_id", pa.int64(), nullable=False),
        pa.field("source_sheet", pa.string()),
        pa.field("source_row", pa.int64()),
        pa.field("source_column", pa.int64()),
        pa.field("reason", pa.string()),
    ]
)


def loose(schema: pa.Schema) -> pa.StructType:
    """A schema as a struct type whose fields may all be null (a null struct has null fields)."""
    return pa.struct([field.with_nullable(True) for field in schema])


LINE_SCHEMA = pa.schema([*(CHARGE_SCHEMA.field(name) for name in LINE_COLUMNS), *list(RESULT_SCHEMA)[1:]])
CHECKED_SCHEMA = pa.schema(
    [
        pa.field("line", loose(LINE_SCHEMA)),
        pa.field("finding", loose(FINDING_SCHEMA)),
        pa.field("unreadable", loose(UNREADABLE_SCHEMA)),
        pa.field("figures", pa.binary()),
    ]
)


def unreadable_structs(found: list[tuple[int, UnreadableLine]]) -> pa.Array:
    """Unreadable rows (line_id, what the reader says of the row) as UNREADABLE_SCHEMA structs."""
    records = [
        {"line_id": line_id, "source_sheet": item.source.sheet, "source_row": item.source.row,
         "source_column": item.source.column, "reason": item.reason}
        for line_id, item in found
    ]  # fmt: skip
    return pa.array(records, loose(UNREADABLE_SCHEMA))


def unreadable_rows(structs: pa.Array) -> pa.Table:
    """Unreadable rows (UNREADABLE_SCHEMA structs) as checked rows, with a figures row that counts them."""
    figures = pickle.dumps((RunSums(), (), {}, len(structs)))
    return pa.concat_tables([checked_rows(unreadable=structs), checked_rows(figures=pa.array([figures]))])


def check_lines(lines: list[Any], past: list[Any], kept: pa.Table, session: Any) -> list[pa.Table]:
    """The run's lines (ChargeLines in line_id order; `kept`: their LINE_COLUMNS) checked with their
    history lines `past`: rows of lines, findings and the run's figures."""
    ids = kept.column("line_id").to_pylist()
    report = session.check(lines, history=past)
    results = result_table(report, ids)
    firsts = first_lines(kept)
    for name in results.column_names[1:]:
        kept = kept.append_column(results.schema.field(name), results.column(name))
    out = [checked_rows(line=_structs(kept))]
    findings = finding_table(report, ids)
    findings = findings.filter(findings.column("line_id").is_valid())
    if findings.num_rows:
        out.append(checked_rows(finding=_structs(findings)))
    sums = bucket_sums(
        report.results, ids, len(past), session.rule_ids(GLOBAL_EM_KINDS), session.rule_ids(NEW_PATIENT_KINDS)
    )
    notes = tuple(Note(f.rule, f.severity, f.message, f.source.row) for f in report.run_findings)
    figures = pickle.dumps((sums, notes, firsts, 0))
    out.append(checked_rows(figures=pa.array([figures], pa.binary())))
    return out


def first_lines(table: pa.Table) -> dict[Any, tuple[int, str, int]]:
    """date of service -> (line_id, sheet, row) of its first line in the bucket (`table` in line_id order):
    the driver keeps each date's first over all buckets, from which batch.notes.date_notes words the notes
    of the dates."""
    at: dict[Any, int] = {}
    for index, dos in enumerate(values_of(table.column("dos"))):
        if dos not in at:
            at[dos] = index
    firsts = table.select(["line_id", "source_sheet", "source_row"]).take(list(at.values())).to_pylist()
    return {
        dos: (first["line_id"], first["source_sheet"] or "", first["source_row"] or 0)
        for dos, first in zip(at, firsts, strict=True)
    }


def _structs(table: pa.Table) -> pa.Array:
    fields = [field.with_nullable(True) for field in table.schema]
    return pa.StructArray.from_arrays([table.column(f.name).combine_chunks() for f in fields], fields=fields)


def checked_rows(**columns: pa.Array) -> pa.Table:
    rows = len(next(iter(columns.values())))
    arrays = [columns.get(f.name, pa.nulls(rows, f.type)) for f in CHECKED_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=CHECKED_SCHEMA)
