"""`rvucheck check --engine spark`: the batch contract on a Spark cluster (or `local[*]`).

    job = SparkJob(paths, out, session_settings, data_dir, master="local[2]", partitions=8)
    summary = run_spark(job)          # writes out/lines/, out/findings/ (Parquet) and out/summary.json

1. Read the input as a DataFrame (batch.spark_input): Parquet or a Delta table (a folder with `_delta_log`,
   through `format("delta")` when the cluster has Delta Lake), its columns recognised by name and its values
   parsed as --engine local parses Parquet (batch.arrow_in); or CSV, as text lines (the single-process
   reader's header row and mapping, with `--map`, decided on the driver from the file's first lines; every
   line split with the reader's sniffed dialect and read by the same line builder on the workers:
   batch.spark_csv).
2. Number the rows (`line_id`, in the order of the files and of the rows in each), read them into
   CHARGE_SCHEMA rows and give each its patient bucket: a `mapInArrow` with no shuffle (spark_worker.prepare).
   A CSV without --history (and not a wide claim layout) is not read here: its text lines go on with their
   line_id and bucket (the reader's patient cell's), and the check stage reads them (spark_csv.read_text).
3. `repartition(n, bucket).mapInArrow(check)`: each worker opens the store that `SparkContext.addFile`
   shipped (SparkFiles.get, opened read-only by open_worker_session; no Python object is broadcast) and
   checks its buckets with check_arrow.
4. Write lines/ and findings/ (and unreadable/ when rows could not be read: the workers count them in their
   figures, so no job counts them) as Parquet; the summary is built on the driver from aggregates, never by
   collecting the lines.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.audit.keys import SECRET_FILE
from rvucheck.batch import history as history_keys
from rvucheck.batch import spark_history as history
from rvucheck.batch import spark_worker as worker
from rvucheck.batch.contract import open_worker_session, settings_to_json
from rvucheck.batch.figures import RunSums, run_summary
from rvucheck.batch.notes import date_notes, merge_notes
from rvucheck.batch.spark_check import CHECKED_SCHEMA
from rvucheck.batch.spark_input import SparkInput, read_input
from rvucheck.batch.spark_session import import_pyspark, run_conf, spark_session
from rvucheck.errors import DataNotInstalled, OutputError, RvucheckError
from rvucheck.model import CellRef, UnreadableLine
from rvucheck.outputs import write_file
from rvucheck.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# pyspark 4.3 warns about pandas 3 when mapInArrow checks pandas' version; mapInArrow itself uses no pandas
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
OUTPUTS = ("lines", "findings", "unreadable")
SHOWN_UNREADABLE = 1000  # the summary lists the first unreadable rows (as the local engine's does)
SUMMARY = "summary.json"


@dataclass(frozen=True)
class SparkJob:
    paths: tuple[str, ...]
    out: Path
    settings: Settings = field(default_factory=Settings)
    data_dir: Path | None = None
    master: str | None = None
    partitions: int = 0  # 0: twice Spark's default parallelism
    mapping: dict[str, list[str]] = field(default_factory=dict)  # --map / [columns]: field -> headers
    force: bool = False
    history: Path | None = None  # --history DIR (batch.history's table; a local or mounted folder)
    month: str | None = None  # --month YYYY-MM (default: the month most lines fall in)
    append_history: bool = False  # add the month's lines to the history table after the check


def run_spark(job: SparkJob, spark: SparkSession | None = None) -> dict[str, Any]:
    """Check the job's input on Spark (`spark`: a session to use, else the active one or a new one)."""
    import_pyspark()
    _check_out(job)
    store = _store_of(job)
    if not (store / "catalog.sqlite").is_file():
        raise DataNotInstalled(
            f"no CMS data store in {store}: run rvucheck data install first (or give --data-dir)"
        )
    spark = spark or spark_session(job.master, job.out)
    source = read_input(spark, job.paths, job.mapping)
    partitions = job.partitions or max(2, 2 * spark.sparkContext.defaultParallelism)
    probe = _keyed(store) if job.history is not None else ""  # the secret made before the store ships
    _ship(spark, store)  # each executor gets a local copy
    if probe:
        _ship(spark, store / SECRET_FILE)  # on its own: the store may have been shipped before it had one
    plan = worker.Plan(
        buckets=partitions * 4, columns=source.columns, store_name=store.name,
        settings_json=_settings(job), offsets=source.offsets, column_map=source.column_map,
        names=source.names, csv_header=source.csv_header, sheets=source.sheets,
        keyed=probe, x12_files=source.x12_files, csv_dialect=source.csv_dialect, csv_above=source.csv_above,
    )  # fmt: skip
    try:
        with run_conf(spark):
            return _run(spark, job, source, plan, partitions)
    except Exception as exc:  # a worker's one line (history.key_patients) inside Spark's long error
        if history_keys.WRONG_SECRET in str(exc):
            raise RvucheckError(
                f"{history_keys.WRONG_SECRET}: run it with --data-dir naming a folder every executor reads "
                "the same audit-secret.key from"
            ) from None
        raise


