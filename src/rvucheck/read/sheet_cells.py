"""A worksheet's cells read from pieces of its `<sheetData>` XML, as python-calamine reads them: the rows and
the cells holding a value, each value by read.sheet_values (shared and inline strings, numbers, dates and
times by the cell's style, booleans, errors, formulas' saved values). read.stream_sheet walks a sheet with it,
for its extent and for its values; read.ods_values shares its number check."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rvucheck.read.sheet_values import (
    DATETIME,
    OTHER,
    TIMEDELTA,
    TRIM,
    excel_datetime,
    excel_duration,
    iso_value,
    plain_text,
    rich_text,
    xml_text,
)

PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix (`<x:c>`)
_ATTR = re.compile(rb"""(?:^|\s)(r|s|t)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CHILD = re.compile(rb"<(" + PREFIX + rb")(v|f|is)\b([^>]*?)(?:/>|>(.*?)</\1\2\s*>)", re.S)
_OTHER_CHILD = re.compile(rb"<(?![/?!])" + PREFIX + rb"(?!(?:v|f|is)\b)[\w.-]+")
_REF = re.compile(rb"([A-Za-z]{1,3})(\d+)$")
# a number's text as calamine parses it (an .xlsx <v>, an .ods office:value: read.ods_values)
FLOAT_TEXT = re.compile(rb"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?i:inf(?:inity)?|nan))")


class SheetFormatError(Exception):
    """The sheet's XML is not what calamine reads (it would refuse the sheet too)."""


_TOKEN = re.compile(
    rb"(<)" + PREFIX + rb"row\b([^>]*)>"  # 1-2: a row, its attributes
    rb'|<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?'  # 3-5: the usual cell: r, s, t
    rb"(?:/>|>(?:(<v>)([^<]*)</v>|<is>(<t>)([^<]*)</t></is>)?</c>)"  # 6-7: its value, 8-9: inline text
    rb"|(<)" + PREFIX + rb"c\b([^>]*?)(?:/>|>(.*?)</" + PREFIX + rb"c\s*>)",  # 10-12: any other cell
    re.S,
)
_ROW_NUMBER = re.compile(rb' r="(\d+)"')
_INLINE = (b"inlineStr", b"is")
_RAW_TYPES = (b"", b"n", b"s", b"b", b"e")  # an empty <v> of these types is calamine's Empty


class SheetCells:
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
                        known if known is not None else columns.setdefault(letters, letters_column(letters))
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
    return letters_column(match.group(1).upper())


def letters_column(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number - 1
