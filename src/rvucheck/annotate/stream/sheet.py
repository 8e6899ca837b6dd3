"""One pass over the charge sheet's XML: result cells appended to their rows, flagged rows filled.

A byte-level scanner (regular expressions over whole rows, 1 MB at a time), not an XML parser: the sheet
of a 100k-line export is ~64 MB and everything in it but the rows we touch is copied as it is. In a flagged
row every cell's style id becomes its filled twin (styles.StyleBook.twin) and the empty columns before the
results get filled cells; rows the plan needs that the sheet lacks are added in order.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from openpyxl.utils import column_index_from_string, get_column_letter

from rvucheck.annotate.stream.safe import refuse_doctype

_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_ROW = re.compile(rb"<row\b([^>]*?)(/?)>")
_CELL = re.compile(rb"<c\b([^>]*?)(/?)>")
_R = re.compile(rb'\br="([A-Z]*)(\d*)"')
_S = re.compile(rb'\bs="(\d+)"')
_SPANS = re.compile(rb'\s+spans="[^"]*"')
_LAST_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)\d+"')


class SheetTooWide(Exception):
    """A row has cells at or beyond the first appended column (the sheet's <dimension> was wrong)."""


class NotASheet(Exception):
    """The part has no <sheetData> (or uses a namespace prefix this scanner does not read)."""


@dataclass
class SheetPlan:
    first: int  # first appended column
    cells: Mapping[int, bytes]  # row -> the appended cells' XML
    fills: Mapping[int, int]  # row -> fill id of its severity
    twin: Callable[[int, int], int]  # (style id, fill id) -> the filled twin's style id
    header_row: int = 0
    header: Callable[[bytes], bytes] | None = None  # the header row's own cells -> the appended headers

    def rows(self) -> array[int]:
        """The rows the plan writes, ascending (as an array: 1,000,000 int objects held ~36 MB)."""
        header = {self.header_row} if self.header else set()
        return array("q", sorted(set(self.cells) | set(self.fills) | header))


_ROOT = re.compile(rb"<(?:(\w+):)?worksheet\b[^>]*>")
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def unprefixed(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The sheet with the main namespace as its default: some writers (the Open XML SDK) spell every
    element `<x:row>`; the scanner reads unprefixed names. Same XML, same meaning."""
    source = iter(chunks)
    head = b""
    while (root := _ROOT.search(head)) is None:
        chunk = next(source, None)
        if chunk is None:
            yield head
            return
        head += chunk
    prefix = root.group(1)
    if not prefix or b'xmlns:%s="%s"' % (prefix, MAIN) not in root.group(0):
        yield head
        yield from source
        return
    tag = root.group(0)
    if b'xmlns="' not in tag:
        tag = tag.replace(b"<%s:worksheet" % prefix, b'<%s:worksheet xmlns="%s"' % (prefix, MAIN), 1)
    pending = head[: root.start()] + tag + head[root.end() :]
    opening, closing = b"<" + prefix + b":", b"</" + prefix + b":"
    for chunk in source:
        pending += chunk
        cut = pending.rfind(b"<")  # no prefix spans it: what follows waits for the next chunk
        if cut > 0:
            done, pending = pending[:cut], pending[cut:]
            yield done.replace(closing, b"</").replace(opening, b"<")
    yield pending.replace(closing, b"</").replace(opening, b"<")


def rewrite_sheet(
    chunks: Iterable[bytes],
    write: Callable[[bytes], None],
    plan: SheetPlan,
    head: Callable[[bytes], bytes],
    tail: Callable[[bytes], bytes],
) -> None:
    """Stream the sheet from `chunks` to `write`; `head`/`tail` edit what comes before / after the rows."""
    source: Iterator[bytes] = iter(chunks)
    buffer = b""
    while (start := _SHEET_DATA.search(buffer)) is None:
        chunk = next(source, None)
        if chunk is None:
            raise NotASheet
        buffer += chunk
    refuse_doctype(buffer[: start.start()])
    write(head(buffer[: start.start()]))
    rows = _Rows(plan)
    write(b"<sheetData>")
    buffer = buffer[start.end() :]
    if not start.group(1):
        while (end := buffer.find(b"</sheetData>")) == -1:
            cut = buffer.rfind(b"</row>")
            if cut != -1:
                write(rows.process(buffer[: cut + 6]))
                buffer = buffer[cut + 6 :]
            chunk = next(source, None)
            if chunk is None:
                raise NotASheet
            buffer += chunk
        write(rows.process(buffer[:end]))
        buffer = buffer[end + len(b"</sheetData>") :]
    write(rows.rest())
    write(b"</sheetData>")
    write(tail(buffer + b"".join(source)))


class _Rows:
    def __init__(self, plan: SheetPlan) -> None:
        self.plan = plan
        self.pending = plan.rows()
        self.next_pending = 0
        self.last_row = 0

    def _missing_before(self, row: int) -> bytes:
        """Rows the plan needs before `row` that the sheet does not have."""
        pieces = []
        while self.next_pending < len(self.pending) and self.pending[self.next_pending] < row:
            number = self.pending[self.next_pending]
            pieces.append(b'<row r="%d">' % number + self._cells(number, b"") + b"</row>")
            self.next_pending += 1
        if self.next_pending < len(self.pending) and self.pending[self.next_pending] == row:
            self.next_pending += 1
        return b"".join(pieces)

    def rest(self) -> bytes:
        return self._missing_before(1 << 30)

    def _cells(self, row: int, body: bytes) -> bytes:
        """The row's cells: its own (filled when flagged) then the appended ones."""
        plan = self.plan
        fill = plan.fills.get(row)
        if fill is not None:
            body = _filled(body, row, plan.first, lambda s: plan.twin(s, fill))
        elif body:
            last = _LAST_REF.findall(body[body.rfind(b"<c ") :] if b"<c " in body else b"")
            if last and column_index_from_string(last[-1].decode()) >= plan.first:
                raise SheetTooWide
        if row == plan.header_row and plan.header is not None:
            return body + plan.header(body)
        return body + plan.cells.get(row, b"")

    def process(self, data: bytes) -> bytes:
        """`data` holds whole rows (and whitespace between them)."""
        plan = self.plan
        pieces: list[bytes] = []
        position = 0
        for match in _ROW.finditer(data):
            attributes = match.group(1)
            ref = _R.search(attributes)
            row = int(ref.group(2)) if ref and ref.group(2) else self.last_row + 1
            self.last_row = row
            missing = self._missing_before(row)
            if row not in plan.cells and row not in plan.fills and row != plan.header_row:
                if missing:
                    pieces += [data[position : match.start()], missing]
                    position = match.start()
                continue
            pieces += [data[position : match.start()], missing]
            tag = b"<row" + _SPANS.sub(b"", attributes) + b">"  # spans would be wrong now: dropped
            if match.group(2):
                pieces += [tag, self._cells(row, b""), b"</row>"]
                position = match.end()
                continue
            end = data.index(b"</row>", match.end())
            pieces += [tag, self._cells(row, data[match.end() : end])]
            position = end
        pieces.append(data[position:])
        return b"".join(pieces)


def _filled(body: bytes, row: int, first: int, twin: Callable[[int], int]) -> bytes:
    """A flagged row's cells with filled styles, and filled empty cells in its gaps before `first`."""
    pieces: list[bytes] = []
    position, column = 0, 0
    for match in _CELL.finditer(body):
        attributes = match.group(1)
        ref = _R.search(attributes)
        at = column_index_from_string(ref.group(1).decode()) if ref and ref.group(1) else column + 1
        if at >= first:
            raise SheetTooWide
        pieces.append(body[position : match.start()])
        pieces.append(_blanks(row, column + 1, at, twin(0)))
        style = _S.search(attributes)
        new_style = b's="%d"' % twin(int(style.group(1)) if style else 0)
        attributes = _S.sub(new_style, attributes, count=1) if style else attributes + b" " + new_style
        pieces.append(b"<c" + attributes + match.group(2) + b">")
        position, column = match.end(), at
    pieces.append(body[position:])
    pieces.append(_blanks(row, column + 1, first, twin(0)))
    return b"".join(pieces)


def _blanks(row: int, start: int, stop: int, style: int) -> bytes:
    return b"".join(
        b'<c r="%s%d" s="%d"/>' % (get_column_letter(c).encode(), row, style) for c in range(start, stop)
    )


def widest_column(chunks: Iterable[bytes]) -> int:
    """The sheet's last used column, scanned (when its <dimension> is missing or wrong)."""
    widest, tail = 0, b""
    for chunk in chunks:
        data = tail + chunk
        cut = data.rfind(b">")
        for letters in set(re.findall(rb'<c\b[^>]*?\br="([A-Z]+)\d+"', data[: cut + 1])):
            widest = max(widest, column_index_from_string(letters.decode()))
        tail = data[cut + 1 :]
    return widest
