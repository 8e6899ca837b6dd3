"""What runs on a Spark worker (inside `mapInArrow`): plain functions of Arrow record batches, with no
pyspark import but `SparkFiles` (to find the shipped store), so they run, and are tested, without Spark too.

    prepare(batches, plan)   raw rows (a Parquet or Delta table's columns: batch.arrow_in, as --engine local
                             reads them; a CSV's text lines with --history or a wide claim layout: split and
                             read as the reader does, spark_csv) -> CHARGE_SCHEMA rows with their `bucket`,
                             and the rows that cannot be read; a plain CSV (Plan.csv_text): TEXT_SCHEMA, its
                             text lines with their bucket, read once, in the check stage (spark_csv)
    check(batches, plan)     one partition of whole buckets, checked in engine runs of whole buckets
                             (up to RUN_LINES lines) -> spark_check.CHECKED_SCHEMA rows: lines, findings,
                             unreadable rows and each run's figures

Neither imports a workbook library (openpyxl, xlwings, Pillow, xlsxwriter): a lean worker runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rvucheck.batch.contract import (
    CHARGE_SCHEMA,
    Columns,
    bucket_of,
    charge_table,
    lines_of,
    open_worker_session,
)
from rvucheck.batch.history import key_patients
from rvucheck.batch.spark_check import (
    UNREADABLE_SCHEMA,
    check_lines,
    loose,
    unreadable_rows,
    unreadable_structs,
)
from rvucheck.batch.spark_csv import TEXT_COLUMNS, Dialect, parse_csv, read_text, text_rows
from rvucheck.batch.spark_x12 import x12_rows
from rvucheck.batch.worker import LINE_COLUMNS
from rvucheck.gc_pause import paused_gc
from rvucheck.model import UnreadableLine

ROW_BITS = 33  # monotonically_increasing_id(): partition index << 33 | row number within the partition
PREPARED_SCHEMA = CHARGE_SCHEMA.append(pa.field("bucket", pa.int32(), nullable=False)).append(
    pa.field("unreadable", loose(UNREADABLE_SCHEMA))
)
# a plain CSV's prepared rows: its text lines, placed and bucketed (the patient key stays behind)
TEXT_SCHEMA = pa.schema(
    [*(f for f in TEXT_COLUMNS if f.name != "patient_key"), pa.field("bucket", pa.int32(), nullable=False)]
)
RUN_LINES = 100_000  # lines checked in one engine run (whole buckets): bounds a worker's memory
FILE_COLUMN, ID_COLUMN = "_rvucheck_file", "_rvucheck_id"  # added by the driver to the raw rows


@dataclass(frozen=True)
class Plan:
    """What every worker needs, sent with the function (small values only: never the reference data)."""

    buckets: int
    columns: Columns  # the whole input's layout (field -> 1-based column)
    store_name: str  # the store directory's name under SparkFiles (SparkContext.addFile)
    settings_json: str
    offsets: dict[tuple[int, int], int]  # (file, partition) -> line_id of its first row; (file, -1): file's
    column_map: Any  # read.headers.ColumnMap of the input's columns
    names: tuple[str, ...] = ()  # a table's column names (column_map's indexes point into them)
    csv_header: tuple[str, ...] = ()  # a CSV's header cells as written; () for a table
    sheets: tuple[str, ...] = ()  # the sheet name of each input file (a CSV's is its stem)
    store_path: str | None = None  # a local store path (tests, and a worker on the driver's disk)
    keyed: str = ""  # --history: the driver's key of history.PROBE (patients HMAC'd as the history is)
    x12_files: dict[str, int] | None = None  # an 837P input: each file's path (as Spark lists it) -> number
    csv_dialect: Dialect | None = None  # a CSV's dialect as the single-process reader sniffs it
    csv_above: int = 1  # a CSV's lines down to its header row, in every file (title lines, the header)

    @property
    def csv_text(self) -> bool:
        """A CSV that goes through the shuffle as its text lines, read once in the check stage: not with
        --history (the history's join needs typed rows), nor a wide claim layout (a row of several lines,
        each bucketed by its own line_id when its patient is blank)."""
        return bool(self.csv_header) and not self.keyed and not self.column_map.slots


def line_ids(batch: pa.RecordBatch, plan: Plan) -> tuple[list[int], list[int], list[int]]:
    """(line_id, file, row number within its file from 0) of each raw row, from the driver's
    per-partition offsets: ids follow the files in the order given and the rows in file order."""
    ids, files, rows = line_id_arrays(batch, plan)
    return ids.to_pylist(), files.to_pylist(), rows.to_pylist()


def line_id_arrays(batch: pa.RecordBatch, plan: Plan) -> tuple[pa.Array, pa.Array, pa.Array]:
    """line_ids as Arrow int64 arrays (line_id, file, row), computed by Arrow for a batch of one partition
    of one file (what Spark sends)."""
    mask = (1 << ROW_BITS) - 1
    files, monos = batch.column(FILE_COLUMN), batch.column(ID_COLUMN)
    parts = pc.shift_right(monos, ROW_BITS)
    if _one_value(files) and _one_value(parts):  # a batch of one partition of one file (what Spark sends)
        file, part = files[0].as_py(), parts[0].as_py()
        ids = pc.add(pc.bit_wise_and(monos, mask), plan.offsets[(file, part)])
        rows = pc.subtract(ids, plan.offsets[(file, -1)])
        return ids.cast(pa.int64()), files.cast(pa.int64()), rows.cast(pa.int64())
    line_id, row = [], []
    for file, mono in zip(files.to_pylist(), monos.to_pylist(), strict=True):
        line_id.append(plan.offsets[(file, mono >> ROW_BITS)] + (mono & mask))
        row.append(line_id[-1] - plan.offsets[(file, -1)])
    return pa.array(line_id, pa.int64()), files.cast(pa.int64()), pa.array(row, pa.int64())


def _one_value(values: pa.Array) -> bool:
    bounds = pc.min_max(values)
    return values.null_count == 0 and bounds["min"] == bounds["max"]


def prepare(batches: Iterable[pa.RecordBatch], plan: Plan) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        if batch.num_rows:
            with paused_gc():  # reading builds many live objects and almost no cyclic garbage
                prepared = _prepared(batch, plan)
            yield from prepared


def _prepared(batch: pa.RecordBatch, plan: Plan) -> list[pa.RecordBatch]:
    if plan.csv_text:
        text = text_rows(batch, plan, *line_id_arrays(batch, plan))
        text = text.append_column(TEXT_SCHEMA.field("bucket"), buckets_of(text, plan.buckets))
        return text.select(TEXT_SCHEMA.names).cast(TEXT_SCHEMA).to_batches()
    if plan.x12_files is not None:
        table, unreadable = x12_rows(batch, plan.x12_files)
    else:
        table, unreadable = _parse_csv(batch, plan) if plan.csv_header else _convert(batch, plan)
    table = _with_unreadable(table, None)
    if unreadable:
        table = pa.concat_tables([table, _unreadable_rows(unreadable, plan)])
    if plan.keyed:  # --history: lines linked by the patient's HMAC key, the history's own
        table = key_patients(table, plan.store_path or _files_root(), plan.keyed)
    table = table.append_column(PREPARED_SCHEMA.field("bucket"), buckets_of(table, plan.buckets))
    return table.select(PREPARED_SCHEMA.names).cast(PREPARED_SCHEMA).to_batches()


def buckets_of(table: pa.Table, buckets: int) -> pa.Array:
    """Each row's bucket (contract.bucket_of), a patient's key hashed once: through the keys' dictionary,
    a blank key's row by its line_id."""
    keys = table.column("patient_key").combine_chunks().dictionary_encode()
    known = [bucket_of(key, 0, buckets) if key else -1 for key in keys.dictionary.to_pylist()]
    found = pc.take(pa.array(known, pa.int32()), keys.indices).fill_null(-1)
    if not pc.any(pc.equal(found, -1)).as_py():
        return found
    blank = [
        bucket if bucket >= 0 else bucket_of(None, line_id, buckets)
        for bucket, line_id in zip(found.to_pylist(), table.column("line_id").to_pylist(), strict=True)
    ]
    return pa.array(blank, pa.int32())


