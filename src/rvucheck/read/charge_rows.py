"""The rows below a header row read into charge lines: totals, blank and unreadable rows accounted for, merged
values filled down, a wide claim layout's line slots each made a line."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import replace

from rvucheck.model import ChargeLine, UnreadableLine
from rvucheck.read.cells import clean_text, is_blank, split_code
from rvucheck.read.headers import ColumnMap
from rvucheck.read.result import ReadResult
from rvucheck.read.rows import CODE_SHAPE, LineBuilder
from rvucheck.read.sources import SheetGrid

_TOTALS = re.compile(
    r"^\s*(grand\s+|sub\s*-?\s*|report\s+|page\s+)?totals?\b|^\s*(count|sum|records?)\s*:", re.I
)


def _fill_merged(grid: SheetGrid, first_data_index: int) -> SheetGrid:
    """A value merged over several cells belongs to every cell of the range (exports merge provider/date).
    The rows it fills are copies: `grid` keeps the sheet as read, for the report workbook."""
    if not grid.merged:
        return grid
    rows = list(grid.whole().rows)
    width = max((len(row) for row in rows), default=0)
    copied: set[int] = set()
    for (r1, c1), (r2, c2) in grid.merged:
        if r2 < first_data_index or r1 >= len(rows) or c1 >= width:
            continue
        c2 = min(c2, width - 1)  # clamped to the used range: a merge may run to column XFD
        top = rows[r1][c1] if c1 < len(rows[r1]) else ""
        for r in range(max(r1, first_data_index), min(r2, len(rows) - 1) + 1):
            if r not in copied:
                rows[r] = list(rows[r])
                copied.add(r)
            row = rows[r]
            if len(row) <= c2:
                row.extend([""] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                row[c] = top
    return replace(grid, rows=rows)


def _builders(grid: SheetGrid, column_map: ColumnMap, header_cells: list[str]) -> list[LineBuilder]:
    """One line builder per line of a row: one for a charge export, one per slot of a wide claim layout
    (the claim's own columns copied into each; the slot's diagnoses first, then the claim's)."""
    layouts = [(column_map.single, column_map.multi)]
    if column_map.slots:
        layouts = []
        for slot in column_map.slots:
            multi = {
                name: tuple(dict.fromkeys((*slot.multi.get(name, ()), *column_map.multi.get(name, ()))))
                for name in {*slot.multi, *column_map.multi}
            }
            layouts.append(({**column_map.single, **slot.single}, multi))
    builders = []
    for single, multi in layouts:
        mapped = ColumnMap(single, multi).as_mapping()
        columns = tuple(sorted(mapped.items(), key=lambda item: item[1]))
        builders.append(LineBuilder(grid, single, multi, columns, header_cells))
    return builders


def read_rows(
    grid: SheetGrid, header_index: int, column_map: ColumnMap, kind: str, consume: bool = False
) -> ReadResult:
    """The rows below `header_index` read into charge lines, as read_charges reads them (totals, blank and
    unreadable rows; a wide layout's line slots). Public for the engines that read a file's rows elsewhere
    (Spark workers read their partition's rows with it: `grid` holds the header, then those rows).
    `consume`: each row is dropped from the grid once read (the grid is not kept), so the sheet's values
    and the lines made of them are not all held at once (1M lines: ~0.4 GB less at the peak)."""
    grid = _fill_merged(grid, header_index + 1)
    rows = grid.rows
    header_cells = [clean_text(c) for c in rows[header_index]]
    builders = _builders(grid, column_map, header_cells)
    wide = len(column_map.slots) > 0
    lines: list[ChargeLine] = []
    unreadable: list[UnreadableLine] = []
    totals: list[int] = []
    blank = 0
    read: list[object] = []  # what a consumed row becomes
    last_row = len(rows)
    for index, row in enumerate(_rows_after(grid, header_index), start=header_index + 1):
        last_row = index + 1
        if consume and index < len(rows):
            rows[index] = read
        if all(is_blank(c) for c in row):
            blank += 1
            continue
        row_number = index + 1
        filled = 0
        for number, builder in enumerate(builders):
            code_index = builder.code_column - 1
            code_cell = row[code_index] if code_index < len(row) else ""
            if wide and is_blank(code_cell) and (filled or number < len(builders) - 1):
                continue  # an empty line slot of a claim row (a claim with no line at all is reported below)
            code, code_modifiers = split_code(code_cell) if not is_blank(code_cell) else ("", ())
            if not CODE_SHAPE.match(code) and _is_totals(row, code_index, not code):
                totals.append(row_number)
                break
            filled += 1
            outcome = builder.build(row, row_number, code, code_modifiers)
            if isinstance(outcome, ChargeLine):
                lines.append(outcome)
            elif wide and not code:
                unreadable.append(
                    replace(outcome, reason=f"{outcome.reason} (no line of this claim has a code)")
                )
            else:
                unreadable.append(outcome)
    rows_read = {line.source.row for line in lines} | {u.source.row for u in unreadable}
    return ReadResult(
        lines=lines,
        unreadable=unreadable,
        sheet=grid.name,
        header_row=header_index + 1,
        mapping=column_map.as_mapping(),
        totals_rows=totals,
        blank_rows=blank,
        hidden_rows=sorted(r for r in grid.hidden_rows if r in rows_read),
        headers=header_cells,
        columns_of=column_map.columns_of(),
        last_row=last_row,
        kind=kind,
        date1904=grid.date1904,
        evidence=dict(column_map.evidence),
        wide=wide,
        control_rows=sorted({r for b in builders for r in b.control_rows}),
    )


def _rows_after(grid: SheetGrid, header_index: int) -> Iterator[list[object]]:
    """The rows below the header: those read already, then (a streamed sheet) the others as they come."""
    yield from itertools.islice(grid.rows, header_index + 1, None)
    if grid.rest is not None:
        yield from grid.rest


def _is_totals(row: list[object], code_index: int, code_blank: bool) -> bool:
    """A totals row says so in its code cell or a column before it (its label), or has no code at all
    and says so anywhere: a charge line with a payer named "Total Care" and a code typed as N/A is a line."""
    cells = row if code_blank else row[: code_index + 1]
    return any(isinstance(c, str) and _TOTALS.match(c) for c in cells)
