"""X12 text -> segments, streamed: the file is read in chunks, never as one string.

Each interchange's delimiters come from its own ISA header: the element separator is the character after
`ISA`, the component separator is ISA16 (the one character after the 16th element separator), the segment
terminator the character after it, the repetition separator ISA11. Line breaks around segments (CRLF, LF, or
none at all) are not data. Several ISA..IEA interchanges may follow each other, each with its own delimiters.

    for number, elements in segments(handle):   # number: the segment's place in the file, ISA = 1
        elements[0]                             # the segment id ("CLM"), elements[1:] its elements

A last segment the file cuts off before its terminator comes as `[CUT_SHORT, ...]` (the loops report it),
not silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TextIO

CHUNK = 1 << 20  # characters read at a time
MAX_SEGMENT = 1 << 20  # no 837P segment comes near this: text without terminators is not X12
SPACE = " \t\r\n\ufeff"  # around segments and before an ISA: not data
CUT_SHORT = "\x00cut"  # the id given to a last segment with no terminator
ISA_ELEMENTS = 16
_SEPARATOR = re.compile(r"[^0-9A-Za-z ]")  # a delimiter is never a letter, a digit or a space


class NotX12(ValueError):
    """The text is not an X12 interchange where one should start (the message says what was found)."""


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    segment: str
    repetition: str


def delimiters(head: str) -> tuple[Delimiters, int]:
    """The delimiters of the interchange whose ISA starts `head`, and the ISA's length with its terminator.
    An ISA is 106 characters when its elements are padded as the standard says; unpadded ones are read too
    (by counting element separators), since only the separators matter."""
    if not head.startswith("ISA") or len(head) < 4:
        raise NotX12("it does not start with an ISA interchange header")
    element = head[3]
    if not _SEPARATOR.match(element):
        raise NotX12("its ISA header has no element separator after 'ISA'")
    at = 3
    for _ in range(ISA_ELEMENTS - 1):  # the first separator is at 3
        at = head.find(element, at + 1) if at < len(head) else -1
        if at < 0:
            raise NotX12(f"its ISA header does not have {ISA_ELEMENTS} elements")
    end = at + 2  # ISA16 is one character; the segment terminator follows it
    if end >= len(head):
        raise NotX12("its ISA header is cut short")
    component, segment = head[at + 1], head[end]
    fields = head[4:at].split(element)
    repetition = fields[10] if len(fields) > 10 and len(fields[10]) == 1 else ""
    chosen = {element, component, segment}
    if len(chosen) < 3 or not all(_SEPARATOR.match(c) or c in "\r\n" for c in (component, segment)):
        raise NotX12("its ISA header's separators (ISA16 and the segment terminator) are not delimiters")
    if repetition in chosen or (repetition and repetition.isalnum()):
        repetition = ""  # 004010 puts a standards id (U) there, not a separator
    return Delimiters(element, component, segment, repetition), end + 1


def _fill(handle: TextIO, text: str, wanted: int) -> str:
    """`text` with leading blank space dropped and at least `wanted` characters (fewer at the end)."""
    text = text.lstrip(SPACE)
    while len(text) < wanted:
        more = handle.read(CHUNK)
        if not more:
            break
        text = (text + more).lstrip(SPACE)
    return text


def segments(handle: TextIO, found: list[Delimiters] | None = None) -> Iterator[tuple[int, list[str]]]:
    """Every segment of every interchange in `handle`, numbered from 1 (the first ISA). `found`: each
    interchange's delimiters are appended to it (the loops split composites with them). Raises NotX12 when
    the file does not start with an ISA; text after an IEA that is not another ISA is yielded as segments
    (with the last delimiters), so the loops report it rather than lose it."""
    number = 0
    text = _fill(handle, handle.read(CHUNK), 512)
    last: Delimiters | None = None
    while text:
        try:
            delims, isa_length = delimiters(text[:512])
        except NotX12:
            if last is None:
                raise
            delims, isa_length = last, 0  # junk after an IEA: read on with the last delimiters
        last = delims
        if found is not None:
            found.append(delims)
        term, sep = delims.segment, delims.element
        if isa_length:
            number += 1
            yield number, text[: isa_length - 1].split(sep)
        text = text[isa_length:]
        text, number, ended = yield from _interchange(handle, text, term, sep, number)
        if not ended:
            return
        text = _fill(handle, text, 512)


def _interchange(
    handle: TextIO, text: str, term: str, sep: str, number: int
) -> Generator[tuple[int, list[str]], None, tuple[str, int, bool]]:
    """The segments after an ISA up to its IEA; returns (the text after the IEA, the count, whether an
    IEA ended it)."""
    while True:
        parts = text.split(term)
        rest = parts.pop()
        for index, part in enumerate(parts):
            if part[:1] in SPACE or part[-1:] in SPACE:
                part = part.strip("\r\n")
                if not part:
                    continue  # a blank line between segments
            number += 1
            elements = part.split(sep)
            yield number, elements
            if elements[0] == "IEA":
                parts.append(rest)
                return term.join(parts[index + 1 :]), number, True
        more = handle.read(CHUNK)
        if not more:
            rest = rest.strip(SPACE)
            if rest:
                number += 1
                yield number, [CUT_SHORT, *rest.split(sep)]
            return "", number, False
        if len(rest) > MAX_SEGMENT:
            raise NotX12(f"segment {number + 1} runs past {MAX_SEGMENT // 1024:,} KB without a terminator")
        text = rest + more