def _parse_csv(batch: pa.RecordBatch, plan: Plan) -> tuple[pa.Table, list[tuple[int, UnreadableLine]]]:
    ids, files, rows = line_ids(batch, plan)
    return parse_csv(batch, plan, ids, files, rows)


def _convert(batch: pa.RecordBatch, plan: Plan) -> tuple[pa.Table, list[tuple[int, UnreadableLine]]]:
    """A table's rows through batch.arrow_in (a batch's rows are consecutive rows of one partition)."""
    from rvucheck.batch.arrow_in import convert

    ids, files, _rows = line_ids(batch, plan)
    first = ids[0]
    table = pa.Table.from_batches([batch]).select(list(plan.names))
    charges, unreadable = convert(
        table, plan.column_map, plan.names, first, plan.sheets[files[0]], plan.columns
    )
    return charges, [(item.source.row - 1, item) for item in unreadable]


def _with_unreadable(table: pa.Table, structs: pa.Array | None) -> pa.Table:
    kind = PREPARED_SCHEMA.field("unreadable")
    return table.append_column(kind, structs if structs is not None else pa.nulls(table.num_rows, kind.type))


def _unreadable_rows(found: list[tuple[int, UnreadableLine]], plan: Plan) -> pa.Table:
    """Unreadable rows travel with the charges (no code, so no rule sees them) to the check stage."""
    ids = pa.array([line_id for line_id, _item in found], pa.int64())
    table = pa.table([ids], schema=pa.schema([CHARGE_SCHEMA.field("line_id")]))
    arrays = [
        table.column(f.name) if f.name in table.column_names else pa.nulls(len(ids), f.type)
        for f in CHARGE_SCHEMA
    ]
    table = pa.Table.from_arrays(arrays, schema=CHARGE_SCHEMA)
    return _with_unreadable(table, unreadable_structs(found))


