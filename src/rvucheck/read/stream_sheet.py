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
cell's value is read by read.sheet_values.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from rvucheck.read.package import NS_REL, row_pieces
from rvucheck.read.sheet_values import (
    DATETIME,
    OTHER,
    TIMEDELTA,
    TRIM,
    cell_formats,
    excel_datetime,
    excel_duration,
    iso_value,
    plain_text,
    rich_text,
    shared_strings,
    xml_text,
)

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix (`<x:c>`)
_ATTR = re.compile(rb"""(?:^|\s)(r|s|t)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CHILD = re.compile(rb"<(" + _P + rb")(v|f|is)\b([^>]*?)(?:/>|>(.*?)</\1\2\s*>)", re.S)
_OTHER_CHILD = re.compile(rb"<(?![/?!])" + _P + rb"(?!(?:v|f|is)\b)[\w.-]+")
_REF = re.compile(rb"([A-Za-z]{1,3})(\d+)$")
# a number's text as calamine parses it (an .xlsx <v>, an .ods office:value: read.ods_values)
FLOAT_TEXT = re.compile(rb"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?i:inf(?:inity)?|nan))")


class SheetFormatError(Exception):
    """The sheet's XML is not what calamine reads (it would refuse the sheet too)."""


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
        reader = _Cells(self.strings, self.formats, self.date1904)
        with zipfile.ZipFile(self.path) as archive:
            yield from _dense(
                reader.rows(_sheet_data(archive, self.part)), self.last_row, self.last_column + 1
            )


def stream_rows(archive: zipfile.ZipFile, part: str, date1904: bool) -> Iterator[list[object]]:
    """The rows of one sheet of an open package (see StreamedSheet)."""
    strings = shared_strings(archive)
    last_row, last_column = _extent(archive, part, strings, [])
    reader = _Cells(strings, cell_formats(archive), date1904)
    return _dense(reader.rows(_sheet_data(archive, part)), last_row, last_column + 1)


_MERGE = re.compile(rb"<" + _P + rb'mergeCell\b[^>]*?\bref="([A-Za-z]{1,3})(\d+)(?::([A-Za-z]{1,3})(\d+))?"')


def _merged_ranges(tail: bytes) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The merged ranges after a sheet's cells, 0-based (first, last), as calamine lists them."""
    ranges = []
    for first_letters, first_row, last_letters, last_row in _MERGE.findall(tail):
        first = (int(first_row) - 1, _letters_column(first_letters.upper()))
        last = (int(last_row) - 1, _letters_column(last_letters.upper())) if last_letters else first
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


_TOKEN = re.compile(
    rb"(<)" + _P + rb"row\b([^>]*)>"  # 1-2: a row, its attributes
    rb'|<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?'  # 3-5: the usual cell: r, s, t
    rb"(?:/>|>(?:(<v>)([^<]*)</v>|<is>(<t>)([^<]*)</t></is>)?</c>)"  # 6-7: its value, 8-9: inline text
    rb"|(<)" + _P + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"c\s*>)",  # 10-12: any other cell
    re.S,
)
_ROW_NUMBER = re.compile(rb' r="(\d+)"')
_INLINE = (b"inlineStr", b"is")
_RAW_TYPES = (b"", b"n", b"s", b"b", b"e")  # an empty <v> of these types is calamine's Empty
_SHEET_DATA_END = re.compile(rb"</" + _P + rb"sheetData\s*>")


class _Cells:
    """Cell values of one workbook (its shared strings, styles and date system)."""

    def __init__(self, strings: list[str], formats: list[str], date1904: bool) -> None:
        self.strings = strings
        self.formats = formats
        self.date1904 = date1904
        self.columns: dict[bytes, int] = {}
        self.dates: dict[tuple[bytes, bytes], object] = {}
        self.style_kinds: dict[bytes, str] = {}

    def rows(
        self, pieces: Iterable[bytes], convert: bool = True, after: int = -1
    ) -> Iterator[tuple[int, list[tuple[int, object]]]]:
        """(0-based row, [(0-based column, value)]) of every row element, the cells holding a value only.
        `convert=False`: which cells hold a value, not what (their values are given as ""). `after`: the
        0-based row before the pieces' first (a row without a number follows it)."""
        row_index = after
        cells: list[tuple[int, object]] = []
        column = 0
        columns, strings, kinds = self.columns, self.strings, self.style_kinds
        for piece in pieces:
            for found in _TOKEN.findall(piece):
                _row, row, letters, style, kind, has_v, v, inline, text, is_cell, attributes, body = found
                if letters:
                    known = columns.get(letters)
                    column = (
                        known if known is not None else columns.setdefault(letters, _letters_column(letters))
                    )
                    if inline:
                        if b"&" in text or b"_x00" in text or b"\r" in text:
                            plain = plain_text(text)
                        else:  # the usual text needs no more than a trim
                            plain = text.decode("utf-8").strip(TRIM)
                        cells.append((column, plain if convert else ""))
                    elif not has_v or kind in _INLINE or (not v and kind in _RAW_TYPES):
                        pass  # calamine's Empty
                    elif not convert:
                        cells.append((column, ""))
                    elif not kind and v.isdigit() and (kinds.get(style) or self._kind(style)) == OTHER:
                        cells.append((column, float(v)))
                    elif kind == b"s" and v.isdigit() and int(v) < len(strings):
                        cells.append((column, strings[int(v)]))
                    else:
                        value = self._cached(v, style, kind)
                        if value is not None:
                            cells.append((column, value))
                    column += 1
                elif is_cell:
                    ref = _attribute(attributes, b"r")
                    if ref is not None:
                        column = _ref_column(ref)
                    value = self._value(body, _attribute(attributes, b"s"), _attribute(attributes, b"t"))
                    if value is not None:
                        cells.append((column, value if convert else ""))
                    column += 1
                else:
                    if row_index > after:
                        yield row_index, cells
                    number = _ROW_NUMBER.match(row) or _attribute(row, b"r")
                    before, row_index = row_index, row_index + 1
                    if number is not None:
                        row_index = _row_number(number if isinstance(number, bytes) else number.group(1))
                    if row_index <= before:
                        raise SheetFormatError("its rows are out of order")
                    cells, column = [], 0
        if row_index > after:
            yield row_index, cells

    def _kind(self, style: bytes) -> str:
        """DATETIME, TIMEDELTA, OTHER or "" (a style the workbook lacks: a plain float) of a cell style."""
        kind = self.style_kinds.get(style)
        if kind is None:
            if not style:
                kind = OTHER
            else:
                number = int(style) if style.isdigit() else 0
                kind = self.formats[number] if number < len(self.formats) else ""
            self.style_kinds[style] = kind
        return kind

    def _cached(self, v: bytes, style: bytes, kind: bytes) -> object | None:
        """A `<v>` value; dates (one per day of the month, repeated on every line) converted once."""
        if kind or self._kind(style) not in (DATETIME, TIMEDELTA):
            return self._v(v, style or None, kind or None)
        key = (v, style)
        value = self.dates.get(key)
        if value is None:
            value = self.dates[key] = self._v(v, style, None)
        return value

    def _value(self, content: bytes, style: bytes | None, kind: bytes | None) -> object | None:
        """A cell's value (None: calamine's Empty). The last child element gives it, as in calamine."""
        if not content:
            return None
        if content.startswith(b"<v>") and content.endswith(b"</v>") and content.count(b"<") == 2:
            return self._child_v(content[3:-4], style, kind)
        children = _CHILD.findall(content)
        if _OTHER_CHILD.search(_CHILD.sub(b"", content)):
            raise SheetFormatError("a cell holds an element other than v, f or is")
        if not children:
            return None
        _prefix, name, _attributes, inner = children[-1]
        if name == b"is":
            return rich_text(b"<is>" + inner + b"</is>")
        if name == b"f":
            return None
        return self._child_v(inner, style, kind)

    def _child_v(self, raw: bytes, style: bytes | None, kind: bytes | None) -> object | None:
        if kind in _INLINE or (not raw and (kind or b"") in _RAW_TYPES):
            return None
        return self._v(raw, style, kind)

    def _v(self, raw: bytes, style: bytes | None, kind: bytes | None) -> object | None:
        if kind is None or kind == b"n":
            if not raw:
                return None
            if b"&" in raw:
                raw = raw[: raw.index(b"&")]  # an entity ends calamine's raw number text
                if not raw:
                    return None
            if not FLOAT_TEXT.fullmatch(raw):
                if kind is None:
                    return raw.decode("utf-8")
                raise SheetFormatError("a numeric cell holds no number")
            number = float(raw)
            fmt = self._kind(style or b"")
            if fmt == DATETIME:
                return excel_datetime(number, self.date1904)
            if fmt == TIMEDELTA:
                return excel_duration(number)
            return number
        if kind == b"s":
            if not raw:
                return None
            index = int(raw) if raw.isdigit() else 0
            if index >= len(self.strings):
                raise SheetFormatError("a cell's string index is not in the shared strings")
            return self.strings[index]
        if kind == b"b":
            return raw != b"0"
        if kind == b"e":
            return ""  # an error value: calamine gives "" (read.package reports the error cells)
        if kind == b"str":
            return xml_text(raw).replace("\r\n", "\n")
        if kind == b"d":
            return iso_value(xml_text(raw))
        raise SheetFormatError(f"unknown cell type {kind!r}")


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
            at = re.search(rb"<" + _P + rb"sheetData\b", piece)
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
    counter = _Cells(strings, [], False)
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
                last_column = max(last_column, max(_letters_column(letters) for letters in refs))
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


def _attribute(attributes: bytes, name: bytes) -> bytes | None:
    for match in _ATTR.finditer(attributes):
        if match.group(1) == name:
            return match.group(2) if match.group(2) is not None else match.group(3)
    return None


def _row_number(raw: bytes) -> int:
    if not raw.isdigit():
        raise SheetFormatError("a row number is not a number")
    return int(raw) - 1


def _ref_column(ref: bytes) -> int:
    match = _REF.match(ref)
    if match is None:
        raise SheetFormatError("a cell reference is not a cell address")
    return _letters_column(match.group(1).upper())


def _letters_column(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number - 1


__all__ = ["FLOAT_TEXT", "NS_REL", "SheetFormatError", "stream_rows"]
