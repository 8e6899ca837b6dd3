"""Edits to the short parts of the charge sheet around its rows: <dimension> and <cols> before them,
<autoFilter> and <legacyDrawing> after them (inserted where the schema's element order wants them)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from openpyxl.utils import get_column_letter, range_boundaries

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="([^"]*)"[^>]*?/>')
_COLS = re.compile(rb"<cols\b[^>]*>(.*?)</cols>", re.S)
_COL = re.compile(rb"<col\b([^>]*?)/>")
_MIN_MAX = re.compile(rb'\b(min|max)="(\d+)"')
_AUTO_FILTER = re.compile(rb'<autoFilter\b[^>]*?\bref="([^"]*)"')
# CT_Worksheet's children after <sheetData>, in schema order, from the first one an <autoFilter> precedes
_AFTER_FILTER = [
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
]
_AFTER_LEGACY = _AFTER_FILTER[_AFTER_FILTER.index("legacyDrawingHF") :]


_SHEET_PR = re.compile(rb"<sheetPr\b[^>]*?(/?)>")
_WORKSHEET = re.compile(rb"<worksheet\b[^>]*>")
_PAGE_SETUP = re.compile(rb"<pageSetup\b([^>]*?)/>")
FIT_TO_PAGE = b'<pageSetUpPr fitToPage="1"/>'
PAGE_SETUP = b'<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'


def fit_to_width_head(head: bytes) -> tuple[bytes, bool]:
    """Print set-up, first half (the sheet's head): turn on fit-to-page in <sheetPr> unless the sheet has its
    own page set-up properties. Returns the head and whether the tail's <pageSetup> is ours to set."""
    if b"<pageSetUpPr" in head:
        return head, False
    found = _SHEET_PR.search(head)
    if found is None:
        opening = _WORKSHEET.search(head)
        if opening is None:
            return head, False
        return head[: opening.end()] + b"<sheetPr>" + FIT_TO_PAGE + b"</sheetPr>" + head[
            opening.end() :
        ], True
    if found.group(1):  # <sheetPr .../>: pageSetUpPr is its last child
        element = found.group(0)[:-2] + b">" + FIT_TO_PAGE + b"</sheetPr>"
        return head[: found.start()] + element + head[found.end() :], True
    close = head.index(b"</sheetPr>", found.end())
    return head[:close] + FIT_TO_PAGE + head[close:], True


def fit_to_width_tail(tail: bytes) -> bytes:
    """Print set-up, second half: landscape (the appended columns make the sheet wider), one page wide and as
    many tall as it takes. The sheet's own paper size, margins and print options are kept."""
    found = _PAGE_SETUP.search(tail)
    if found is None and b"<pageSetup" in tail:  # an unusual open/close form: the sheet's own, kept as it is
        return tail
    if found is None:
        return _insert_before(tail, _AFTER_FILTER[_AFTER_FILTER.index("headerFooter") :], PAGE_SETUP)
    attributes = re.sub(rb'\s(?:fitToWidth|fitToHeight|scale|orientation)="[^"]*"', b"", found.group(1))
    element = b"<pageSetup" + attributes + b' orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    return tail[: found.start()] + element + tail[found.end() :]


def dimension_bounds(head: bytes) -> tuple[int, int] | None:
    """(last column, last row) from the sheet's <dimension ref="A1:L900">, when it gives a range."""
    match = _DIMENSION.search(head)
    if match is None or b":" not in match.group(1):
        return None
    try:
        _c1, _r1, last_column, last_row = range_boundaries(match.group(1).decode())
    except (ValueError, TypeError):
        return None
    return (last_column or 0), (last_row or 0)


def edit_head(head: bytes, last_column: int, last_row: int, widths: Sequence[float], first: int) -> bytes:
    """Widen <dimension> to the appended columns and give them their widths in <cols>."""

    def widen(match: re.Match[bytes]) -> bytes:
        ref = match.group(1).decode()
        c1, r1, c2, r2 = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
        span = f"{get_column_letter(c1 or 1)}{r1 or 1}:{get_column_letter(max(c2 or 1, last_column))}"
        return match.group(0).replace(match.group(1), f"{span}{max(r2 or 1, last_row)}".encode())

    head = _DIMENSION.sub(widen, head, count=1)
    ours = b"".join(
        b'<col min="%d" max="%d" width="%s" customWidth="1"/>' % (first + i, first + i, str(w).encode())
        for i, w in enumerate(widths)
    )
    cols = _COLS.search(head)
    if cols is None:
        return head + b"<cols>" + ours + b"</cols>"
    kept = _split_cols(cols.group(1), first, first + len(widths) - 1, ours)
    return head[: cols.start()] + b"<cols>" + kept + b"</cols>" + head[cols.end() :]


def _split_cols(inner: bytes, first: int, last: int, ours: bytes) -> bytes:
    """The sheet's <col> ranges cut around columns first..last, ours between them, in order."""
    before, after = [], []
    for match in _COL.finditer(inner):
        attributes = match.group(1)
        bounds = {k.decode(): int(v) for k, v in _MIN_MAX.findall(attributes)}
        low, high = bounds.get("min", 1), bounds.get("max", bounds.get("min", 1))
        if low < first:
            before.append(_with_range(attributes, low, min(high, first - 1)))
        if high > last:
            after.append(_with_range(attributes, max(low, last + 1), high))
    return b"".join(before) + ours + b"".join(after)


def _with_range(attributes: bytes, low: int, high: int) -> bytes:
    attributes = re.sub(rb'\bmin="\d+"', b'min="%d"' % low, attributes)
    attributes = re.sub(rb'\bmax="\d+"', b'max="%d"' % high, attributes)
    return b"<col" + attributes + b"/>"


def filter_ref(tail: bytes) -> str | None:
    match = _AUTO_FILTER.search(tail)
    return match.group(1).decode() if match else None


def edit_tail(tail: bytes, new_filter: str | None, legacy_rel: str | None) -> bytes:
    """Set the sheet's autofilter to `new_filter` (replacing its ref, or a new element) and add a
    <legacyDrawing> pointing at relationship `legacy_rel` (the notes' VML)."""
    if new_filter is not None:
        match = _AUTO_FILTER.search(tail)
        if match is not None:
            start, end = match.span(1)
            tail = tail[:start] + new_filter.encode() + tail[end:]
        else:
            tail = _insert_before(tail, _AFTER_FILTER, b'<autoFilter ref="%s"/>' % new_filter.encode())
    if legacy_rel is not None:
        element = b'<legacyDrawing xmlns:r="%s" r:id="%s"/>' % (REL_NS.encode(), legacy_rel.encode())
        tail = _insert_before(tail, _AFTER_LEGACY, element)
    return tail


def _insert_before(tail: bytes, names: Sequence[str], element: bytes) -> bytes:
    pattern = re.compile(rb"<(?:%s)\b|</worksheet>" % b"|".join(n.encode() for n in names))
    match = pattern.search(tail)
    at = match.start() if match else len(tail)
    return tail[:at] + element + tail[at:]
