"""The input of `--engine spark` as a DataFrame of raw rows, numbered so that every row gets the `line_id`
the single-process reader would give it (the files in the order given, the rows in file order).

- Parquet (a file or a folder of files): columns named as CHARGE_SCHEMA's (what `--engine local` and
  contract.charge_table write); `--map FIELD=COLUMN` renames others. The export's layout comes from the
  files' schema metadata when they carry it (contract.with_layout), else from the columns present.
- Delta (a folder with `_delta_log`): the same columns, through `format("delta")` when the cluster has
  Delta Lake; without it, a one-line error says so.
- CSV: the header mapping of the single-process reader (with `--map`), decided on the driver from the first
  file's first lines; the rows are read by the reader's own line builder on the workers (spark_worker).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.batch.contract import CHARGE_SCHEMA, LAYOUT_KEY, Columns
from rvucheck.batch.spark_worker import FILE_COLUMN, ID_COLUMN, ROW_BITS
from rvucheck.errors import InputFileError, RvucheckError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SAMPLE_LINES = 200  # the CSV lines the header mapping is decided from (the reader searches 60 for a header)
_FIELD_COLUMN = {"patient": "patient_key"}  # a field whose CHARGE_SCHEMA column has another name


@dataclass(frozen=True)
class SparkInput:
    frame: DataFrame  # raw rows with FILE_COLUMN and ID_COLUMN (for numbering), or with line_id
    columns: Columns  # the export's layout: field -> 1-based column
    offsets: dict[tuple[int, int], int]  # (file, partition) -> first line_id; (file, -1) -> the file's
    csv_map: Any = None
    csv_header: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()


def read_input(spark: SparkSession, paths: tuple[str, ...], mapping: dict[str, list[str]]) -> SparkInput:
    if not paths:
        raise InputFileError("give the charge files or tables to check")
    kinds = {_kind(spark, path) for path in paths}
    if len(kinds) > 1:
        raise InputFileError(f"the inputs mix {' and '.join(sorted(kinds))}: check one kind of input per run")
    kind = kinds.pop()
    if kind == "csv":
        return _read_csv(spark, paths, mapping)
    frames = [_rename(_load(spark, path, kind), mapping, path) for path in paths]
    names = frames[0].columns
    known = [name for name in names if name in CHARGE_SCHEMA.names]
    if "hcpcs" not in known:
        raise InputFileError(
            f"{paths[0]} has no hcpcs column: name the code column with --map hcpcs=COLUMN "
            f"(the columns read are {', '.join(CHARGE_SCHEMA.names)})"
        )
    frames = [frame.select(*known) for frame in frames]
    columns = _table_layout(paths[0], known)
    if "line_id" in known:
        frame = frames[0]
        for more in frames[1:]:
            frame = frame.unionByName(more)
        return SparkInput(frame, columns, {})
    frame, offsets = _numbered(frames)
    return SparkInput(frame, columns, offsets)


def _kind(spark: SparkSession, path: str) -> str:
    lower = path.lower().rstrip("/")
    if lower.endswith((".csv", ".csv.gz", ".txt")):
        return "csv"
    if not _exists(spark, path):
        raise InputFileError(f"{path}: no such file or folder")
    return "delta" if _exists(spark, path.rstrip("/") + "/_delta_log") else "parquet"


def _exists(spark: SparkSession, path: str) -> bool:
    """Through Hadoop's file system: local paths, dbfs:/, /Volumes/..., s3://, abfss:// alike."""
    try:
        jvm = spark.sparkContext._jvm
        hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
        system = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        return bool(system.exists(hadoop_path))
    except Exception:  # Spark Connect has no JVM to ask: let the reader say what is missing
        return Path(path).exists() or "://" in path


def _load(spark: SparkSession, path: str, kind: str) -> DataFrame:
    if kind == "parquet":
        return spark.read.parquet(path)
    try:
        return spark.read.format("delta").load(path)
    except Exception as exc:
        if "DATA_SOURCE_NOT_FOUND" in str(exc) or "delta" in str(exc).lower():
            raise RvucheckError(
                f"{path} is a Delta table and this Spark has no Delta Lake reader: run on a cluster with "
                "Delta Lake (Databricks has it; elsewhere pip install delta-spark and configure it), "
                "or give the table's Parquet files"
            ) from None
        raise


def _rename(frame: DataFrame, mapping: dict[str, list[str]], path: str) -> DataFrame:
    for field, headers in mapping.items():
        target = _FIELD_COLUMN.get(field, field)
        if target not in CHARGE_SCHEMA.names:
            raise InputFileError(f"--map {field}: a table input has no {field} column to read it into")
        if headers[0] not in frame.columns:
            raise InputFileError(f"--map {field}={headers[0]}: {path} has no column {headers[0]!r}")
        frame = frame.withColumnRenamed(headers[0], target)
    return frame


