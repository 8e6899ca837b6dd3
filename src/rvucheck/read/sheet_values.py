"""A cell's value as python-calamine reads it: text (XML entities, Excel's `_xHHHH_` escapes, rich-text runs
without phonetic ones, trimming), a number format's kind (date/time, duration or neither) and Excel serial
dates (1900 and 1904 systems); the workbook's shared strings and cell styles. read.stream_sheet reads the
rows with them."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import PurePosixPath

from lxml import etree  # type: ignore[import-untyped]

from rvucheck.read.package import NS_MAIN, NS_PKG_REL

_EXCEL_ESCAPE = re.compile(r"_x00([0-9A-Fa-f]{2})_")
TRIM = " \t\r\n"
_EPOCH = dt.datetime(1899, 12, 30)
_MS_PER_DAY = 86_400_000
DATETIME, TIMEDELTA, OTHER = "datetime", "timedelta", "other"
_BUILTIN_DATES = {str(i) for i in (*range(14, 23), 45, 47)}


_ENTITY = re.compile(r"&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def xml_text(raw: bytes) -> str:
    """XML's character references and five entities decoded (not HTML's: &#133; is U+0085, not "...")."""
    text = raw.decode("utf-8")
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _entity(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name:
        return _NAMED[name]
    return chr(int(decimal) if decimal else int(hexadecimal, 16))


def plain_text(raw: bytes) -> str:
    """One `<t>` without attributes: trimmed, entities and Excel escapes decoded."""
    text = raw.decode("utf-8")
    if "&" not in text and "_x00" not in text and "\r" not in text:
        return text.strip(TRIM)
    text = xml_text(raw).replace("\r\n", "\n").replace("\r", "\n").strip(TRIM)
    return _EXCEL_ESCAPE.sub(_escaped, text) if "_x00" in text else text


def _escaped(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def rich_text(element_xml: bytes) -> str:
    """The text of an `<si>` or `<is>` element as calamine reads it."""
    try:
        element = etree.fromstring(element_xml)
    except etree.XMLSyntaxError:
        element = etree.fromstring(_with_namespaces(element_xml))
    return _string_of(element)


def _with_namespaces(element_xml: bytes) -> bytes:
    """A fragment using prefixes declared on the worksheet: declared again on a wrapper."""
    prefixes = set(re.findall(rb"</?([A-Za-z_][\w.-]*):", element_xml))
    declared = b" ".join(b'xmlns:%s="urn:rvucheck:%s"' % (p, p) for p in prefixes if p != b"xml")
    return b"<wrapper " + declared + b">" + element_xml + b"</wrapper>"


def _string_of(element: etree._Element) -> str:
    texts: list[str] = []
    phonetic = 0
    for event, node in etree.iterwalk(element, events=("start", "end")):
        local = etree.QName(node).localname if isinstance(node.tag, str) else ""
        if local == "rPh":
            phonetic += 1 if event == "start" else -1
        elif local == "t" and event == "start" and not phonetic:
            text = "".join(node.itertext())
            if node.get("{http://www.w3.org/XML/1998/namespace}space") != "preserve":
                text = text.strip(TRIM)
            texts.append(_EXCEL_ESCAPE.sub(_escaped, text) if "_x00" in text else text)
    return "".join(texts)


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    part = _workbook_part(archive, "sharedStrings", "xl/sharedStrings.xml")
    if part is None:
        return []
    strings: list[str] = []
    with archive.open(part) as stream:
        for _event, element in etree.iterparse(stream, events=("end",), tag=f"{{{NS_MAIN}}}si"):
            strings.append(_string_of(element))
            element.clear(keep_tail=True)
    return strings


def cell_formats(archive: zipfile.ZipFile) -> list[str]:
    """Per cell style (`s`): DATETIME, TIMEDELTA or OTHER, by its number format (calamine's rules)."""
    part = _workbook_part(archive, "styles", "xl/styles.xml")
    if part is None:
        return []
    root = etree.fromstring(archive.read(part))
    custom = {
        fmt.get("numFmtId"): fmt.get("formatCode")
        for fmt in root.iter(f"{{{NS_MAIN}}}numFmt")
        if fmt.get("numFmtId") is not None and fmt.get("formatCode") is not None
    }
    formats = []
    for xfs in root.iter(f"{{{NS_MAIN}}}cellXfs"):
        for xf in xfs.iter(f"{{{NS_MAIN}}}xf"):
            number = xf.get("numFmtId")
            if number is None:
                formats.append(OTHER)
            elif number in custom:
                formats.append(number_format_kind(custom[number]))
            else:
                formats.append(
                    DATETIME if number in _BUILTIN_DATES else TIMEDELTA if number == "46" else OTHER
                )
    return formats


def number_format_kind(code: str) -> str:
    """Whether a number format shows a date/time, a duration or neither (calamine's reading of it: the first
    section only; quoted text, escaped and fill characters and colours/conditions in brackets ignored)."""
    escaped = quoted = am_pm = elapsed = False
    brackets = 0
    previous = " "
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\*":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return OTHER
        elif char == "[":
            brackets += 1
        elif char == "]" and brackets == 1 and elapsed:
            return TIMEDELTA
        elif char == "]":
            brackets = max(brackets - 1, 0)
        elif char in "aA" and not am_pm and brackets == 0:
            am_pm = True
        elif brackets == 0 and (char in "pm/PM" if am_pm else char in "dmhysDMHYS"):
            return DATETIME
        elif not (elapsed and char.lower() == previous.lower()):
            elapsed = previous == "[" and char in "mhsMHS"
        previous = char
    return OTHER


def _round_half_away(value: float) -> int:
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def excel_datetime(value: float, date1904: bool) -> object:
    """A serial date/time as python-calamine gives it: a time under 1.0, a date when whole, else a datetime;
    a value outside the years 1..9999 stays a float."""
    serial = value + 1462 if date1904 else value
    serial = serial if serial >= 60 else serial + 1
    try:
        moment = _EPOCH + dt.timedelta(milliseconds=_round_half_away(serial * _MS_PER_DAY))
    except (OverflowError, ValueError):
        return value
    if value < 1.0:
        return moment.time()
    if value == float(int(value)):
        return moment.date()
    return moment


def excel_duration(value: float) -> object:
    try:
        return dt.timedelta(milliseconds=_round_half_away(value * _MS_PER_DAY))
    except (OverflowError, ValueError):
        return value


def iso_value(text: str) -> object:
    try:
        if "T" in text:
            return dt.datetime.fromisoformat(text)
        if ":" in text:
            return dt.time.fromisoformat(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


def _workbook_part(archive: zipfile.ZipFile, kind: str, default: str) -> str | None:
    """The part a workbook relationship of this type names (or the usual name)."""
    names = set(archive.namelist())
    rels = "xl/_rels/workbook.xml.rels"
    if rels in names:
        try:
            root = etree.fromstring(archive.read(rels))
        except etree.XMLSyntaxError:
            root = None
        for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship") if root is not None else ():
            if rel.get("Type", "").endswith("/" + kind):
                target = rel.get("Target", "")
                name = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                if name in names:
                    return name
    return default if default in names else None