def check(batches: Iterable[pa.RecordBatch], plan: Plan) -> Iterator[pa.RecordBatch]:
    """One partition: every line of its buckets (the driver repartitioned by bucket), checked in engine runs
    of whole buckets of up to RUN_LINES lines together, so memory is bounded by a run, not by the
    partition. Buckets share no patient, so a run of several gives each line what its bucket alone gives
    (issue 14's property test), and one run prices each code once where a run per bucket priced it again in
    every bucket (200,000 lines: 16 runs cost the engine ~40% more CPU than one)."""
    batches = list(batches)
    if not batches:
        return
    table = pa.Table.from_batches(batches)
    del batches
    if plan.csv_text:
        yield from _check_text(table, plan)
        return
    unread = table.column("unreadable")
    if unread.null_count < table.num_rows:
        bad = table.filter(unread.is_valid())
        yield from unreadable_rows(bad.column("unreadable").combine_chunks()).to_batches()
        table = table.filter(unread.is_null())
    if not table.num_rows:
        return
    session = open_worker_session(_store(plan), plan.settings_json)
    # sorted once by line_id (the engine's order); a run takes its buckets' rows by a filter, which keeps
    # that order (a sort per run and again per bucket cost a copy of the partition each)
    table = table.select([*CHARGE_SCHEMA.names, "bucket"]).sort_by("line_id")
    buckets = table.column("bucket")
    runs = runs_of(buckets, RUN_LINES)
    for members in runs:
        part = table if len(runs) == 1 else table.filter(pc.is_in(buckets, pa.array(members, pa.int32())))
        yield from check_bucket(part.select(CHARGE_SCHEMA.names).cast(CHARGE_SCHEMA), session, plan.columns)


def _check_text(table: pa.Table, plan: Plan) -> Iterator[pa.RecordBatch]:
    """check() of a plain CSV's text lines: each run's lines read (spark_csv.read_text), then checked."""
    session = open_worker_session(_store(plan), plan.settings_json)
    table = table.sort_by("line_id")
    buckets = table.column("bucket")
    runs = runs_of(buckets, RUN_LINES)
    for members in runs:
        part = table if len(runs) == 1 else table.filter(pc.is_in(buckets, pa.array(members, pa.int32())))
        with paused_gc():  # reading builds many live objects and almost no cyclic garbage
            lines, ids, unreadable = read_text(part, plan)
        if unreadable:
            yield from unreadable_rows(unreadable_structs(unreadable)).to_batches()
        if lines:
            kept = charge_table(lines, columns=plan.columns, ids=ids, names=LINE_COLUMNS)
            with paused_gc():  # the run's lines and findings: many live objects, almost no cyclic garbage
                checked = check_lines(lines, [], kept, session)
            for out in checked:
                yield from out.to_batches()


def runs_of(buckets: pa.ChunkedArray | pa.Array, most: int) -> list[list[int]]:
    """The buckets of each engine run: whole buckets in ascending order, together up to `most` rows (a
    bucket larger than that is a run of its own)."""
    counts = pc.value_counts(buckets).to_pylist()
    runs: list[list[int]] = []
    size = 0
    for bucket, count in sorted((c["values"], c["counts"]) for c in counts):
        if not runs or (size and size + count > most):
            runs.append([])
            size = 0
        runs[-1].append(bucket)
        size += count
    return runs


def check_bucket(table: pa.Table, session: Any, columns: Columns) -> Iterator[pa.RecordBatch]:
    """One bucket (or a run of whole buckets), its rows in line_id order, as batch.worker.check_bucket checks
    it (same lines, findings, figures and notes)."""
    with paused_gc():  # the bucket's lines and findings: many live objects, almost no cyclic garbage
        checked = _check_bucket(table, session, columns)
    for part in checked:
        yield from part.to_batches()


def _check_bucket(table: pa.Table, session: Any, columns: Columns) -> list[pa.Table]:
    current = table.filter(pc.invert(table.column("history").fill_null(False)))
    lines, past = lines_of(table, columns)
    return check_lines(lines, past, current.select(list(LINE_COLUMNS)), session)


def _files_root() -> str:
    from pyspark import SparkFiles

    return str(SparkFiles.getRootDirectory())  # where SparkContext.addFile put the audit secret


def _store(plan: Plan) -> str:
    if plan.store_path is not None:
        return plan.store_path
    from pyspark import SparkFiles

    return str(SparkFiles.get(plan.store_name))
