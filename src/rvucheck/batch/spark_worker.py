"""What runs on a Spark worker (inside `mapInArrow`): plain functions of Arrow record batches, with no
pyspark import but `SparkFiles` (to find the shipped store), so they run, and are tested, without Spark too.

    prepare(batches, plan)   raw rows (a CSV's text cells, or a Parquet table's columns) -> CHARGE_SCHEMA
                             rows with `bucket`, plus the rows the reader could not read
    check(batches, plan)     one partition of whole buckets -> RESULT / FINDING / UNREADABLE rows, as one
                             table of three struct columns (exactly one of them set in each row)

Neither imports a workbook library (openpyxl, xlwings, Pillow, xlsxwriter): a lean worker runs them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from rvucheck.batch.contract import (
    CHARGE_SCHEMA,
    FINDING_SCHEMA,
    RESULT_SCHEMA,
    Columns,
    bucket_of,
    charge_table,
    check_arrow,
    conform,
    open_worker_session,
)
from rvucheck.model import ChargeLine, UnreadableLine

ROW_BITS = 33  # monotonically_increasing_id(): partition index << 33 | row number within the partition
UNREADABLE_SCHEMA = pa.schema(
    [
        pa.field("line_id", pa.int64(), nullable=False),
        pa.field("source_sheet", pa.string()),
        pa.field("source_row", pa.int64()),
        pa.field("source_column", pa.int64()),
        pa.field("reason", pa.string()),
    ]
)


def _loose(schema: pa.Schema) -> pa.StructType:
    """A schema as a struct type whose fields may all be null (a null struct has null fields)."""
    return pa.struct([field.with_nullable(True) for field in schema])


PREPARED_SCHEMA = CHARGE_SCHEMA.append(pa.field("bucket", pa.int32(), nullable=False)).append(
    pa.field("unreadable", _loose(UNREADABLE_SCHEMA))
)
CHECKED_SCHEMA = pa.schema(
    [
        pa.field("result", _loose(RESULT_SCHEMA)),
        pa.field("finding", _loose(FINDING_SCHEMA)),
        pa.field("unreadable", _loose(UNREADABLE_SCHEMA)),
    ]
)
FILE_COLUMN, ID_COLUMN = "_rvucheck_file", "_rvucheck_id"  # added by the driver to the raw rows


@dataclass(frozen=True)
class Plan:
    """What every worker needs, sent with the function (small values only: never the reference data)."""

    buckets: int
    columns: Columns  # the whole input's layout (field -> 1-based column)
    store_name: str  # the store directory's name under SparkFiles (SparkContext.addFile)
    settings_json: str
    offsets: dict[tuple[int, int], int]  # (file, partition) -> line_id of its first row
    csv_map: Any = None  # a CSV's ColumnMap (read.headers), None for tables already in CHARGE_SCHEMA
    csv_header: tuple[str, ...] = ()  # its header cells as written
    sheets: tuple[str, ...] = ()  # the sheet name of each input file (a CSV's is its stem)
    header_row: int = 1
    store_path: str | None = None  # a local store path (tests, and a worker on the driver's disk)


def line_ids(batch: pa.RecordBatch, plan: Plan) -> tuple[list[int], list[int], list[int]]:
    """(line_id, file, row number within its file starting at 0) of each raw row, from the driver's
    per-partition offsets: ids follow the files in the order given and the rows in file order."""
    mask = (1 << ROW_BITS) - 1
    files = batch.column(FILE_COLUMN).to_pylist()
    ids = batch.column(ID_COLUMN).to_pylist()
    rows, out = [], []
    for file, mono in zip(files, ids, strict=True):
        partition, row = mono >> ROW_BITS, mono & mask
        first = plan.offsets[(file, partition)]
        out.append(first + row)
        rows.append(first + row - plan.offsets[(file, -1)])
    return out, files, rows


def prepare(batches: Iterable[pa.RecordBatch], plan: Plan) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        table = _parse_csv(batch, plan) if plan.csv_map is not None else _conform(batch, plan)
        keys = table.column("patient_key").to_pylist()
        ids = table.column("line_id").to_pylist()
        buckets = pa.array(
            [bucket_of(k, i, plan.buckets) for k, i in zip(keys, ids, strict=True)], pa.int32()
        )
        table = table.append_column(PREPARED_SCHEMA.field("bucket"), buckets)
        if "unreadable" not in table.column_names:
            table = table.append_column(
                PREPARED_SCHEMA.field("unreadable"),
                pa.nulls(table.num_rows, PREPARED_SCHEMA.field("unreadable").type),
            )
        yield from table.select(PREPARED_SCHEMA.names).cast(PREPARED_SCHEMA).to_batches()


def _conform(batch: pa.RecordBatch, plan: Plan) -> pa.Table:
    table = pa.Table.from_batches([batch])
    if "line_id" not in table.column_names:
        ids, _files, _rows = line_ids(batch, plan)
        table = table.append_column("line_id", pa.array(ids, pa.int64()))
    return conform(table, plan.columns)


def _parse_csv(batch: pa.RecordBatch, plan: Plan) -> pa.Table:
    """A CSV's text rows read as the single-process reader reads them (read.charges): the same header
    mapping, line builder, totals and blank rows; row numbers are the file's (its header is row 1)."""
    from rvucheck.read.charges import _read_rows
    from rvucheck.read.sources import SheetGrid

    ids, files, rows = line_ids(batch, plan)
    cells = [name for name in batch.schema.names if name not in (FILE_COLUMN, ID_COLUMN)]
    columns = [batch.column(name).to_pylist() for name in cells]
    sheet = plan.sheets[files[0]] if files else ""
    grid_rows: list[list[object]] = [list(plan.csv_header)]
    grid_rows += [
        ["" if column[i] is None else column[i] for column in columns] for i in range(batch.num_rows)
    ]
    read = _read_rows(SheetGrid(sheet, grid_rows), 0, plan.csv_map, "csv")
    by_row = {
        index + 2: (line_id, row + plan.header_row + 1)
        for index, (line_id, row) in enumerate(zip(ids, rows, strict=True))
    }
    lines: list[ChargeLine] = []
    line_numbers: list[int] = []
    for line in read.lines:
        line_id, row_number = by_row[line.source.row]
        lines.append(dataclasses.replace(line, source=dataclasses.replace(line.source, row=row_number)))
        line_numbers.append(line_id)
    table = charge_table(lines, columns=plan.columns)
    table = table.set_column(0, CHARGE_SCHEMA.field("line_id"), pa.array(line_numbers, pa.int64()))
    if not read.unreadable:
        return table
    return pa.concat_tables([_with_null_unreadable(table), _unreadable_rows(read.unreadable, by_row, plan)])