def _run(
    spark: SparkSession, job: SparkJob, source: SparkInput, plan: worker.Plan, partitions: int
) -> dict[str, Any]:
    prepared = _prepared(source, plan)
    target = None
    if job.history is not None:
        prepared = prepared.persist()  # read for the month, the month's patients and the check
        month = history.run_month(prepared, job.month)
        if job.append_history:
            target = history.check_append(job.history, month, job.force)
        both, _months = history.with_history(spark, prepared, job.history, month)
    else:
        both = prepared
    checked = _checked(both, plan, partitions).persist()  # three outputs and the figures read it
    try:
        summary = _write(checked, job, source, partitions)
        if target is not None:
            history.append_month(prepared, target)
            summary["history_appended"] = str(target)
        return summary
    finally:
        checked.unpersist()
        prepared.unpersist()


def _keyed(store: Path) -> str:
    """The driver's key of history.PROBE under the data dir's audit secret (made on first use): each
    worker checks its copy of the secret against it (history.key_patients)."""
    from rvucheck.audit.keys import PatientKeyer
    from rvucheck.batch.history import PROBE

    return PatientKeyer.for_dir(store).key(PROBE)


def _ship(spark: SparkSession, path: Path) -> None:
    """SparkContext.addFile once per Spark session: a folder added again after it changed (a new audit
    secret) makes the executors refuse their copy, so what the session holds already is not added again."""
    context = spark.sparkContext
    shipped = {str(name).removeprefix("file:").rstrip("/") for name in getattr(context, "listFiles", [])}
    if str(path).rstrip("/") in shipped:
        return
    if path.is_dir():
        context.addFile(str(path), recursive=True)
        return
    with contextlib.suppress(Exception):  # a file of that name from elsewhere: the workers' check tells
        context.addFile(str(path))


def _store_of(job: SparkJob) -> Path:
    from rvucheck.refdata.store import default_data_dir

    return Path(job.data_dir or default_data_dir()).resolve()


def _settings(job: SparkJob) -> str:
    return settings_to_json(job.settings)


def _prepared(source: SparkInput, plan: worker.Plan) -> DataFrame:
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = worker.TEXT_SCHEMA if plan.csv_text else worker.PREPARED_SCHEMA  # a plain CSV: its text lines
    return source.frame.mapInArrow(lambda batches: worker.prepare(batches, plan), from_arrow_schema(schema))


def _checked(prepared: DataFrame, plan: worker.Plan, partitions: int) -> DataFrame:
    from pyspark.sql.pandas.types import from_arrow_schema

    return prepared.repartition(partitions, "bucket").mapInArrow(
        lambda batches: worker.check(batches, plan), from_arrow_schema(CHECKED_SCHEMA)
    )


def _check_out(job: SparkJob) -> None:
    """The output folder's parts must not exist (unless --force): checked before Spark starts."""
    taken = [name for name in (*OUTPUTS, SUMMARY) if (job.out / name).exists()]
    if taken and not job.force:
        raise OutputError(
            f"{job.out} already holds {', '.join(taken)}: give another --out, or --force to replace them"
        )
    if job.out.exists() and not job.out.is_dir():
        raise OutputError(f"{job.out} is a file: --out names a folder for lines/, findings/ and {SUMMARY}")


def _write(checked: DataFrame, job: SparkJob, source: SparkInput, partitions: int) -> dict[str, Any]:
    from pyspark.sql import functions as F

    mode = "overwrite" if job.force else "errorifexists"
    checked.where(F.col("line").isNotNull()).select("line.*").write.mode(mode).parquet(str(job.out / "lines"))
    findings = checked.where(F.col("finding").isNotNull()).select("finding.*")
    findings.write.mode(mode).parquet(str(job.out / "findings"))
    sums, notes = RunSums(), []
    firsts: dict[Any, tuple[int, str, int]] = {}
    unread_count = 0  # counted by the workers beside their unreadable rows (spark_check.unreadable_rows)
    for row in checked.where(F.col("figures").isNotNull()).select("figures").toLocalIterator():
        bucket_sums, bucket_notes, bucket_firsts, bucket_unread = pickle.loads(row["figures"])
        sums.add(bucket_sums)
        notes.extend(bucket_notes)
        unread_count += bucket_unread
        for dos, first in bucket_firsts.items():
            if dos not in firsts or first < firsts[dos]:
                firsts[dos] = first
    unreadable = []
    if unread_count:  # no job over the cached rows when every row was read
        unread = checked.where(F.col("unreadable").isNotNull()).select("unreadable.*")
        unread.write.mode(mode).parquet(str(job.out / "unreadable"))
        unreadable = [
            UnreadableLine(
                CellRef(r["source_sheet"] or "", r["source_row"] or 0, r["source_column"] or 0), r["reason"]
            )
            for r in unread.orderBy("line_id").limit(SHOWN_UNREADABLE).collect()
        ]
    ordered = sorted(firsts.items(), key=lambda item: item[1][0])  # the dates in input order
    firsts_of = [(dos, CellRef(sheet, row)) for dos, (_line_id, sheet, row) in ordered]
    dates = date_notes(firsts_of, source.columns, open_worker_session(_store_of(job), _settings(job)))
    merged = merge_notes(dates, notes)
    summary = run_summary(sums, merged, dates.ncci_quarter, unread_count, unreadable)
    summary.update(
        file=", ".join(job.paths),
        kind=source.kind,
        engine="spark",
        partitions=partitions,
        buckets=partitions * 4,
        master=checked.sparkSession.sparkContext.master,
    )
    text = json.dumps(summary, indent=1, default=str)
    write_file(job.out / SUMMARY, lambda path: path.write_text(text, encoding="utf-8"), force=job.force)
    return summary
