"""An .ods opened for the reader by read.stream_ods (the local engine's chunks of a large .ods), as
sources.XlsxBook opens a workbook by python-calamine: its sheet names, previews and a sheet's grid, the rows
streamed; a file it cannot read is the reader's one line naming it."""

from __future__ import annotations

import itertools
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from rvucheck.errors import InputFileError
from rvucheck.read import stream_ods
from rvucheck.read.sources import SheetGrid, stream_sheet_bytes, workbook_message
from rvucheck.read.stream_ods import OdsPasswordError
from rvucheck.read.stream_sheet import SheetFormatError

T = TypeVar("T")


class OdsBook:
    """An .ods opened for the reader (read.header_search) as sources.XlsxBook opens a workbook: its sheet
    names, previews and a sheet's grid, the rows streamed. Raises the reader's one-line InputFileError."""

    kind = "ods"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tables = {table.name: table for table in _guarded(path, lambda: stream_ods.index(path))}
        self.sheet_names = list(self._tables)

    def preview(self, name: str, nrows: int = 60) -> list[list[object]]:
        return list(itertools.islice(self._rows(name), nrows))

    def grid(self, name: str, head: int | None = None) -> SheetGrid:
        """The sheet's rows: all of them, or the first `head` and the others from `rest` as they are read."""
        rest, known = self._rows(name), self._tables[name].last_row + 1
        if head is None:
            return SheetGrid(name=name, rows=list(rest), known_rows=known)
        return SheetGrid(name=name, rows=list(itertools.islice(rest, head)), rest=rest, known_rows=known)

    def _rows(self, name: str) -> Iterator[list[object]]:
        table = self._tables[name]
        rows = stream_ods.sheet_rows(self.path, table)
        while True:
            row = _guarded(self.path, lambda: next(rows, None))
            if row is None:
                return
            yield row


def _guarded(path: Path, read: Callable[[], T]) -> T:
    """`read()`, a file it cannot read given as the reader's one line naming it."""
    try:
        return read()
    except (OdsPasswordError, SheetFormatError, ValueError, UnicodeDecodeError) as exc:
        raise InputFileError(workbook_message(path, exc)) from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise InputFileError(f"{path} cannot be read ({str(exc)[:80]}); save it again") from None


def streams(path: Path) -> bool:
    """Whether the local engine reads an .ods by this module: when its content.xml is larger than
    STREAM_SHEET_BYTES (RVUCHECK_STREAM_SHEET_MB; 0: every .ods). Below it python-calamine, ~2x faster,
    reads it whole (its parse there is ~1.1x the XML, ~290 MB at most: ~130,000 lines)."""
    try:
        with zipfile.ZipFile(path) as archive:
            size = archive.getinfo("content.xml").file_size
    except (KeyError, OSError, zipfile.BadZipFile):  # calamine says what is wrong with it
        return False
    return size > stream_sheet_bytes()
