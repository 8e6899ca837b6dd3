"""The input of `rvucheck check --engine local` as CHARGE_SCHEMA batches, a chunk at a time: the driver
holds one chunk's cells and lines, never the file's (issue 14: memory bounded by a bucket, not by the file).

- Parquet by row groups, a Delta table's snapshot by its files' batches (batch.arrow_in);
- a CSV or a workbook sheet (.xlsx/.xlsm, an .ods above STREAM_SHEET_BYTES of content.xml) by CHUNK_ROWS rows
  (read.row_chunks: the reader's own sheet choice, header search and row reading, a chunk at a time; a
  workbook's rows streamed by python-calamine, or by read.stream_sheet above its size threshold; an .ods's by
  read.stream_ods, which never holds the file);
- an 837P file, or a folder of them read as one input (its files in name order), by about CHUNK_ROWS
  service lines, never splitting a claim (read.x12.reader.read_x12_chunks);
- .xls workbooks, and .ods below that size, are read whole by the reader, their rows one at a time from
  python-calamine's iter_rows: calamine parses the whole workbook when it opens it (an .xls holds at most
  65,536 rows, one chunk), so reading them by chunks held no less and cost ~9 % more CPU (measured:
  docs/scale.md), and calamine reads an .ods ~2x faster than read.stream_ods.

Every line gets the `line_id` a whole read gives it: its place among the input's lines, in file order.
CHUNK_ROWS (or RVUCHECK_CHUNK_ROWS) 0 reads every input whole, as the single-process reader does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from rvucheck.batch.contract import Columns, charge_table
from rvucheck.batch.delta import is_delta
from rvucheck.errors import InputFileError
from rvucheck.model import ChargeLine, UnreadableLine
from rvucheck.session import Session

if TYPE_CHECKING:  # the reader (python-calamine) is imported only when a file needs it
    from rvucheck.read.charges import FieldMapping, ReadResult
    from rvucheck.read.safety import InputInfo

CHUNK_ROWS = 65_536  # a CSV's or sheet's rows (an 837's service lines) read at once; 0: read whole
TABLE_ROWS = 65_536  # lines per table of a whole read (whatever CHUNK_ROWS says, 0 included)
Batches = Iterator[tuple[pa.Table, list[UnreadableLine]]]


@dataclass
class Source:
    layout: Columns
    rows: int  # the lines expected (exact or estimated): the bucket count and the progress bar
    batches: Batches  # the first batch (possibly empty) is ready before any other line is read
    kind: str


def chunk_rows() -> int:
    setting = os.environ.get("RVUCHECK_CHUNK_ROWS", "")
    return int(setting) if setting.isdigit() else CHUNK_ROWS


def open_source(
    path: Path, session: Session, mapping: FieldMapping | None, sheet: str | None = None
) -> Source:
    """The input's batches, chunk by chunk (a one-line InputFileError for an input it cannot read)."""
    if path.suffix.lower() == ".parquet":
        from rvucheck.batch.arrow_in import open_parquet

        found = open_parquet(path, mapping)
        return Source(found.layout, found.rows, found.batches(), "parquet")
    if is_delta(path):  # its current snapshot's files (batch.delta)
        from rvucheck.batch.arrow_in import open_delta

        found = open_delta(path, mapping)
        return Source(found.layout, found.rows, found.batches(), "delta")
    if path.is_dir():
        return _open_x12(path, x12_folder(path))
    from rvucheck.read.safety import check_input

    info = check_input(path, features=False)
    rows = chunk_rows()
    if rows and info.kind == "x12":
        return _open_x12(path, [info.path])
    if rows and info.kind in ("csv", "xlsx", "xlsm"):
        return _open_rows(path, info, mapping, sheet, rows)
    if rows and info.kind == "ods":
        from rvucheck.read.ods_book import streams

        if streams(info.path):
            return _open_rows(path, info, mapping, sheet, rows)
    read = session.read(path, sheet, dict(mapping) if mapping else None, info)
    layout = first_columns(read.columns_of)
    return Source(layout, len(read.lines), _whole(read, layout), info.kind)


