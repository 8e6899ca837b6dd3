"""A worksheet's rows streamed from its XML part, as python-calamine gives them, for sheets too big for it.

python-calamine parses a whole sheet into its own cells before it yields the first row (a 1,000,000-line
month: ~1.4 GB before anything is read). This reader walks the sheet part in pieces of whole rows (the
validation scan's walker, `read.package.row_pieces`) and yields the rows of
`to_python(skip_empty_area=False)`: every row from row 1 to the last one holding a value, every row as
wide as the last column holding a value, "" for empty cells. Values follow calamine's rules: shared and
inline strings (rich text runs joined, phonetic runs left out, text trimmed unless `xml:space="preserve"`,
`_xHHHH_` escapes decoded), numbers as floats, dates and times by the cell style's number format (1900 and
1904 systems, the 1900 leap-year quirk, milliseconds rounded), booleans, errors and formulas without a saved
value as "" (a formula's saved value when there is one), cells and rows without an `r` attribute counted
on from the previous one. tests/reader/test_sheet_xml_stream.py holds it equal to calamine cell for cell.
The sheet is walked twice: once for its extent (the width every row gets), once for the values; each
row's cells are read by read.sheet_cells.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from rvucheck.read.package import NS_REL, row_pieces
from rvucheck.read.sheet_cells import PREFIX, SheetCells, SheetFormatError, letters_column
from rvucheck.read.sheet_values import (
    cell_formats,
    shared_strings,
)


class StreamedSheet:
    """One worksheet of a package, read by this module: its merged ranges and extent are read once (one
    walk over its XML), its rows on each call of `rows()` (another walk). Raises SheetFormatError, before
    any row is given, for a sheet this reader cannot read exactly as calamine does."""

    def __init__(self, path: Path | str | IO[bytes], part: str, date1904: bool) -> None:
        self.path, self.part = path, part
        with zipfile.ZipFile(path) as archive:
            self.strings = shared_strings(archive)
            self.formats = cell_formats(archive)
            tail: list[bytes] = []
            self.last_row, self.last_column = _extent(archive, part, self.strings, tail)
        self.date1904 = date1904
        self.merged = _merged_ranges(b"".join(tail))

    def rows(self) -> Iterator[list[object]]:
        """Every row of `to_python(skip_empty_area=False)`, one at a time."""
        reader = SheetCells(self.strings, self.formats, self.date1904)
        with zipfile.ZipFile(self.path) as archive:
            yield from _dense(
                reader.rows(_sheet_data(archive, self.part)), self.last_row, self.last_column + 1
            )


def stream_rows(archive: zipfile.ZipFile, part: str, date1904: bool) -> Iterator[list[object]]:
    """The rows of one sheet of an open package (see StreamedSheet)."""
    strings = shared_strings(archive)
    last_row, last_column = _extent(archive, part, strings, [])
    reader = SheetCells(strings, cell_formats(archive), date1904)
    return _dense(reader.rows(_sheet_data(archive, part)), last_row, last_column + 1)


_MERGE = re.compile(
    rb"<" + PREFIX + rb'mergeCell\b[^>]*?\bref="([A-Za-z]{1,3})(\d+)(?::([A-Za-z]{1,3})(\d+))?"'
)


def _merged_ranges(tail: bytes) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The merged ranges after a sheet's cells, 0-based (first, last), as calamine lists them."""
    ranges = []
    for first_letters, first_row, last_letters, last_row in _MERGE.findall(tail):
        first = (int(first_row) - 1, letters_column(first_letters.upper()))
        last = (int(last_row) - 1, letters_column(last_letters.upper())) if last_letters else first
        ranges.append((first, last))
    return ranges


def _dense(
    rows: Iterator[tuple[int, list[tuple[int, object]]]], last_row: int, width: int
) -> Iterator[list[object]]:
    """Every row from the first to `last_row`, `width` cells each ("" where the sheet has no value)."""
    next_row = 0
    for row_index, cells in rows:
        if row_index > last_row:
            break
        while next_row < row_index:
            yield [""] * width
            next_row += 1
        values: list[object] = [""] * width
        for column, value in cells:
            if column < width:
                values[column] = value
        yield values
        next_row += 1
    while next_row <= last_row:
        yield [""] * width
        next_row += 1


