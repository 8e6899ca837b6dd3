"""`--history DIR` on Spark: the month's lines joined with the earlier months' lines of the same patients,
as `--engine local` joins them (batch.history: the table partitioned by month, patient keys HMAC'd under the
data dir's audit secret).

    month = run_month(prepared, job.month)                  # --month, else the month most lines fall in
    both = with_history(spark, prepared, folder, month)     # + earlier months' rows of the month's patients
    append_month(prepared, folder, month, force)            # --append-history: DIR/month=YYYY-MM/ (Spark's)

The prepared rows' patient keys are HMAC'd on the workers (spark_worker.prepare, `Plan.keyed`), so the
join is on keys: a semi-join of the history on the month's distinct (key, bucket) pairs, done by Spark,
which also gives each history row its patient's bucket. Blank keys join nothing (linked with no one).
History rows get line ids after every line of the run (HISTORY_IDS + month rank * MONTH_IDS + their own),
ordered by month then by their place in it, and `history` set: context, never reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rvucheck.batch.contract import CHARGE_SCHEMA
from rvucheck.batch.history import MONTH_IDS, month_files, month_of, months_in
from rvucheck.errors import OutputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

HISTORY_IDS = 1 << 60  # above any line id of a run (a CSV's rows, an 837's file << 32 | segment)


def run_month(prepared: DataFrame, given: str | None) -> str:
    """The run's month: `given`, else the month most of the readable dated lines fall in."""
    from pyspark.sql import functions as F

    if given:
        return month_of({}, given)
    dated = prepared.where(F.col("unreadable").isNull() & F.col("dos").isNotNull())
    counts = dated.groupBy(F.date_format("dos", "yyyy-MM").alias("month")).count().collect()
    return month_of({row["month"]: row["count"] for row in counts}, None)


def with_history(spark: SparkSession, prepared: DataFrame, folder: Path, month: str) -> tuple[DataFrame, int]:
    """The prepared rows and the history rows of their patients from the months before `month` (the
    number of earlier months joined)."""
    from pyspark.sql import functions as F

    earlier = [m for m in months_in(folder) if m < month]
    if not earlier:
        return prepared, 0
    current = prepared.where(
        F.col("unreadable").isNull() & (F.coalesce(F.col("patient_key"), F.lit("")) != "")
    )
    patients = current.select("patient_key", "bucket").distinct()
    past = None
    for rank, name in enumerate(earlier):
        files = [str(path) for path in month_files(folder / f"month={name}")]
        frame = spark.read.parquet(*files)
        # a month written before a column was added to the contract (source_blanked) has it as null
        frame = frame.select(
            *(F.col(n) if n in frame.columns else F.lit(None).alias(n) for n in CHARGE_SCHEMA.names)
        )
        frame = frame.withColumn("line_id", F.col("line_id") + F.lit(HISTORY_IDS + rank * MONTH_IDS))
        past = frame if past is None else past.unionByName(frame)
    assert past is not None
    joined = past.where(F.col("patient_key") != "").join(patients, "patient_key")  # only the month's
    joined = joined.withColumn("history", F.lit(True))
    unreadable = prepared.schema["unreadable"].dataType
    joined = joined.withColumn("unreadable", F.lit(None).cast(unreadable))
    typed = joined.select(*(F.col(f.name).cast(f.dataType).alias(f.name) for f in prepared.schema.fields))
    return prepared.unionByName(typed), len(earlier)


def check_append(folder: Path, month: str, force: bool) -> Path:
    """The month's folder of the history table, which must not hold the month yet (unless --force)."""
    target = folder / f"month={month}"
    if target.exists() and month_files(target) and not force:
        raise OutputError(f"{target} already holds the month {month}: give --force to replace it")
    return target


def append_month(prepared: DataFrame, target: Path) -> None:
    """The month's readable lines (keyed patients, never history rows) as its folder of the history table,
    written by Spark (part-*.parquet), replacing what the folder held."""
    from pyspark.sql import functions as F

    lines = prepared.where(F.col("unreadable").isNull() & ~F.coalesce(F.col("history"), F.lit(False)))
    lines.select(*CHARGE_SCHEMA.names).write.mode("overwrite").parquet(str(target))