def first_columns(columns_of: dict[str, tuple[int, ...]]) -> Columns:
    """The export's layout: field -> its first 1-based column (of the reader's ReadResult.columns_of)."""
    return tuple(sorted(((name, cols[0]) for name, cols in columns_of.items()), key=lambda p: p[1]))


def x12_folder(path: Path) -> list[Path]:
    """A folder's 837P files (its own files, in name order; hidden ones left out), each sniffed as the reader
    does: one line naming a file that is not an 837P."""
    from rvucheck.read.safety import check_input
    from rvucheck.read.x12.sniff import X12_SUFFIXES

    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "_")))
    if not files:
        raise InputFileError(
            f"{path}: an empty folder; give a charge file, a Delta table or a folder of 837P files"
        )
    for file in files:
        try:
            kind = check_input(file, features=False).kind
        except InputFileError:
            if file.suffix.lower() in X12_SUFFIXES:  # an X12 file that is no 837P: the reader's own words
                raise
            kind = ""
        if kind != "x12":
            raise InputFileError(
                f"{path}: {file.name} is not an 837P file; the local engine reads a folder of 837P files "
                "(one kind of input per run): move it out of the folder"
            )
    return files


def _whole(read: ReadResult, layout: Columns) -> Batches:
    lines = read.lines
    yield charge_table(lines[:0], columns=layout), list(read.unreadable)
    for at in range(0, len(lines), TABLE_ROWS):
        yield charge_table(lines[at : at + TABLE_ROWS], first_id=at, columns=layout), []


def _numbered(
    chunks: Iterator[tuple[Sequence[ChargeLine], list[UnreadableLine]]], layout: Columns
) -> Batches:
    """Each chunk's lines as a table, line ids counting the lines in file order (as a whole read does)."""
    yield charge_table([], columns=layout), []
    first = 0
    for lines, unreadable in chunks:
        yield charge_table(lines, first_id=first, columns=layout), unreadable
        first += len(lines)


def _open_rows(
    path: Path, info: InputInfo, mapping: FieldMapping | None, sheet: str | None, rows: int
) -> Source:
    """A CSV or a workbook sheet a chunk of rows at a time. The line count (for the bucket count and the
    progress bar) is estimated from the rows below the header: a CSV's line breaks, a sheet's last row."""
    from rvucheck.read.row_chunks import RowChunks

    if info.kind == "csv":
        chunks = RowChunks.open_csv(info.path, mapping)
        with info.path.open("rb") as handle:
            breaks = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    else:
        chunks = RowChunks.open_sheet(info, sheet, mapping)
        known = chunks.grid.known_rows
        breaks = known if known is not None else _sheet_rows(info, chunks.name)
    layout = first_columns(chunks.column_map.columns_of())
    below = breaks - chunks.header_index - 1  # the rows below the header
    estimate = max(below, 0) * max(len(chunks.column_map.slots), 1)
    read = ((result.lines, result.unreadable) for result in chunks.results(rows))
    return Source(layout, estimate, _numbered(read, layout), info.kind)


def _sheet_rows(info: InputInfo, name: str) -> int:
    """A sheet's last row as its package says (0 when it does not say)."""
    from rvucheck.read.package import SheetExtras

    try:
        extras = info.package.sheets.get(name, SheetExtras()) if info.package is not None else SheetExtras()
    except Exception:  # a package the validating pass could not parse: the bar goes by what is read
        return 0
    return extras.extent[0]


def _open_x12(path: Path, files: list[Path]) -> Source:
    """837P files by about CHUNK_ROWS service lines (whole claims). The line count is estimated from the
    files' SV1 segments' share of a file: ~1 line per 400 bytes (the bar and the bucket count only)."""
    from rvucheck.read.x12.reader import COLUMNS, read_x12_chunks

    estimate = sum(file.stat().st_size for file in files) // 400
    rows = chunk_rows() or 1 << 62
    return Source(COLUMNS, estimate, _numbered(read_x12_chunks(files, rows), COLUMNS), "x12")
