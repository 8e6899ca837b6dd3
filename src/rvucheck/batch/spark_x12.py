"""X12 837P files on Spark: read whole with `binaryFile` (one row per file, so a claim is never split
across partitions) and parsed on the workers by the project's own 837P reader (read.x12), exactly as
`read_charges` reads an 837 on one machine: the same lines, the same unreadable claims with their segment
numbers, rows that are the SV1 segments' numbers.

    files = x12_files(spark, paths)          # driver: each file's path -> its number (the order given)
    table, unreadable = x12_rows(batch, files)   # worker, inside prepare: CHARGE_SCHEMA rows

A line's `line_id` is `file number << 32 | its segment number`: stable, unique, in file order and in the
order of the files given (the duplicate's "first row" and the multiple-procedure ranks follow it).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

import pyarrow as pa

from rvucheck.batch.contract import CHARGE_SCHEMA, charge_table
from rvucheck.errors import InputFileError
from rvucheck.model import CellRef, ChargeLine, UnreadableLine

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

FILE_BITS = 32  # a file's lines: file number << 32 | segment number
X12_SUFFIXES = (".837", ".x12", ".edi")  # read.x12.sniff's: a file named so is an X12 file
HEAD_BYTES = 4096


def x12_rows(
    batch: pa.RecordBatch, files: dict[str, int]
) -> tuple[pa.Table, list[tuple[int, UnreadableLine]]]:
    """A binaryFile batch (path, content) -> (CHARGE_SCHEMA table of its files' service lines, unreadable
    lines with their line ids)."""
    from rvucheck.read.x12.reader import COLUMNS

    paths = batch.column("path").to_pylist()
    contents = batch.column("content")
    lines: list[ChargeLine] = []
    ids: list[int] = []
    unreadable: list[tuple[int, UnreadableLine]] = []
    for i, path in enumerate(paths):
        base = files[path] << FILE_BITS
        found, bad = _read(_name(path), contents[i].as_py() or b"")
        lines.extend(found)
        ids.extend(base + line.source.row for line in found)
        unreadable.extend((base + item.source.row, item) for item in bad)
    table = charge_table(lines, columns=COLUMNS)
    index = CHARGE_SCHEMA.get_field_index("line_id")
    return table.set_column(index, CHARGE_SCHEMA.field("line_id"), pa.array(ids, pa.int64())), unreadable


def _read(name: str, content: bytes) -> tuple[list[ChargeLine], list[UnreadableLine]]:
    """One file's lines and unreadable lines, as read.x12.reader.read_x12 gives them; a file that is not an
    837P at all (found only here when the driver could not look at it) is one unreadable row 0."""
    from rvucheck.read.x12.reader import ENCODING, read_lines

    text = io.StringIO(content.decode(ENCODING, errors="replace"), newline="")
    try:
        lines, bad, _last = read_lines(Path(name), text)
    except InputFileError as exc:
        return [], [UnreadableLine(CellRef(name, 0), str(exc))]
    return lines, bad


def _name(path: str) -> str:
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])


def is_x12(path: str) -> bool:
    return path.lower().rstrip("/").endswith(X12_SUFFIXES)


def x12_frame(spark: SparkSession, paths: tuple[str, ...]) -> tuple[DataFrame, dict[str, int]]:
    """The files as a binaryFile DataFrame (path, content) and each file's number: the files in the order
    given (a folder's or a pattern's in name order). A local file is sniffed first, so a file that is not
    an 837P stops the run in one line, as the one-process reader does."""
    from rvucheck.read.x12.sniff import sniff

    try:
        frame = spark.read.format("binaryFile").load(list(paths)).select("path", "content")
        listed = [row["path"] for row in frame.select("path").collect()]
    except Exception as exc:  # a pattern that matches nothing: Spark's PATH_NOT_FOUND
        if "PATH_NOT_FOUND" not in str(exc):
            raise
        listed = []
    if not listed:
        raise InputFileError(f"{', '.join(paths)}: no 837P file found")
    given = [_local(p) or p for p in paths]

    def order(path: str) -> tuple[int, str]:
        local = _local(path) or path
        for number, name in enumerate(given):
            if local == name or local.startswith(name.rstrip("/") + "/"):
                return number, path
        return len(given), path

    for path in listed:
        local = _local(path)
        if local is not None and Path(local).is_file():
            with open(local, "rb") as handle:
                sniff(Path(local), Path(local).suffix.lower(), handle.read(HEAD_BYTES))
    return frame, {path: number for number, path in enumerate(sorted(listed, key=order))}


def _local(path: str) -> str | None:
    """A local file's absolute path (Spark names it file:/...), None for another file system's."""
    parsed = urlparse(path)
    if parsed.scheme in ("", "file"):
        return str(Path(unquote(parsed.path)).resolve())
    return None
