"""The input of `--engine spark` as a DataFrame of raw rows, numbered so that every row gets the `line_id`
the single-process reader would give it (the files in the order given, the rows in file order).

- Parquet (a file or a folder of files): its columns recognised by their names (with `--map`) and every
  value read by the reader's cell parsers, exactly as `--engine local` reads a Parquet file (batch.arrow_in).
- Delta (a folder with `_delta_log`): the same, through `format("delta")` when the cluster has Delta Lake;
  without it, the current snapshot's active Parquet files (batch.delta, the deltalake package), a frame each
  in the snapshot's order; what those files alone do not say (deletion vectors...) is refused in one line.
- CSV: the header row and mapping of the single-process reader (with `--map`; title lines above the header
  as the reader skips them), decided on the driver from the first file's first lines; Spark reads the text
  lines, which the workers split into cells with the reader's sniffed dialect and read by the reader's own
  line builder (spark_csv), a wide claim layout's line slots included.
- X12 837P (.837, .x12, .edi; a pattern, or a local folder of them): whole files (binaryFile), parsed on the
  workers by read.x12 (spark_x12).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.batch.arrow_in import recognise
from rvucheck.batch.contract import Columns
from rvucheck.batch.spark_csv import Dialect, csv_dialect, split_lines
from rvucheck.batch.spark_worker import FILE_COLUMN, ID_COLUMN, ROW_BITS
from rvucheck.batch.spark_x12 import is_x12, x12_frame
from rvucheck.errors import InputFileError
from rvucheck.read.x12.sniff import holds_x12_files

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SAMPLE_LINES = 200  # the CSV lines the header mapping is decided from (the reader searches 60 for a header)


@dataclass(frozen=True)
class SparkInput:
    frame: DataFrame  # the raw rows with FILE_COLUMN and ID_COLUMN (for numbering)
    columns: Columns  # the export's layout: field -> 1-based column
    offsets: dict[tuple[int, int], int]  # (file, partition) -> first line_id; (file, -1) -> the file's
    column_map: Any  # read.headers.ColumnMap
    kind: str = "csv"  # csv, parquet or delta
    names: tuple[str, ...] = ()  # a table's column names
    csv_header: tuple[str, ...] = ()  # a CSV's header cells
    sheets: tuple[str, ...] = ()
    x12_files: dict[str, int] | None = None  # an 837P input: each file's path -> its number (spark_x12)
    csv_dialect: Dialect | None = None  # a CSV's dialect as the reader sniffs it (spark_csv)
    csv_above: int = 1  # a CSV's lines down to its header row (title and date lines, the header)


def read_input(spark: SparkSession, paths: tuple[str, ...], mapping: dict[str, list[str]]) -> SparkInput:
    if not paths:
        raise InputFileError("give the charge files or tables to check")
    kinds = {_kind(spark, path) for path in paths}
    if len(kinds) > 1:
        raise InputFileError(f"the inputs mix {' and '.join(sorted(kinds))}: check one kind of input per run")
    kind = kinds.pop()
    if kind == "csv":
        return _read_csv(spark, paths, mapping)
    if kind == "x12":
        from rvucheck.read.x12.reader import COLUMNS

        frame, files = x12_frame(spark, paths)
        return SparkInput(frame, COLUMNS, {}, None, "x12", x12_files=files)
    frames: list[DataFrame] = []
    sources: list[str] = []
    kinds = set()
    for path in paths:
        loaded, how = _load(spark, path, kind)
        frames.extend(loaded)  # a Delta snapshot read without Delta Lake: a frame per file, in order
        sources.extend([path] * len(loaded))
        kinds.add(how)
    names = tuple(frames[0].columns)
    for path, frame in zip(sources, frames, strict=True):
        if tuple(frame.columns) != names:
            raise InputFileError(
                f"{path} has other columns than {paths[0]}: check tables of one layout at a time"
            )
    column_map = recognise(paths[0], names, mapping)
    frame, offsets = _numbered(frames)
    kind = "/".join(sorted(kinds))
    return SparkInput(
        frame,
        _layout(column_map),
        offsets,
        column_map,
        kind,
        names=names,
        sheets=tuple(_name(path) for path in sources),
    )


def _layout(column_map: Any) -> Columns:
    """The input's layout (field -> its first 1-based column) as the reader's ReadResult.columns_of."""
    found = column_map.columns_of().items()
    return tuple(sorted(((name, cols[0]) for name, cols in found), key=lambda pair: (pair[1], pair[0])))


def _name(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _kind(spark: SparkSession, path: str) -> str:
    lower = path.lower().rstrip("/")
    if not any(sign in path for sign in "*?[") and not _exists(spark, path):  # a pattern: Spark lists it
        raise InputFileError(f"{path}: no such file or folder")
    if lower.endswith((".csv", ".csv.gz", ".txt")):
        return "csv"
    if is_x12(lower):
        return "x12"
    if holds_x12_files(Path(path)):  # a local folder of 837P files
        return "x12"
    if Path(path).is_file():  # an X12 file named otherwise: read.safety looks at its start too
        from rvucheck.read.x12.sniff import starts_like_x12

        with open(path, "rb") as handle:
            if starts_like_x12(handle.read(512)):
                return "x12"
    return "delta" if _exists(spark, path.rstrip("/") + "/_delta_log") else "parquet"


def _exists(spark: SparkSession, path: str) -> bool:
    """Through Hadoop's file system: local paths, dbfs:/, /Volumes/..., s3://, abfss:// alike."""
    try:
        jvm: Any = spark.sparkContext._jvm
        hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
        system = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        return bool(system.exists(hadoop_path))
    except Exception:  # Spark Connect has no JVM to ask: let the reader say what is missing
        return Path(path).exists() or "://" in path


