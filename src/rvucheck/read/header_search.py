"""A workbook's charge sheet chosen and its header row found (searched in the first rows: exports put titles
above it), with the one-line messages when there is none. The charge sheet is the one whose header row maps
the most fields and has a procedure code column; `sheet=` picks one, `mapping=` (field -> header)
overrides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.read.cells import is_blank
from rvucheck.read.evidence import SAMPLE_ROWS, find_code_column, is_hcpcs, settle_ties
from rvucheck.read.headers import ColumnMap, has_code_column, map_headers, normalize_header
from rvucheck.read.ods_book import OdsBook
from rvucheck.read.safety import InputInfo
from rvucheck.read.sources import SheetGrid, XlsxBook

HEADER_SEARCH_ROWS = 60
CODE_HEADERS_HINT = "CPT, HCPCS, Proc Code, Procedure Code or CPT Code"
FieldMapping = Mapping[str, "str | Sequence[str]"]


def open_sheet(
    info: InputInfo,
    sheet: str | None,
    mapping: FieldMapping | None,
    streamed: bool = True,
    by_chunks: bool = False,
) -> tuple[SheetGrid, int, ColumnMap]:
    """A workbook's charge sheet (chosen as read_charges chooses it), its header row's index and column map.
    `streamed`: the grid holds the first rows only, the others come from its `rest` as they are read (the
    header search and its column samples see the first rows). Public for the local engine, which reads the
    rows below the header a chunk at a time (read.row_chunks); `by_chunks`: an .ods is read by
    read.stream_ods, whose memory is a row's, not the file's (python-calamine parses every sheet when it
    opens the file)."""
    streamed_ods = by_chunks and info.kind == "ods"
    book = OdsBook(info.path) if streamed_ods else XlsxBook(info.path, info.package, info.kind)
    name = _choose_sheet(book, sheet, mapping)
    grid = book.grid(name, HEADER_SEARCH_ROWS + SAMPLE_ROWS + 1 if streamed else None)
    found = _best_header(grid.rows, mapping)
    header_index, column_map = found or find_header(grid.whole().rows, mapping, info.path, name)
    return grid, header_index, column_map


def _choose_sheet(book: XlsxBook | OdsBook, wanted: str | None, mapping: FieldMapping | None) -> str:
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
