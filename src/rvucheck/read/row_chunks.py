"""A CSV's or a workbook sheet's rows read by chunks, each as read_charges reads the whole file, so that only
a chunk's cells and lines are held at once (`rvucheck check --engine local`: the driver's memory is bounded
by a chunk, not by the file).

    chunks = RowChunks.open_csv(path, mapping)             # or RowChunks.open_sheet(info, sheet, mapping)
    for result in chunks.results(rows=65_536):             # one ReadResult per chunk of rows below the header
        result.lines, result.unreadable                     # the file's row numbers (and A1 references)

The header (and a workbook's charge sheet) is decided once, as the reader decides it for a streamed sheet
(read.header_search.find_header / open_sheet on the first rows), then every chunk goes through
read.charge_rows.read_rows with the same column map, the rows above it standing for the rows above it in the
file: a chunk's rows keep their numbers, and the sheet's hidden rows, formulas without a value and Excel
error cells (keyed by row number) apply as in a whole read. A merged range running into a chunk from the
rows above it is filled here from its top cell (kept when its row went by), as the whole read fills it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from rvucheck.read.charge_rows import read_rows
from rvucheck.read.evidence import SAMPLE_ROWS
from rvucheck.read.header_search import HEADER_SEARCH_ROWS, FieldMapping, find_header, open_sheet
from rvucheck.read.headers import ColumnMap
from rvucheck.read.result import ReadResult
from rvucheck.read.safety import InputInfo
from rvucheck.read.sources import SheetGrid, sheet_title, stream_csv

CHUNK_ROWS = 65_536  # rows read into lines at once
_PAST: list[object] = []  # stands for every row above a chunk: its rows keep their numbers in the file
Merge = tuple[tuple[int, int], tuple[int, int]]  # 0-based (row, column) of a merged range's corners


@dataclass
class RowChunks:
    grid: SheetGrid  # the first rows (the header among them); `rest` yields the others
    header_index: int  # 0-based row of the header
    column_map: ColumnMap
    kind: str  # "csv", "xlsx", "xlsm" ... as read_charges names it

    @property
    def name(self) -> str:
        return self.grid.name

    @classmethod
    def open_csv(cls, path: Path, mapping: FieldMapping | None) -> RowChunks:
        """The header found as read_charges finds a streamed sheet's; an InputFileError as it raises."""
        rows = stream_csv(path)
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS + SAMPLE_ROWS + 1))
        name = sheet_title(path.stem)
        index, column_map = find_header(head, mapping, path, name)
        return cls(SheetGrid(name, head, rest=rows), index, column_map, "csv")

    @classmethod
    def open_sheet(cls, info: InputInfo, sheet: str | None, mapping: FieldMapping | None) -> RowChunks:
        """A workbook's charge sheet chosen and its header found as read_charges does
        (header_search.open_sheet), its rows streamed (python-calamine's, or read.stream_sheet's above
        STREAM_SHEET_BYTES; an .ods's by read.stream_ods)."""
        grid, index, column_map = open_sheet(info, sheet, mapping, by_chunks=True)
        return cls(grid, index, column_map, info.kind)

    def results(self, rows: int = CHUNK_ROWS) -> Iterator[ReadResult]:
        """Each chunk of `rows` rows below the header, read (the file's row numbers kept)."""
        grid = self.grid
        at = self.header_index + 1  # 0-based row of the chunk's first row
        header = grid.rows[self.header_index]
        records = itertools.chain(grid.rows[at:], grid.rest or ())
        del grid.rows[at:]
        grid.rest = None
        top_rows = {r1 for (r1, _c1), _corner in grid.merged}
        tops = {r: row for r, row in enumerate(grid.rows) if r in top_rows}  # merges' top rows gone by
        while chunk := list(itertools.islice(records, rows)):
            if top_rows:
                tops.update((r, row) for r, row in enumerate(chunk, start=at) if r in top_rows)
                _fill_from_above(chunk, at, header, [m for m in grid.merged if m[0][0] < at <= m[1][0]], tops)
            # the header just above the chunk, every earlier row one shared empty row (never read)
            part = replace(
                grid, rows=[*itertools.repeat(_PAST, at - 1), header, *chunk],
                merged=[m for m in grid.merged if m[0][0] >= at],
            )  # fmt: skip
            del chunk
            yield read_rows(part, at - 1, self.column_map, self.kind, consume=True)
            at = len(part.rows)


def _fill_from_above(
    chunk: list[list[object]],
    at: int,
    header: list[object],
    merges: list[Merge],
    tops: dict[int, list[object]],
) -> None:
    """A merged range's value in the chunk's rows it covers when its top cell is above the chunk (read_rows
    fills the ranges that start in the chunk): its top cell's value, in the columns the rows are wide."""
    width = max(len(header), *(len(row) for row in chunk))
    for (r1, c1), (r2, c2) in merges:
        if c1 >= width:
            continue
        top_row = tops.get(r1, _PAST)
        top = top_row[c1] if c1 < len(top_row) else ""
        for r in range(at, min(r2, at + len(chunk) - 1) + 1):
            row = chunk[r - at] = list(chunk[r - at])
            last = min(c2, width - 1)
            if len(row) <= last:
                row.extend([""] * (last + 1 - len(row)))
            row[c1 : last + 1] = [top] * (last + 1 - c1)
