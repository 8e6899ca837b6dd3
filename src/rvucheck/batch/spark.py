"""`rvucheck check --engine spark`: the batch contract on a Spark cluster (or `local[*]`).

    job = SparkJob(paths, out, session_settings, data_dir, master="local[2]", partitions=8)
    summary = run_spark(job)          # writes out/lines/, out/findings/ (Parquet) and out/summary.json

1. Read the input as a DataFrame: Parquet (columns named as CHARGE_SCHEMA), a Delta table (a folder with
   `_delta_log`, through `format("delta")` when the cluster has Delta Lake), or CSV (the single-process
   reader's header mapping, with `--map`, decided on the driver from the file's first lines; every row read
   by the same line builder on the workers).
2. Number the rows (`line_id`, in the order of the files and of the rows in each) and give each its patient
   bucket: a `mapInArrow` with no shuffle.
3. `repartition(n, bucket).mapInArrow(check)`: each worker opens the store that `SparkContext.addFile`
   shipped (SparkFiles.get, opened read-only by open_worker_session; no Python object is broadcast) and
   checks its buckets with check_arrow.
4. Write lines/ and findings/ (and unreadable/ when rows could not be read) as Parquet; the summary is built
   on the driver from aggregates, never by collecting the lines.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.batch import spark_worker as worker
from rvucheck.batch.contract import CHARGE_SCHEMA, Columns, settings_to_json
from rvucheck.batch.spark_input import SparkInput, read_input
from rvucheck.batch.spark_session import import_pyspark, spark_session
from rvucheck.errors import OutputError
from rvucheck.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# pyspark 4.3 warns about pandas 3 when mapInArrow checks pandas' version; mapInArrow itself uses no pandas
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
OUTPUTS = ("lines", "findings", "unreadable")
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
    store_local: bool = False  # workers open the driver's store path (a single machine; tests)


def run_spark(job: SparkJob, spark: SparkSession | None = None) -> dict[str, Any]:
    import_pyspark()
    _check_out(job)
    spark = spark or spark_session(job.master, job.out)
    from rvucheck.refdata.store import default_data_dir

    store = Path(job.data_dir or default_data_dir()).resolve()
    if not (store / "catalog.sqlite").is_file():
        from rvucheck.errors import DataNotInstalled

        raise DataNotInstalled(f"no CMS data store in {store}: run rvucheck data install first")
    source = read_input(spark, job.paths, job.mapping)
    partitions = job.partitions or max(2, 2 * spark.sparkContext.defaultParallelism)
    if not job.store_local:
        spark.sparkContext.addFile(str(store), recursive=True)
    plan = worker.Plan(
        buckets=partitions * 4, columns=source.columns, store_name=store.name,
        settings_json=settings_to_json(job.settings), offsets=source.offsets, csv_map=source.csv_map,
        csv_header=source.csv_header, sheets=source.sheets,
        store_path=str(store) if job.store_local else None,
    )  # fmt: skip
    checked = _checked(source, plan, partitions).persist()
    try:
        summary = _write(checked, job, source, partitions)
    finally:
        checked.unpersist()
    return summary


def _checked(source: SparkInput, plan: worker.Plan, partitions: int) -> DataFrame:
    from pyspark.sql.pandas.types import from_arrow_schema

    prepared = source.frame.mapInArrow(
        lambda batches: worker.prepare(batches, plan), from_arrow_schema(worker.PREPARED_SCHEMA)
    )
    return prepared.repartition(partitions, "bucket").mapInArrow(
        lambda batches: worker.check(batches, plan), from_arrow_schema(worker.CHECKED_SCHEMA)
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
    lines = checked.where(F.col("result").isNotNull()).select("result.*")
    findings = checked.where(F.col("finding").isNotNull()).select("finding.*")
    unreadable = checked.where(F.col("unreadable").isNotNull()).select("unreadable.*")
    lines.write.mode(mode).parquet(str(job.out / "lines"))
    findings.where(F.col("line_id").isNotNull()).write.mode(mode).parquet(str(job.out / "findings"))
    unread_count = unreadable.count()
    if unread_count:
        unreadable.write.mode(mode).parquet(str(job.out / "unreadable"))
    summary = _summary(lines, findings, unread_count, source.columns)
    summary["engine"] = {"name": "spark", "master": checked.sparkSession.sparkContext.master,
                         "partitions": partitions, "inputs": list(job.paths)}  # fmt: skip
    from rvucheck.outputs import write_file

    text = json.dumps(summary, indent=1, sort_keys=True, default=str) + "\n"
    write_file(job.out / SUMMARY, lambda path: path.write_text(text, encoding="utf-8"), force=job.force)
    return summary


def _summary(lines: DataFrame, findings: DataFrame, unreadable: int, columns: Columns) -> dict[str, Any]:
    """The run's figures from aggregates: one row of sums, counts per severity and rule, and the run notes
    (rows of no line; the same note from several buckets is said once)."""
    from pyspark.sql import functions as F

    totals = lines.agg(
        F.count("*").alias("lines"), F.sum("work_rvu").alias("work_rvu"),
        F.sum("credited_work_rvu").alias("credited_work_rvu"), F.sum("payment").alias("payment"),
        F.sum("dollars_at_stake").alias("dollars_at_stake"),
    ).first()  # fmt: skip
    on_lines = findings.where(F.col("line_id").isNotNull())
    severities = {r["severity"]: r["count"] for r in on_lines.groupBy("severity").count().collect()}
    rules = on_lines.groupBy("rule_id", "severity").count().orderBy(F.desc("count"), "rule_id").collect()
    notes = findings.where(F.col("line_id").isNull()).select("rule_id", "severity", "message").distinct()
    return {
        "lines": int(totals["lines"]) + unreadable,
        "checked": int(totals["lines"]),
        "unreadable": unreadable,
        "work_rvu": round(totals["work_rvu"] or 0.0, 2),
        "credited_work_rvu": round(totals["credited_work_rvu"] or 0.0, 2),
        "payment": round(totals["payment"] or 0.0, 2),
        "dollars_at_stake": round(totals["dollars_at_stake"] or 0.0, 2),
        "findings": {level: severities.get(level, 0) for level in ("error", "warning", "info")},
        "rules": [{"rule": r["rule_id"], "severity": r["severity"], "count": r["count"]} for r in rules],
        "notes": [row.asDict() for row in notes.orderBy("rule_id", "message").collect()],
        "columns": dict(columns),
    }


def charge_fields() -> tuple[str, ...]:
    """The column names a Parquet or Delta input is read by (CHARGE_SCHEMA's)."""
    return tuple(CHARGE_SCHEMA.names)