def _with_null_unreadable(table: pa.Table) -> pa.Table:
    kind = PREPARED_SCHEMA.field("unreadable")
    return table.append_column(kind, pa.nulls(table.num_rows, kind.type))


def _unreadable_rows(found: list[UnreadableLine], by_row: dict[int, tuple[int, int]], plan: Plan) -> pa.Table:
    """Unreadable rows travel with the charges (a null code, so no rule sees them) to the check stage."""
    records = []
    for item in found:
        line_id, row_number = by_row[item.source.row]
        reason = item.reason.replace(item.source.a1(), dataclasses.replace(item.source, row=row_number).a1())
        records.append(
            {"line_id": line_id, "source_sheet": item.source.sheet, "source_row": row_number,
             "source_column": item.source.column, "reason": reason}
        )  # fmt: skip
    table = conform(
        pa.table({"line_id": pa.array([r["line_id"] for r in records], pa.int64())}), plan.columns
    )
    structs = pa.array(records, PREPARED_SCHEMA.field("unreadable").type)
    return table.append_column(PREPARED_SCHEMA.field("unreadable"), structs)


def check(batches: Iterable[pa.RecordBatch], plan: Plan) -> Iterator[pa.RecordBatch]:
    """One partition: every line of its buckets (the driver repartitioned by bucket), checked bucket by
    bucket, so memory is bounded by a bucket, not by the partition."""
    batches = list(batches)
    if not batches:
        return
    table = pa.Table.from_batches(batches)
    session = open_worker_session(_store(plan), plan.settings_json)
    unread = table.column("unreadable")
    bad = table.filter(unread.is_valid())
    if bad.num_rows:
        yield from _checked(unreadable=bad.column("unreadable").combine_chunks()).to_batches()
    table = table.filter(unread.is_null())
    buckets = table.column("bucket")
    for bucket in sorted(set(buckets.to_pylist())):
        part = table.filter(pa.compute.equal(buckets, bucket)).select(CHARGE_SCHEMA.names)
        results, findings = check_arrow(part.cast(CHARGE_SCHEMA), session, plan.columns)
        yield from _checked(result=_structs(results)).to_batches()
        if findings.num_rows:
            yield from _checked(finding=_structs(findings)).to_batches()


def _structs(table: pa.Table) -> pa.Array:
    fields = [field.with_nullable(True) for field in table.schema]
    return pa.StructArray.from_arrays([table.column(f.name).combine_chunks() for f in fields], fields=fields)


def _checked(**columns: pa.Array) -> pa.Table:
    rows = len(next(iter(columns.values())))
    arrays = [columns.get(f.name, pa.nulls(rows, f.type)) for f in CHECKED_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=CHECKED_SCHEMA)


def _store(plan: Plan) -> str:
    if plan.store_path is not None:
        return plan.store_path
    from pyspark import SparkFiles

    return str(SparkFiles.get(plan.store_name))