def _load(spark: SparkSession, path: str, kind: str) -> tuple[list[DataFrame], str]:
    """The frames of one input and how it was read: Parquet; a Delta table through Spark's Delta Lake when
    the session has it (Databricks), else its current snapshot's files (batch.delta), a frame each."""
    if kind == "parquet":
        return [spark.read.parquet(path)], "parquet"
    try:
        return [spark.read.format("delta").load(path)], "delta"
    except Exception as exc:
        if "DATA_SOURCE_NOT_FOUND" not in str(exc) and "delta" not in str(exc).lower():
            raise
    from rvucheck.batch.delta import delta_snapshot

    snapshot = delta_snapshot(path)
    if not snapshot.files:
        raise InputFileError(f"{path}: its Delta snapshot (version {snapshot.version}) has no rows to check")
    frames = []
    for file in snapshot.files:
        frame = spark.read.parquet(file)
        missing = [name for name in snapshot.names if name not in frame.columns]
        if missing:
            raise InputFileError(
                f"{path}: a file of its snapshot lacks the column {missing[0]!r} (the table's schema "
                "changed): check it on a Spark with Delta Lake"
            )
        frames.append(frame.select(*snapshot.names))
    return frames, "delta"


def _numbered(frames: list[DataFrame]) -> tuple[DataFrame, dict[tuple[int, int], int]]:
    """The frames as one, each row with its file and monotonically_increasing_id (partition << 33 | row);
    the offsets of each (file, partition) come from one counting pass (the scan is deterministic), needless
    for one file read as one partition (its ids are its rows' places already)."""
    from pyspark.sql import functions as F

    if len(frames) == 1 and frames[0].rdd.getNumPartitions() == 1:
        numbered = (
            frames[0].withColumn(FILE_COLUMN, F.lit(0)).withColumn(ID_COLUMN, F.monotonically_increasing_id())
        )
        return numbered, {(0, 0): 0, (0, -1): 0}

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
    """A CSV read by Spark as its text lines (`spark.read.text`: every line, blank ones included, so a row's
    number is its line's), split into cells on the workers with the dialect the single-process reader
    sniffs (read.sources). The header row is found on the driver as the reader finds it, title and date
    lines above it included: the same number of lines above the data is skipped in every file."""
    from rvucheck.read.charges import find_header
    from rvucheck.read.sources import read_csv_grid, sheet_title

    sample = [row["value"] for row in spark.read.text(paths[0]).limit(SAMPLE_LINES).collect()]
    if not sample:
        raise InputFileError(f"{paths[0]} has no data; export the charges again")
    name = paths[0].rstrip("/").rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(prefix="rvucheck-spark-") as folder:
        head = Path(folder, name)
        head.write_text("\n".join(sample[:-1] if len(sample) == SAMPLE_LINES else sample) + "\n", "utf-8")
        grid = read_csv_grid(head)
        header_index, column_map = find_header(grid.rows, mapping or None, Path(paths[0]), grid.name)
        dialect = csv_dialect(head.read_text("utf-8"))
    above = _lines_above(paths[0], sample, header_index, dialect)
    header = tuple(str(cell) for cell in grid.rows[header_index])
    for path in paths[1:]:
        _same_layout(spark, path, paths[0], above, len(header), dialect)
    frames = [spark.read.text(path) for path in paths]
    columns = _layout(column_map)  # a wide layout's slots included, as the reader's columns_of
    frame, offsets = _numbered(frames)
    sheets = tuple(sheet_title(Path(path.rstrip("/").rsplit("/", 1)[-1]).stem) for path in paths)
    return SparkInput(
        frame, columns, offsets, column_map, csv_header=header, sheets=sheets, csv_dialect=dialect,
        csv_above=above,
    )  # fmt: skip


def _lines_above(path: str, sample: list[str], header_index: int, dialect: Dialect) -> int:
    """The text lines down to the header row's: the grid's rows are lines unless a quoted cell above the
    data holds a line break, which the workers' line by line split cannot follow (refused in one line)."""
    if split_lines(sample[: header_index + 1], dialect) is None:
        raise InputFileError(
            f"{path}: a quoted cell above its header holds a line break, and the Spark engine reads a CSV a "
            "line at a time: remove the lines above the header, or check it with --engine local"
        )
    return header_index + 1


def _same_layout(
    spark: SparkSession, path: str, first: str, above: int, width: int, dialect: Dialect
) -> None:
    """Every file is read with the first file's header row and columns: one line when another's differ."""
    lines = [row["value"] for row in spark.read.text(path).limit(above).collect()]
    records = split_lines(lines, dialect) or []
    if len(records) < above or len(records[above - 1]) != width:
        raise InputFileError(
            f"{path}: its header row is not where {first}'s is, or it has another number of columns: "
            "check files of one layout at a time"
        )
