"""What a workbook package says beyond its cell values, found in one pass over its parts.

The reader needs the date system, hidden rows and formulas without a saved value (calamine does not say);
the annotated copy needs to know what the package holds beyond cells and formats, because openpyxl keeps
cells, formulas, styles, charts, tables, data validation, conditional formats, comments, defined names,
hyperlinks, pivot tables and (with Pillow) images, and drops sparklines and other x14 extensions (2010 data
bars, x14 validations/conditional formats), shapes and text boxes in drawings, slicers and timelines, form
controls and ActiveX, threaded comments, Excel data models and query connections, custom XML parts and macro
sheets. `package_facts` collects both while `read.safety.check_input` has the package open to validate it,
so nothing opens it again for another look.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from lxml import etree  # type: ignore[import-untyped]

from rvucheck.model import PackageContents

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_INLINE_RICH = b"<is><r>"  # an inline string with formatting runs (some generators write them)
# A sheet is read as a dense grid (calamine, then Python lists) from A1 to its last cell: one stray cell at
# XFD1048576 asks for 17 billion cells, so the extent is measured from the XML first and refused when it is
# far more than the cells the sheet holds. Any sheet may reach MAX_SHEET_CELLS; a sheet at least 1/DENSITY
# full may reach DENSITY x its cells, up to MAX_DENSE_CELLS (a month of 1,000,000 lines x 20 columns is
# 20M cells the file really holds; the same extent from a stray cell at XFD1220 holds a few thousand).
# RVUCHECK_MAX_CELLS sets one budget for every sheet instead.
_CELLS = os.environ.get("RVUCHECK_MAX_CELLS", "")
MAX_SHEET_CELLS = int(_CELLS) if _CELLS.isdigit() else 20_000_000  # a malformed setting keeps the default
DENSITY = 4
MAX_DENSE_CELLS = MAX_SHEET_CELLS if _CELLS.isdigit() else 60_000_000  # ~1M lines x 60 columns
# openpyxl makes an object per merged cell when it loads a workbook for the annotated copy.
MAX_MERGED_CELLS = 1_000_000

# part-name prefix -> what the user would lose
_LOST_PARTS = (
    ("xl/slicers/", "slicers"),
    ("xl/slicerCaches/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/timelineCaches/", "timelines"),
    ("xl/ctrlProps/", "form controls"),
    ("xl/activeX/", "ActiveX controls"),
    ("xl/threadedComments/", "threaded comments (replies)"),
    ("xl/persons/", "threaded comments (replies)"),
    ("xl/model/", "a data model (Power Pivot)"),
    ("xl/connections.xml", "data connections (Power Query)"),
    ("xl/queryTables/", "query tables"),
    ("customXml/", "custom XML parts"),
    ("xl/macrosheets/", "Excel 4 macro sheets"),
    ("xl/dialogsheets/", "dialog sheets"),
    ("xl/webextensions/", "Office add-in parts"),
)
_SHEET_MARKERS = (
    (b"sparklineGroup", "sparklines"),
    (b"x14:conditionalFormatting", "Excel 2010 conditional formats (data bars, icon sets)"),
    (b"x14:dataValidation", "Excel 2010 data validation lists"),
    (b"x14:slicerList", "slicers"),
    (b"mc:AlternateContent", "embedded controls or objects"),
)
_DRAWING_MARKERS = (
    (re.compile(rb"<(?:\w+:)?sp[ >]"), "shapes or text boxes"),
    (re.compile(rb"<(?:\w+:)?grpSp[ >]"), "grouped shapes"),
    (re.compile(rb"<(?:\w+:)?cxnSp[ >]"), "connector lines"),
)


@dataclass(frozen=True)
class SheetExtras:
    hidden_rows: frozenset[int] = frozenset()  # 1-based
    formulas_without_value: frozenset[tuple[int, int]] = frozenset()  # 1-based (row, column)
    error_cells: tuple[tuple[tuple[int, int], str], ...] = ()  # 1-based (row, column) -> "#REF!"
    extent: tuple[int, int] = (0, 0)  # last row, last column holding a cell (what a dense read allocates)
    merged_cells: int = 0  # cells covered by merged ranges
    cells: int = 0  # cells the sheet's XML holds (the extent's budget scales with them)
    part: str = ""  # the sheet's part name in the package ("xl/worksheets/sheet1.xml")
    size: int = 0  # its uncompressed size in bytes


@dataclass(frozen=True)
class PackageFacts:
    """What the package XML says and calamine does not: the date system, and per worksheet its hidden
    rows and its formulas without a saved value."""

    date1904: bool
    sheets: dict[str, SheetExtras]
    contents: PackageContents | None  # None: not looked for (`package_facts(features=False)`)


def package_facts(archive: zipfile.ZipFile, features: bool = True) -> PackageFacts:
    """The facts of an open package, in the pass that validates it (so nothing opens it again for them).
    Every worksheet is scanned: the charge sheet is only chosen later, and exports have one or two.
    `features=False` (a run that writes no copy): what the package holds beyond cells is not looked for
    (no marker, drawing or shared-string scans: `contents` is None)."""
    workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    rels_part = "xl/_rels/workbook.xml.rels"  # without it no sheet is named; parts are scanned by name
    rels = etree.fromstring(
        archive.read(rels_part) if rels_part in archive.namelist() else b"<Relationships/>"
    )
    pr = workbook.find(f"{{{NS_MAIN}}}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
    names = archive.namelist()
    sheets: dict[str, SheetExtras] = {}
    found: dict[str, None] = {}
    scanned: set[str] = set()
    inline_rich = False
    for sheet in workbook.iter(f"{{{NS_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{NS_REL}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        if part in names:
            extras, markers = _sheet_extras(archive, part, features)
            sheets[sheet.get("name", "")] = replace(extras, part=part, size=archive.getinfo(part).file_size)
            if not features:
                continue
            found.update(dict.fromkeys(what for marker, what in _SHEET_MARKERS if marker in markers))
            if extras.merged_cells > MAX_MERGED_CELLS:
                found[f"merged ranges over {extras.merged_cells:,} cells, far beyond the data"] = None
            scanned.add(part)
            inline_rich = inline_rich or _INLINE_RICH in markers
    if not features:
        return PackageFacts(date1904, sheets, None)
    return PackageFacts(date1904, sheets, _contents(archive, names, scanned, found, inline_rich))


SCAN_CHUNK = 16 << 20  # a sheet's XML is scanned in pieces of whole rows (1M lines: 640 MB, read whole twice)


def _sheet_extras(archive: zipfile.ZipFile, part: str, features: bool) -> tuple[SheetExtras, set[bytes]]:
    """One worksheet's extras and the markers it holds, scanned in pieces that end after a `</row>` (every
    search below looks inside one row, or after the rows: a piece never cuts what it looks for)."""
    hidden: set[int] = set()
    formulas: set[tuple[int, int]] = set()
    errors: dict[tuple[int, int], str] = {}
    rows = columns = merged = cells = 0
    markers: set[bytes] = set()
    needles = (*(marker for marker, _ in _SHEET_MARKERS), _INLINE_RICH) if features else ()

    def scan(data: bytes) -> None:
        nonlocal rows, columns, merged, cells
        hidden.update(_hidden_rows(data))
        formulas.update(_formulas_without_value(data))
        errors.update(_error_cells(data))
        last_row, last_column = _extent(data)
        rows, columns = max(rows, last_row), max(columns, last_column)
        merged += _merged_cells(data) if features else 0
        cells += _cell_count(data)
        markers.update(needle for needle in needles if needle in data)

    for piece in row_pieces(archive, part):
        scan(piece)
    extras = SheetExtras(
        frozenset(hidden), frozenset(formulas), tuple(errors.items()), (rows, columns), merged, cells
    )
    return extras, markers


def row_pieces(archive: zipfile.ZipFile, part: str, size: int = SCAN_CHUNK) -> Iterator[bytes]:
    """A part's bytes in pieces of about `size` that end after a `</row>` (a prefixed `</x:row>` too), the
    last piece holding the rest: no row is ever cut between two pieces. At least one piece is yielded."""
    with archive.open(part) as stream:
        buffer = b""
        while chunk := stream.read(size):
            buffer += chunk
            cut = _last_row_end(buffer) if len(buffer) >= size else -1
            if cut != -1:
                yield buffer[: cut + 4]
                buffer = buffer[cut + 4 :]
        yield buffer


_ROW_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row>")


def _last_row_end(buffer: bytes) -> int:
    """Where the last `</row>` or `</x:row>` in `buffer` starts its `row>` (-1: none)."""
    cut = buffer.rfind(b"row>")
    while cut != -1:
        start = buffer.rfind(b"</", max(cut - 40, 0), cut)
        end = _ROW_END.match(buffer, start) if start != -1 else None
        if end is not None and end.end() == cut + 4:
            return cut
        cut = buffer.rfind(b"row>", 0, cut)
    return -1


_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_CELL_START = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"')
_HAS_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")


def _hidden_rows(data: bytes) -> set[int]:
    rows: set[int] = set()
    position = data.find(b'hidden="1"')
    while position != -1:
        start = data.rfind(b"<", 0, position)
        match = _ROW_NUMBER.match(data, start)
        if match and data.find(b">", start) > position:
            rows.add(int(match.group(1)))
        position = data.find(b'hidden="1"', position + 1)
    return rows


def _formulas_without_value(data: bytes) -> set[tuple[int, int]]:
    """Cells with a formula (`<f>`, `<f ...>`, `<f/>`) and no saved value: one search for `<f`, not one
    per form of the tag."""
    cells: set[tuple[int, int]] = set()
    position = data.find(b"<f")
    while position != -1:
        if data[position + 2 : position + 3] in (b">", b" ", b"/"):
            start = data.rfind(b"<c ", 0, position)
            end = data.find(b"</c>", position)
            match = _CELL_START.match(data, start) if start != -1 else None
            if match and end != -1 and not _HAS_VALUE.search(data, position, end):
                cells.add((int(match.group(2)), _column_number(match.group(1).decode())))
        position = data.find(b"<f", position + 2)
    return cells


_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]{1,20})</(?:\w+:)?v>")


def _error_cells(data: bytes) -> tuple[tuple[tuple[int, int], str], ...]:
    """Cells of type "e" (a formula that failed: #REF!, #N/A ...), which calamine reads as empty."""
    cells: dict[tuple[int, int], str] = {}
    position = data.find(b't="e"')
    while position != -1:
        start = data.rfind(b"<", 0, position)
        match = _CELL_START.match(data, start) if start != -1 else None
        end = data.find(b"</", position)
        value = _ERROR_VALUE.search(data, position, data.find(b"</c>", position) + 4) if end != -1 else None
        if match and data.find(b">", start) > position:
            text = value.group(1).decode("ascii", "replace") if value else "#VALUE!"
            cells[(int(match.group(2)), _column_number(match.group(1).decode()))] = text
        position = data.find(b't="e"', position + 1)
    return tuple(cells.items())


_REF_ATTRIBUTE = re.compile(rb'[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_RANGE = re.compile(rb'\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')


_ANY_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')


def _extent(data: bytes) -> tuple[int, int]:
    """The last row and column a dense read of the sheet reaches: the last cell of each row (cells are in
    column order within a row, as the format requires), found with byte searches, not a parse. A sheet
    written with a namespace prefix (`<x:c>`, which calamine reads too) is searched cell by cell."""
    if b":c " in data:
        rows_columns = [
            (int(m.group(2)), _column_number(m.group(1).decode())) for m in _ANY_CELL.finditer(data)
        ]
        return (max(r for r, _ in rows_columns), max(c for _, c in rows_columns)) if rows_columns else (0, 0)
    # each row's text (up to its `</row>`; what follows the last one is no row) cut in C, then its last
    # cell's reference: one comprehension, not a loop of finds over the piece (100k rows: 0.2 s -> 0.1 s)
    rows = data.split(b"</row>")
    del rows[-1]
    match = _REF_ATTRIBUTE.match
    last_cells = [
        found.groups()
        for row in rows
        if (cell := row.rfind(b"<c ")) != -1 and (found := match(row, cell + 2))
    ]
    if not last_cells:
        return 0, 0
    last_row = max(map(int, [number for _, number in last_cells]))
    return last_row, max(map(_column_number, {letters.decode() for letters, _ in last_cells}))


def _cell_count(data: bytes) -> int:
    """How many cells the sheet's XML holds (`<c ` or a prefixed `<x:c `), counted in C."""
    return data.count(b"<c ") + (data.count(b":c ") if b":c " in data else 0)


def allowed_cells(extras: SheetExtras) -> int:
    """The dense extent a sheet may reach (see MAX_SHEET_CELLS)."""
    return max(MAX_SHEET_CELLS, min(DENSITY * extras.cells, MAX_DENSE_CELLS))


def _merged_cells(data: bytes) -> int:
    cells = 0
    position = data.find(b"<mergeCell ")
    while position != -1:
        match = _RANGE.search(data, position, data.find(b">", position) + 1)
        if match and match.group(3):
            first, last = _column_number(match.group(1).decode()), _column_number(match.group(3).decode())
            rows = abs(int(match.group(4)) - int(match.group(2))) + 1
            columns = abs(last - first) + 1
            cells += rows * columns
        position = data.find(b"<mergeCell ", position + 1)
    return cells


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _stream_has(archive: zipfile.ZipFile, name: str, needles: tuple[bytes, ...]) -> set[bytes]:
    found: set[bytes] = set()
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            found.update(n for n in needles if n in window)
            tail = chunk[-64:]
    return found


# A package whose parts cannot be parsed may hold anything: a copy of it cannot be trusted to be lossless.
UNREADABLE_PARTS = PackageContents(("parts rvucheck could not read",))


def package_contents(path: Path | str) -> PackageContents:
    """The contents of a workbook on its own (when no validating pass collected them)."""
    try:
        with zipfile.ZipFile(path) as archive:
            contents = package_facts(archive).contents
    except Exception:  # lxml, zipfile and KeyError for missing parts: the copy becomes a report workbook
        return UNREADABLE_PARTS
    assert contents is not None  # looked for by default
    return contents


def _contents(
    archive: zipfile.ZipFile,
    names: list[str],
    scanned: set[str],
    features: dict[str, None],
    inline_rich: bool,
) -> PackageContents:
    """Everything beyond cells: the lost-part prefixes, markers in worksheets not read above (a sheet part
    no relationship names), drawings with shapes, images, and formatted text runs (shared or inline)."""
    needles = (*(marker for marker, _ in _SHEET_MARKERS), _INLINE_RICH)
    for name in names:
        features.update(dict.fromkeys(what for prefix, what in _LOST_PARTS if name.startswith(prefix)))
        if name.startswith("xl/worksheets/sheet") and name.endswith(".xml") and name not in scanned:
            hits = _stream_has(archive, name, needles)
            features.update(dict.fromkeys(what for marker, what in _SHEET_MARKERS if marker in hits))
            inline_rich = inline_rich or _INLINE_RICH in hits
        elif name.startswith("xl/drawings/drawing") and name.endswith(".xml"):
            data = archive.read(name)
            features.update(dict.fromkeys(what for pattern, what in _DRAWING_MARKERS if pattern.search(data)))
    images = any(n.startswith("xl/media/") for n in names)
    shared = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b""
    rich = b"<r>" in shared or b"<r " in shared or inline_rich
    return PackageContents(tuple(features), images, rich)