def _table_layout(path: str, names: list[str]) -> Columns:
    """The layout the files carry in their schema metadata (Parquet keeps it), else the columns present."""
    import pyarrow as pa

    from rvucheck.batch.contract import layout_of

    local = Path(path)
    files = [local] if local.is_file() else sorted(local.rglob("*.parquet")) if local.is_dir() else []
    if files:
        import pyarrow.parquet as pq

        meta = pq.read_schema(files[0]).metadata or {}
        if LAYOUT_KEY in meta:
            return tuple((str(name), int(col)) for name, col in json.loads(meta[LAYOUT_KEY]))
    return layout_of(pa.table({name: pa.array([], CHARGE_SCHEMA.field(name).type) for name in names}))


def _numbered(frames: list[DataFrame]) -> tuple[DataFrame, dict[tuple[int, int], int]]:
    """The frames as one, each row with its file and monotonically_increasing_id (partition << 33 | row);
    the offsets of each (file, partition) come from one counting pass (the scan is deterministic)."""
    from pyspark.sql import functions as F

    frame = None
    for number, part in enumerate(frames):
        part = part.withColumn(FILE_COLUMN, F.lit(number)).withColumn(
            ID_COLUMN, F.monotonically_increasing_id()
        )
        frame = part if frame is None else frame.unionByName(part)
    assert frame is not None
    counts = (
        frame.groupBy(F.col(FILE_COLUMN).alias("file"), F.shiftright(ID_COLUMN, ROW_BITS).alias("partition"))
        .count()
        .collect()
    )
    offsets: dict[tuple[int, int], int] = {}
    first = 0
    for row in sorted(counts, key=lambda r: (r["file"], r["partition"])):
        offsets.setdefault((row["file"], -1), first)
        offsets[(row["file"], row["partition"])] = first
        first += row["count"]
    return frame, offsets


def _read_csv(spark: SparkSession, paths: tuple[str, ...], mapping: dict[str, list[str]]) -> SparkInput:
    from rvucheck.read.charges import _find_header
    from rvucheck.read.sources import read_csv_grid, sheet_title

    sample = [row["value"] for row in spark.read.text(paths[0]).limit(SAMPLE_LINES).collect()]
    if not sample:
        raise InputFileError(f"{paths[0]} has no data; export the charges again")
    name = paths[0].rstrip("/").rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(prefix="rvucheck-spark-") as folder:
        head = Path(folder, name)
        head.write_text("\n".join(sample[:-1] if len(sample) == SAMPLE_LINES else sample) + "\n", "utf-8")
        grid = read_csv_grid(head)
        header_index, column_map = _find_header(grid.rows, mapping or None, Path(paths[0]), grid.name)
    if header_index != 0:
        raise InputFileError(
            f"{paths[0]}: its header is on line {header_index + 1}; the Spark engine reads a CSV whose first "
            "line is its header: remove the lines above it, or check it with --engine local"
        )
    if column_map.slots:
        raise InputFileError(
            f"{paths[0]} has one claim per row (a wide layout): check it with --engine local"
        )
    delimiter = _delimiter(grid.rows[0], sample[0])
    frames = []
    for path in paths:
        frame = (
            spark.read.option("header", True).option("sep", delimiter).option("quote", '"')
            .option("escape", '"').option("inferSchema", False).option("encoding", "UTF-8").csv(path)
        )  # fmt: skip
        frames.append(frame.toDF(*(f"c{i}" for i in range(len(frame.columns)))))
    widths = {len(frame.columns) for frame in frames}
    if len(widths) > 1:
        raise InputFileError(
            "the CSV files have different numbers of columns: check files of one layout at a time"
        )
    columns = tuple(sorted(column_map.as_mapping().items(), key=lambda item: item[1]))
    frame, offsets = _numbered(frames)
    sheets = tuple(sheet_title(Path(path.rstrip("/").rsplit("/", 1)[-1]).stem) for path in paths)
    header = tuple(str(cell) for cell in grid.rows[0])
    return SparkInput(frame, columns, offsets, csv_map=column_map, csv_header=header, sheets=sheets)


def _delimiter(header: list[object], line: str) -> str:
    """The delimiter the sniffer chose for the sample: the character between the first two header cells."""
    for candidate in (",", ";", "\t", "|"):
        if len(line.split(candidate)) == len(header):
            return candidate
    return ","