_SHEET_DATA_END = re.compile(rb"</" + PREFIX + rb"sheetData\s*>")


def _sheet_data(archive: zipfile.ZipFile, part: str, tail: list[bytes] | None = None) -> Iterator[bytes]:
    """The sheet part's `<sheetData>` in pieces of whole rows (the validation scan's walker); what follows
    it (merged ranges ...) is added to `tail` when one is given."""
    started = ended = False
    for piece in row_pieces(archive, part):
        if ended:
            if tail is not None:
                tail.append(piece)
            continue
        if not started:
            at = re.search(rb"<" + PREFIX + rb"sheetData\b", piece)
            if at is None:
                continue
            piece, started = piece[at.start() :], True
        # the regular expression only where its name is: over 16 MB of rows it costs ~10x a byte search
        end = _SHEET_DATA_END.search(piece) if b"sheetData" in piece else None
        if end is not None:
            yield piece[: end.start()]
            if tail is None:
                return
            tail.append(piece[end.start() :])
            ended = True
            continue
        yield piece


def _extent(archive: zipfile.ZipFile, part: str, strings: list[str], tail: list[bytes]) -> tuple[int, int]:
    """The last row and column holding a value (calamine's range end), 0-based; (-1, -1): none. A piece
    whose every cell holds a value in the plain form is measured by byte counts and one search for the
    cells' columns; any other is cut into smaller pieces of whole rows, and those read cell by cell for
    which ones hold a value. Piece by piece: a month's totals row (formulas) at the end sends a few rows to
    the slow walk, not the whole sheet again (1,000,000 lines: ~25 s of CPU)."""
    last_row = last_column = previous = -1  # previous: the 0-based index of the last row element so far
    counter = SheetCells(strings, [], False)
    for piece in _sheet_data(archive, part, tail):
        for small in (piece,) if _plain_cells(piece) else _smaller(piece):
            if not _plain_cells(small):
                for row_index, cells in counter.rows((small,), convert=False, after=previous):
                    previous = row_index
                    if cells:
                        last_row = max(last_row, row_index)
                        last_column = max(last_column, max(column for column, _ in cells))
                continue
            numbers = [int(number) - 1 for number in _ROW_REF.findall(small)]
            if any(later <= earlier for earlier, later in zip([previous, *numbers], numbers, strict=False)):
                raise SheetFormatError("its rows are out of order")
            previous = numbers[-1] if numbers else previous
            refs = set(_CELL_REF.findall(small))
            if refs:
                last_column = max(last_column, max(letters_column(letters) for letters in refs))
                last = _LAST_REF.match(small, small.rfind(b'<c r="'))
                last_row = int(last.group(1)) - 1 if last else last_row
    return last_row, last_column


def _smaller(piece: bytes, size: int = 1 << 16) -> Iterator[bytes]:
    """A piece of whole rows in pieces of about `size`, each ending after a `</row>` (a prefixed sheet's
    `</x:row>` is not cut at: it is read cell by cell whole, as it would be anyway)."""
    start = 0
    while start < len(piece):
        cut = piece.find(b"</row>", start + size)
        end = len(piece) if cut == -1 else cut + len(b"</row>")
        yield piece[start:end]
        start = end


_ROW_REF = re.compile(rb'<row r="(\d+)"')
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})\d')
_LAST_REF = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"')


def _plain_cells(piece: bytes) -> bool:
    """Whether every cell of a piece holds a value, in the plain form with an `r` (no empty or
    self-closing element, no formula, no prefixed or unnumbered cell, no value calamine leaves out)."""
    return (
        b"/>" not in piece
        and b'"></c>' not in piece
        and b"'></c>" not in piece
        and b"<v></v>" not in piece
        and b"<f" not in piece
        and b'inlineStr"><v' not in piece
        and b":c " not in piece
        and piece.count(b"<c ") == piece.count(b'<c r="')
        and piece.count(b"<row") == piece.count(b'<row r="')
    )


__all__ = ["NS_REL", "SheetFormatError", "StreamedSheet", "stream_rows"]
