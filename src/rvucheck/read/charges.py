"""Charge export (.xlsx/.xlsm/.csv) -> ChargeLines, with every row below the header accounted for.

    result = read_charges("charges.xlsx")
    result.lines        # ChargeLine per charge row (checked)
    result.unreadable   # UnreadableLine per non-blank, non-total row that cannot be read (with reason)
    result.totals_rows  # worksheet rows of totals/subtotals (reported, not checked)
    result.blank_rows   # how many blank rows were skipped

The charge sheet is the one whose header row (searched in the first rows: exports put titles above it) maps
the most fields and has a procedure code column; `sheet=` picks one, `mapping=` (field -> header) overrides.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.model import ChargeLine, SheetLayout, UnreadableLine
from rvucheck.read.cells import (
    clean_text,
    is_blank,
    split_code,
)
from rvucheck.read.evidence import SAMPLE_ROWS, find_code_column, is_hcpcs, settle_ties
from rvucheck.read.headers import ColumnMap, has_code_column, map_headers, normalize_header
from rvucheck.read.rows import CODE_SHAPE, LineBuilder
from rvucheck.read.safety import InputInfo, check_input
from rvucheck.read.sources import Grid, SheetGrid, XlsxBook, read_csv_grid

HEADER_SEARCH_ROWS = 60
_TOTALS = re.compile(
    r"^\s*(grand\s+|sub\s*-?\s*|report\s+|page\s+)?totals?\b|^\s*(count|sum|records?)\s*:", re.I
)
CODE_HEADERS_HINT = "CPT, HCPCS, Proc Code, Procedure Code or CPT Code"
FieldMapping = Mapping[str, "str | Sequence[str]"]


@dataclass(frozen=True)
class ReadResult:
    lines: list[ChargeLine]
    unreadable: list[UnreadableLine]
    sheet: str
    header_row: int  # worksheet row number of the header
    mapping: dict[str, int]  # field -> 1-based column (first column of modifiers/diagnoses)
    totals_rows: list[int]
    blank_rows: int = 0
    hidden_rows: list[int] = field(default_factory=list)  # hidden rows that were read (and checked)
    headers: list[str] = field(default_factory=list)  # header text per column, as written
    columns_of: dict[str, tuple[int, ...]] = field(default_factory=dict)  # every 1-based column of a field
    last_row: int = 0  # last worksheet row that was looked at
    kind: str = "xlsx"
    date1904: bool = False
    # The sheet's values as read (merged values not filled down), kept only when asked: the report
    # workbook written for a CSV or a workbook a copy would damage holds them, and must not read it again.
    grid: Grid | None = None
    evidence: dict[str, str] = field(default_factory=dict)  # field -> why its column was chosen
    wide: bool = False  # one row per claim, one line per filled HCPCS_CD_k (read/assign.py)

    @property
    def fields(self) -> frozenset[str]:
        """The fields a column was found for: exactly those in every line's `ChargeLine.columns`."""
        return frozenset(self.columns_of)

    control_rows: list[int] = field(default_factory=list)  # rows whose control characters were read as "?"

    @property
    def rows_read(self) -> int:
        """Non-blank, non-total rows below the header: each is either checked or reported unreadable."""
        return len(self.lines) + len(self.unreadable)

    @property
    def layout(self) -> SheetLayout:
        """The plain layout value the outputs take (they never see the reader's own type)."""
        return SheetLayout(
            self.sheet, self.header_row, tuple(self.headers), tuple(self.columns_of.items()),
            tuple(self.totals_rows), self.blank_rows, tuple(self.hidden_rows), self.last_row, self.kind,
            self.date1904,
        )  # fmt: skip


def read_charges(
    path: Path | str,
    sheet: str | None = None,
    mapping: FieldMapping | None = None,
    info: InputInfo | None = None,
    keep_grid: bool = False,
) -> ReadResult:
    """`info`: the file's `check_input` result when the caller has validated it already (it is not
    validated again); `keep_grid`: keep the sheet's values in the result (see ReadResult.grid)."""
    info = info if info is not None else check_input(path)
    if info.kind == "x12":  # an 837P: its claims' service lines (a sheet, a mapping and a grid do not apply)
        from rvucheck.read.x12.reader import read_x12

        return ReadResult(**read_x12(info.path))
    if info.kind == "csv":
        grid = read_csv_grid(info.path)
        header_index, column_map = find_header(grid.rows, mapping, info.path, grid.name)
    else:
        grid, header_index, column_map = open_sheet(info, sheet, mapping, streamed=not keep_grid)
    if not keep_grid:
        return read_rows(grid, header_index, column_map, info.kind, consume=True)
    widths = [len(row) for row in grid.rows]
    result = read_rows(grid, header_index, column_map, info.kind)
    for row, width in zip(grid.rows, widths, strict=True):
        del row[width:]  # the line builder pads rows it reads; the kept grid is the sheet as read
    return replace(result, grid=grid.rows)


