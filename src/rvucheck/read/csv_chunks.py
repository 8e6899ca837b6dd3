"""A CSV read by chunks of rows, each as read_charges reads the whole file, so that only a chunk's cells and
lines are held at once (`rvucheck check --engine local`: the driver's memory is bounded by a chunk).

    chunks = CsvChunks.open(path, mapping)     # the header found on the first rows, as the reader finds it
    for result in chunks.results(rows=65_536):  # one ReadResult per chunk of rows below the header
        result.lines, result.unreadable          # the file's row numbers (and A1 references in reasons)

The header is decided once (read.charges.find_header on the first rows, as the reader decides it for a
streamed sheet), then every chunk goes through read.charges.read_rows with the same column map.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rvucheck.read.charges import HEADER_SEARCH_ROWS, FieldMapping, ReadResult, find_header, read_rows
from rvucheck.read.evidence import SAMPLE_ROWS
from rvucheck.read.headers import ColumnMap
from rvucheck.read.sources import SheetGrid, sheet_title, stream_csv

CHUNK_ROWS = 65_536  # rows read into lines at once
_PAST: list[object] = []  # stands for every row above a chunk: its rows keep their numbers in the file


@dataclass
class CsvChunks:
    path: Path
    name: str  # the sheet name (the file's stem, as Excel names it)
    header_index: int  # 0-based row of the header
    column_map: ColumnMap
    header: list[object]
    below: list[list[object]]  # rows below the header read while looking for it
    rest: Iterator[list[object]]

    @classmethod
    def open(cls, path: Path, mapping: FieldMapping | None) -> CsvChunks:
        """The header found as read_charges finds a streamed sheet's; an InputFileError as it raises."""
        rows = stream_csv(path)
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS + SAMPLE_ROWS + 1))
        name = sheet_title(path.stem)
        index, column_map = find_header(head, mapping, path, name)
        return cls(path, name, index, column_map, head[index], head[index + 1 :], rows)

    def results(self, rows: int = CHUNK_ROWS) -> Iterator[ReadResult]:
        """Each chunk of `rows` rows below the header, read (the file's row numbers kept)."""
        at = self.header_index + 1  # 0-based row of the chunk's first row
        records = itertools.chain(self.below, self.rest)
        self.below = []
        while chunk := list(itertools.islice(records, rows)):
            # the header just above the chunk, every earlier row one shared empty row (never read)
            grid = SheetGrid(self.name, [*itertools.repeat(_PAST, at - 1), self.header, *chunk])
            del chunk
            yield read_rows(grid, at - 1, self.column_map, "csv", consume=True)
            at += rows
