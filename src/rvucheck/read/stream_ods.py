"""An OpenDocument spreadsheet's sheets read from its `content.xml` a block at a time, with the rows
python-calamine gives, for the local engine (`check --engine local`), whose driver must hold a chunk of rows,
not the file.

python-calamine parses a whole .ods (every sheet) into its own cells when it opens it: a 250,000-line month
(495 MB of XML) costs ~555 MB before the first row. This reader inflates `content.xml` in blocks and finds
its tables and rows with byte searches (LibreOffice's XML is regular; an lxml `iterparse` of the same file
took 2.6x calamine's CPU for the parse alone, these searches ~2x for everything), each cell's value read by
read.ods_values, and yields
the rows of `to_python(skip_empty_area=False)`: every row from row 1 to the last holding a value (trailing
rows, LibreOffice's `number-rows-repeated="1048000"` among them, left out), each as wide as the last column
holding a value; repeated rows and cells repeated, covered (merged) cells read as calamine reads them (their
own content, usually none), "" for empty cells. calamine reads no hidden rows or merged ranges from an .ods,
and neither does this reader. The file is walked twice: once for its sheets and their extent (the width every
row gets), once for a sheet's values (stopping after its last row). tests/reader/test_stream_ods.py holds it
equal to calamine cell for cell. read.ods_book opens an .ods with it for the reader.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rvucheck.read.ods_values import EMPTY, MAX_COLUMNS, TEXT, cell_text, cell_value, row_repeats, unescape
from rvucheck.read.stream_sheet import SheetFormatError

MAX_ROWS = 1_048_576  # calamine caps a sheet's repeated rows here
# calamine refuses a sheet whose used area holds more cells; this reader, whose rows start at A1, one whose
# cells from A1 to its last value are more (a stray cell far from the data, which would take hours)
MAX_CELLS = 100_000_000
BLOCK = 4 << 20  # bytes of content.xml inflated at a time
_CACHE_SIZE = 65_536  # distinct cell attributes remembered (a month repeats few: types, dates, units)
# a table's or a row's start or end tag (not table-rows, table-row-group, table-column ...: the lookahead)
_QUOTED = rb"""(?:[^>"']+|"[^"]*"|'[^']*')*"""  # attributes, a ">" inside a quoted value kept
_STRUCTURE = re.compile(rb"<(/?)table:table(-row)?(?=[\s/>])(" + _QUOTED + rb"?)(/?)>")
_ROW_END = b"</table:table-row>"
# a cell and its content (greedy, the loop unrolled: a lazy `.*?` costs 3x), and a cell's start tag alone
_CELL_TAIL = (
    rb">(?:(?<=/>)"
    rb"|<text:p>([^<&\r]*)</text:p></table:(?:covered-)?table-cell>"  # 2: the usual text: a plain paragraph
    rb"|([^<]*(?:<(?!/table:(?:covered-)?table-cell>)[^<]*)*)</table:(?:covered-)?table-cell>)"  # 3: other
)
_CELL_START = rb"<table:(?:covered-)?table-cell(?=[\s/>])"
_CELL = re.compile(_CELL_START + rb"([^>]*)" + _CELL_TAIL)  # 1: attributes ("/" ends an empty cell)
_CELL_TAG = re.compile(_CELL_START + rb"([^>]*)>")
# LibreOffice writes ">" in a value as "&gt;"; XML allows it bare: such a row is read again by these
_CELL_QUOTED = re.compile(_CELL_START + rb"(" + _QUOTED + rb")" + _CELL_TAIL)
_CELL_TAG_QUOTED = re.compile(_CELL_START + rb"(" + _QUOTED + rb")>")
_REPEATED = re.compile(rb"""table:number-columns-repeated\s*=\s*["'](\d+)["']""")  # a literal first: fast
_NAME = re.compile(rb"""\stable:name\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class OdsTable:
    name: str
    last_row: int  # 0-based; -1: no value anywhere
    last_column: int


class OdsPasswordError(Exception):
    """The package is encrypted (its manifest says so), as calamine refuses it."""


def index(path: Path) -> list[OdsTable]:
    """The sheets of `content.xml` in order, each with its extent (one walk over the file)."""
    cache: dict[bytes, tuple[bool, int]] = {}
    tables: list[OdsTable] = []
    with zipfile.ZipFile(path) as archive:
        _refuse_encrypted(archive)
        name: str | None = None
        position = last_row = last_column = -1
        for kind, attributes, body in _elements(archive):
            if kind == "table":
                name, position, last_row, last_column = attributes.decode(), 0, -1, -1
            elif kind == "end" and name is not None:
                if (last_row + 1) * (last_column + 1) > MAX_CELLS:
                    raise SheetFormatError(
                        f"sheet '{name}' reaches row {last_row + 1:,}, column {last_column + 1:,}"
                    )
                tables.append(OdsTable(name, last_row, last_column))
                name = None
            elif kind == "row" and name is not None:
                repeats = min(row_repeats(attributes), MAX_ROWS - position)
                last = _last_valued_column(body, cache)
                if last >= 0 and repeats > 0:
                    last_row, last_column = position + repeats - 1, max(last_column, last)
                position += repeats
        if name is not None:
            raise SheetFormatError("content.xml ends inside a sheet")
    return tables


def sheet_rows(path: Path, table: OdsTable) -> Iterator[list[object]]:
    """The rows of `to_python(skip_empty_area=False)` of one sheet (its extent from `index`)."""
    width, last_row = table.last_column + 1, table.last_row
    cache: dict[bytes, tuple[object, int]] = {}
    with zipfile.ZipFile(path) as archive:
        inside = False
        position = 0
        for kind, attributes, body in _elements(archive):
            if kind == "table":
                inside = attributes.decode() == table.name
            elif kind == "end":
                if inside:
                    return
            elif inside:
                if position > last_row:
                    return
                repeats = min(row_repeats(attributes), MAX_ROWS - position)
                count = min(repeats, last_row + 1 - position)
                position += repeats
                values = _row_values(body, cache, width)
                for _ in range(count):
                    yield list(values) if values else [""] * width


def _refuse_encrypted(archive: zipfile.ZipFile) -> None:
    try:
        manifest = archive.read("META-INF/manifest.xml")
    except KeyError:
        return
    if b"manifest:encryption-data" in manifest:
        raise OdsPasswordError("an encrypted package")


def _elements(archive: zipfile.ZipFile) -> Iterator[tuple[str, bytes, bytes]]:
    """("table", its name, b""), ("end", b"", b"") and ("row", its attributes, its content) in document
    order; a table without a name is left out with its rows, as calamine leaves it out. The XML is split at
    the rows' end tags, a block at a time: the usual piece is one row's start tag and content."""
    state = _Tables()
    with archive.open("content.xml") as stream:
        tail = stream.read(BLOCK)
        if not tail.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
            raise SheetFormatError("content.xml is not XML")  # calamine's XML parser refuses it too
        while True:
            block = stream.read(BLOCK)
            pieces = (tail + block).split(_ROW_END)
            tail = pieces.pop()  # a row cut by the block, or what follows the last row
            for piece in pieces:
                close = piece.find(b">")
                usual = piece[16:17] in (b" ", b">") and piece.startswith(_ROW_START)
                if usual and piece[close - 1] != _SLASH:
                    if state.depth == 1:
                        yield "row", piece[16:close], piece[close + 1 :]
                else:  # tables starting or ending, rows without content
                    yield from state.read(piece, ends_row=True)
            if not block:
                yield from state.read(tail, ends_row=False)
                if state.depth:
                    raise SheetFormatError("content.xml ends inside a sheet")
                return


_ROW_START, _SLASH = b"<table:table-row", ord("/")


class _Tables:
    """The tables open (calamine ends a sheet at the first table end: a nested table's) across pieces."""

    depth = 0

    def read(self, piece: bytes, ends_row: bool) -> Iterator[tuple[str, bytes, bytes]]:
        """A piece's elements; its last row start (`ends_row`: the piece ended at a row end) owns the rest."""
        for found in _STRUCTURE.finditer(piece):
            closing, row, attributes, empty = found.groups()
            if row:
                if closing or empty:
                    if not closing and self.depth == 1:
                        yield "row", attributes, b""
                    continue
                if not ends_row:
                    raise SheetFormatError("content.xml ends inside a sheet")
                if self.depth == 1:
                    yield "row", attributes, piece[found.end() :]
                return
            if closing:
                if self.depth == 1:
                    yield "end", b"", b""
                self.depth = 0
            elif self.depth == 0:
                named = _NAME.search(attributes)
                if named is not None:
                    self.depth = 1
                    yield "table", unescape((named.group(1) or named.group(2)).decode()).encode(), b""
                    if empty:
                        yield "end", b"", b""
                        self.depth = 0


def _last_valued_column(body: bytes, cache: dict[bytes, tuple[bool, int]]) -> int:
    """The last column of a row holding a value (-1: none). Every value has an `office:` attribute, so the
    usual row is measured at the cell holding its last `office:` (the cells before it counted in bytes);
    a row where that cell holds no value (a comment's text ...) is read cell by cell."""
    at = body.rfind(b"office:")
    if at < 0:
        return -1
    tag = body.rfind(b"<table:", 0, at)
    named = body.find(b"table-cell", tag, tag + 30)
    close = body.find(b">", named)
    if tag < 0 or named < 0 or close < 0:
        return _last_valued_column_by_cell(body, cache)
    try:
        valued, repeats = _known(body[named + 10 : close], cache)
    except _BareGreaterThan:
        return _last_valued_column_by_cell(body, cache, _CELL_TAG_QUOTED)
    if not valued:
        return _last_valued_column_by_cell(body, cache)
    column = body.count(b"<table:", 0, tag)  # the cells before it (a row holds nothing else)
    if body.find(b"columns-repeated", 0, tag) >= 0:
        counts = [int(count) for count in _REPEATED.findall(body, 0, tag)]
        if 0 in counts:  # a cell repeated 0 times takes no column
            return _last_valued_column_by_cell(body, cache)
        column += sum(counts) - len(counts)
    return min(column + repeats, MAX_COLUMNS) - 1 if column < MAX_COLUMNS else MAX_COLUMNS - 1


class _BareGreaterThan(Exception):
    """A cell's attributes found cut at a ">" inside a quoted value (XML allows it bare): the row is read
    again by the patterns that skip quoted values, ~1.7x slower (LibreOffice writes "&gt;")."""


def _checked(attributes: bytes, quoted: bool) -> bytes:
    """Attributes not yet seen, checked for a cut: a value left open has an odd number of its quotes."""
    if not quoted and (attributes.count(b'"') & 1 or attributes.count(b"'") & 1):
        raise _BareGreaterThan
    return attributes


def _known(attributes: bytes, cache: dict[bytes, tuple[bool, int]], quoted: bool = False) -> tuple[bool, int]:
    known = cache.get(attributes)
    if known is None:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        value, repeats = cell_value(_checked(attributes, quoted))
        known = cache[attributes] = (value is not EMPTY, repeats)
    return known


def _last_valued_column_by_cell(
    body: bytes, cache: dict[bytes, tuple[bool, int]], pattern: re.Pattern[bytes] = _CELL_TAG
) -> int:
    column, last = 0, -1
    try:
        for attributes in pattern.findall(body):
            valued, repeats = _known(attributes, cache, pattern is _CELL_TAG_QUOTED)
            end = min(column + repeats, MAX_COLUMNS)
            if valued and column < MAX_COLUMNS:
                last = end - 1
            column = end
    except _BareGreaterThan:
        return _last_valued_column_by_cell(body, cache, _CELL_TAG_QUOTED)
    return last


def _row_values(
    body: bytes, cache: dict[bytes, tuple[object, int]], width: int, pattern: re.Pattern[bytes] = _CELL
) -> list[object] | None:
    """A row's values, `width` wide ("" where it has none); None for a row without a value."""
    values: list[object] | None = None
    column = 0
    for attributes, plain, content in pattern.findall(body):
        try:
            value, repeats = cache[attributes]
        except KeyError:
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            try:
                checked = _checked(attributes, pattern is _CELL_QUOTED)
            except _BareGreaterThan:
                return _row_values(body, cache, width, _CELL_QUOTED)
            value, repeats = cache[attributes] = cell_value(checked)
        if value is not EMPTY:
            if values is None:
                values = [""] * width
            if value is TEXT:
                value = plain.decode("utf-8") if plain or not content else cell_text(content)
            if repeats == 1:
                values[column] = value
            else:
                stop = column + repeats if column + repeats < width else width
                values[column:stop] = [value] * (stop - column)
        column += repeats
        if column >= width:  # the cells past the sheet's last value column are empty
            break
    return values