def open_sheet(
    info: InputInfo, sheet: str | None, mapping: FieldMapping | None, streamed: bool = True
) -> tuple[SheetGrid, int, ColumnMap]:
    """A workbook's charge sheet (chosen as read_charges chooses it), its header row's index and column map.
    `streamed`: the grid holds the first rows only, the others come from its `rest` as they are read (the
    header search and its column samples see the first rows). Public for the local engine, which reads the
    rows below the header a chunk at a time (read.row_chunks)."""
    book = XlsxBook(info.path, info.package, info.kind)
    name = _choose_sheet(book, sheet, mapping)
    grid = book.grid(name, HEADER_SEARCH_ROWS + SAMPLE_ROWS + 1 if streamed else None)
    found = _best_header(grid.rows, mapping)
    header_index, column_map = found or find_header(grid.whole().rows, mapping, info.path, name)
    return grid, header_index, column_map


def _choose_sheet(book: XlsxBook, wanted: str | None, mapping: FieldMapping | None) -> str:
    names = book.sheet_names
    if wanted is not None:
        for name in names:
            if name == wanted or name.casefold() == wanted.casefold():
                return name
        raise InputFileError(
            f"{book.path} has no sheet '{wanted}'; its sheets are: {', '.join(names) or 'none'}"
        )
    best: tuple[int, str] | None = None
    seen: list[str] = []
    for name in names:
        preview = book.preview(name, HEADER_SEARCH_ROWS)
        found = _best_header(preview, mapping)
        if found is None:
            seen.extend(_texts(preview))
            continue
        score = found[1].score()
        if best is None or score > best[0]:
            best = (score, name)
    if best is None:
        if not any(seen):
            raise InputFileError(f"{book.path} has no data (an empty workbook); export the charges again")
        if mapping:  # the code column may be there; the --map header is what was not found
            raise _no_mapped_header(book.path, mapping, "any sheet", seen)
        raise _no_code_column(book.path, seen)
    return best[1]


def _texts(rows: list[list[object]]) -> list[str]:
    """The texts of the row that looks most like a header (most text cells, the first on a tie): the
    message names the headers, not the first data row's values."""
    best: list[str] = []
    for row in rows:
        texts = [str(c).strip() for c in row if isinstance(c, str) and c.strip()]
        if len(texts) > len(best):
            best = texts
    return best


def _no_code_column(path: Path, seen: list[str]) -> InputFileError:
    shown = ", ".join(dict.fromkeys(seen[:40])) if seen else "none"
    return InputFileError(
        f"{path}: no procedure code column found ({CODE_HEADERS_HINT}); headers seen: {shown[:300]}; "
        f"name it with --map hcpcs=HEADER"
    )


def _best_header(rows: list[list[object]], mapping: FieldMapping | None) -> tuple[int, ColumnMap] | None:
    best: tuple[int, ColumnMap] | None = None
    fallback: tuple[int, ColumnMap] | None = None  # the likeliest header row without a code header
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(isinstance(c, str) and c.strip() for c in row):
            continue
        try:
            column_map = map_headers(row, mapping, rows[index - 1] if index else None)
        except KeyError:  # an overridden header is not in this row
            continue
        if has_code_column(column_map):
            if best is None or column_map.score() > best[1].score():
                best = (index, column_map)
        elif fallback is None or column_map.score() > fallback[1].score():
            fallback = (index, column_map)
    if best is not None:
        index, column_map = best
        return index, settle_ties(rows[index + 1 :], column_map) if column_map.ties else column_map
    if fallback is None:
        return None
    index, column_map = fallback
    found = find_code_column(rows[index + 1 :], column_map, max((len(r) for r in rows[index:]), default=0))
    if found is None:
        return None
    column, why = found
    if column < len(rows[index]) and is_hcpcs(rows[index][column]):
        return None  # no header row at all: its first line would be taken for one and lost
    single = {"hcpcs": column, **column_map.single}
    return index, replace(column_map, single=single, evidence={**column_map.evidence, "hcpcs": why})


def find_header(
    rows: list[list[object]], mapping: FieldMapping | None, path: Path, sheet: str
) -> tuple[int, ColumnMap]:
    """The header row's index in `rows` (a sheet's or a CSV's first rows) and its column map, as
    read_charges decides them (a one-line InputFileError when there is none). Public for the engines that
    read a file's rows elsewhere (the Spark engine decides the mapping on the driver from a sample)."""
    found = _best_header(rows, mapping)
    if found is not None:
        return found
    seen = _texts(rows[:HEADER_SEARCH_ROWS])
    if not seen and not any(not is_blank(c) for row in rows for c in row):
        raise InputFileError(f"{path} has no data (sheet '{sheet}' is empty); export the charges again")
    if mapping:
        raise _no_mapped_header(path, mapping, f"sheet '{sheet}'", seen)
    raise _no_code_column(path, seen)


def _no_mapped_header(path: Path, mapping: FieldMapping, where: str, seen: list[str]) -> InputFileError:
    present = {normalize_header(h) for h in seen}
    absent = {
        field: [
            h
            for h in ([headers] if isinstance(headers, str) else headers)
            if normalize_header(h) not in present
        ]
        for field, headers in mapping.items()
    }
    wanted = " ".join(f"{field}={'|'.join(h)}" for field, h in absent.items() if h) or " ".join(mapping)
    return InputFileError(
        f"{path}: --map {wanted}: no such header in {where}; headers seen: "
        f"{', '.join(dict.fromkeys(seen[:40]))[:300]}"
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
