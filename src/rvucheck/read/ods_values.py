"""An OpenDocument cell's value as python-calamine 0.9.1 (calamine 0.36) reads it, from the raw bytes of its
`<table:table-cell>` element (read.stream_ods finds the elements; this module reads one).

calamine's rules (its `ods.rs`, `get_datatype`), kept here because the streamed reader must give the very
values the whole read gives:
- attributes are matched by their raw names (`office:value` ...: another prefix is not read); the first value
  attribute wins; `office:value-type="string"` counts only before it;
- `office:value` (float, percentage, currency) -> float; `office:boolean-value` -> True only for TRUE/true;
  `office:date-value` -> a date, a datetime ('T') or a time (':'), the text itself when it is none of them;
  `office:time-value` -> a time for `PT%HH%MM%S%.fS` (under 24 hours), else the text; `office:string-value`
  -> that text;
- a string cell without `office:string-value`: its element's text, `<text:p>` paragraphs joined by "\\n",
  `<text:s text:c="n"/>` as n spaces, `<text:tab/>` and `<text:line-break/>` as nothing, comments
  (`office:annotation`) and CDATA left out, every other element's text kept;
- a formula's cached value is its value attribute (the formula itself is not read); a cell with no value is
  empty, and an empty string cell is "" but still counts for the sheet's extent (calamine's String("")).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from rvucheck.read.sheet_cells import FLOAT_TEXT, SheetFormatError

EMPTY: object = object()  # calamine's Empty: no value (String("") is a value: "")
TEXT: object = object()  # a string cell whose value is its element's text
MAX_COLUMNS = 16_384  # calamine caps a row's repeated cells here
_ATTR = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|\w+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "apos": "'", "quot": '"'}
_DATETIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?")
_DURATION = re.compile(r"PT(\d{1,2})H(\d{1,2})M(\d{1,2})(?:\.(\d+))?S")
_TOKEN = re.compile(
    rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<\?.*?\?>"  # left out
    rb"|<(/?)([^\s/>]+)([^>]*?)(/?)>"  # 1-4: an element's end or start
    rb"|([^<]+)",  # 5: text
    re.S,
)
_SPACES = re.compile(rb"""\stext:c\s*=\s*["']([^"']*)["']""")


def cell_value(attributes: bytes) -> tuple[object, int]:
    """(value, repeats) of a cell's attributes: EMPTY, TEXT (read its content) or the value."""
    repeats, value, is_string = 1, EMPTY, False
    for name, double, single in _ATTR.findall(attributes):
        raw = double if double or not single else single
        if name == b"table:number-columns-repeated":
            repeats = _count(raw)
        elif value is not EMPTY:
            continue
        elif name == b"office:value":
            if not FLOAT_TEXT.fullmatch(raw):
                raise SheetFormatError("a cell's office:value is not a number")
            value = float(raw)
        elif name == b"office:string-value":
            value = unescape(raw.decode("utf-8"))
        elif name == b"office:date-value":
            value = _iso_date(unescape(raw.decode("utf-8")))
        elif name == b"office:time-value":
            value = _iso_duration(unescape(raw.decode("utf-8")))
        elif name == b"office:boolean-value":
            value = raw in (b"TRUE", b"true")
        elif name == b"office:value-type":
            is_string = raw == b"string"
    return (TEXT if value is EMPTY and is_string else value), repeats


def _count(raw: bytes) -> int:
    if not raw.isdigit():
        raise SheetFormatError("a repeat count is not a number")
    return int(raw)


def row_repeats(attributes: bytes) -> int:
    """A row's `table:number-rows-repeated` (1 without it)."""
    at = attributes.find(b"table:number-rows-repeated")
    if at < 0:
        return 1
    for name, double, single in _ATTR.findall(attributes):
        if name == b"table:number-rows-repeated":
            return _count(double if double or not single else single)
    return 1


def cell_text(content: bytes | None) -> str:
    """A string cell's text from its element's content (see the module's rules)."""
    if not content:
        return ""
    if content.startswith(b"<text:p>") and content.endswith(b"</text:p>") and content.count(b"<") == 2:
        return _text(content[8:-9])  # the usual cell: one paragraph of plain text
    parts: list[str] = []
    paragraphs = 0
    skipping = False  # inside a comment (office:annotation)
    for end, name, attributes, empty, text in _TOKEN.findall(content):
        if skipping:
            skipping = not (end and name == b"office:annotation")
        elif text:
            parts.append(_text(text))
        elif end:
            continue
        elif name == b"office:annotation":
            skipping = not empty
        elif name == b"text:p":
            paragraphs += 1
            if paragraphs > 1:
                parts.append("\n")
        elif name == b"text:s":
            found = _SPACES.search(attributes)
            parts.append(" " * (_count(found.group(1)) if found else 1))
    return "".join(parts)


def _text(raw: bytes) -> str:
    """Element text: XML line ends normalised, then entities replaced (so `&#13;` stays a carriage return)."""
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = raw.decode("utf-8")
    return unescape(text) if "&" in text else text


def unescape(text: str) -> str:
    """XML's five entities and character references (calamine refuses any other)."""
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _entity(found: re.Match[str]) -> str:
    name = found.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    if name not in _NAMED:
        raise SheetFormatError(f"unknown entity &{name};")
    return _NAMED[name]


def _micro(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def _in_range(make: Callable[[], object], text: str) -> object:
    try:
        return make()
    except ValueError:  # no such day or time: calamine keeps the text
        return text


def _iso_date(text: str) -> object:
    """python-calamine's reading of calamine's DateTimeIso."""
    if "T" in text:
        found = _DATETIME.fullmatch(text)
        if not found:
            return text
        y, mo, d, h, mi, s, fraction = found.groups()
        return _in_range(
            lambda: dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), _micro(fraction)), text
        )
    if ":" in text:
        found = _TIME.fullmatch(text)
        if not found:
            return text
        h, mi, s, fraction = found.groups()
        return _in_range(lambda: dt.time(int(h), int(mi), int(s), _micro(fraction)), text)
    found = _DATE.fullmatch(text)
    if not found:
        return text
    return _in_range(lambda: dt.date(*(int(part) for part in found.groups())), text)


def _iso_duration(text: str) -> object:
    """python-calamine's reading of calamine's DurationIso: a time of day, or the text."""
    found = _DURATION.fullmatch(text)
    if not found:
        return text
    h, mi, s, fraction = found.groups()
    return _in_range(lambda: dt.time(int(h), int(mi), int(s), _micro(fraction)), text)
