"""The annotated copy, streamed: the charge sheet rewritten in one pass, a few small parts patched, the
side workbook's sheets grafted in, every other part copied as its compressed bytes."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from openpyxl.utils import get_column_letter, quote_sheetname, range_boundaries

from rvucheck.annotate.inject import render_cell
from rvucheck.annotate.plan import Annotations
from rvucheck.annotate.stream import notes as notes_part
from rvucheck.annotate.stream.graft import Graft, graft
from rvucheck.annotate.stream.package import (
    COMMENTS,
    CT_COMMENTS,
    CT_VML,
    TABLE,
    VML,
    WORKSHEET,
    Rel,
    add_content_types,
    add_rels,
    add_sheets,
    defined_name,
    parse_rels,
    rels_name,
    unique_part,
    workbook_sheets,
)  # fmt: skip
from rvucheck.annotate.stream.sheet import SheetPlan, SheetTooWide, rewrite_sheet, widest_column
from rvucheck.annotate.stream.styles import StyleBook
from rvucheck.annotate.stream.tables import grow_table, table_facts
from rvucheck.annotate.stream.tail import dimension_bounds, edit_head, edit_tail, filter_ref
from rvucheck.annotate.stream.zipraw import CHUNK, RawZipWriter

APPENDED = (  # title, number format, alignment, width (room for the title and the filter button)
    ("Work RVU", "0.00", None, 12),
    ("Credited wRVU", "0.00", None, 16),
    ("Total RVU", "0.00", None, 12),
    ("Est. Payment", '"$"#,##0.00', None, 15),
    ("Global", None, {"horizontal": "center"}, 9),
    ("Status", None, {"horizontal": "center"}, 9),
    ("Severity", None, {"horizontal": "center"}, 11),
    ("Findings", None, {"wrapText": "1"}, 80),  # several findings on a line wrap inside the cell
)
SEVERITY_RGB = {"error": "FFFFC7CE", "warning": "FFFFEB9C", "info": "FFDDEBF7"}
HEADER_RGB = "FFD9D9D9"
TOTALS_TEXT = "totals row: reported, not checked"
_DATE1904 = re.compile(rb'<(?:\w+:)?workbookPr\b[^>]*?\bdate1904="(?:1|true)"')


class Package:
    """The input package open for reading: its parts by name, the workbook and its sheets."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.archive = zipfile.ZipFile(raw)
        self.infos = {info.filename: info for info in self.archive.infolist()}
        root_rels = parse_rels(self.read_optional("_rels/.rels"), "")
        self.workbook = next(
            (r.target for r in root_rels if r.type.endswith("/officeDocument")), "xl/workbook.xml"
        )
        self.workbook_rels = parse_rels(self.read_optional(rels_name(self.workbook)), self.workbook)
        targets = {r.id: r.target for r in self.workbook_rels}
        self.workbook_xml = self.archive.read(self.workbook)
        self.sheets = [(name, targets.get(rel, "")) for name, rel in workbook_sheets(self.workbook_xml)]
        self.date1904 = bool(_DATE1904.search(self.workbook_xml))

    def read_optional(self, name: str) -> bytes | None:
        return self.archive.read(name) if name in self.infos else None

    def chunks(self, name: str) -> Iterator[bytes]:
        with self.archive.open(name) as reader:
            while chunk := reader.read(CHUNK):
                yield chunk

    def sheet_part(self, sheet: str) -> tuple[int, str]:
        for index, (name, part) in enumerate(self.sheets):
            if name == sheet:
                return index, part
        raise KeyError(sheet)


def write_copy(
    source: Path, target: Path, annotations: Annotations, side: Callable[[set[str], bool], bytes]
) -> None:
    """Write the annotated copy of `source` to `target`. `side(sheet names, date1904)` gives the side
    workbook (saved bytes) whose sheets beyond those names are added."""
    with source.open("rb") as raw:
        package = Package(raw)
        try:
            _write(package, target, annotations, side, width=None)
        except SheetTooWide:  # the sheet's <dimension> was smaller than its cells: scan for the width
            _index, part = package.sheet_part(annotations.sheet)
            _write(package, target, annotations, side, width=widest_column(package.chunks(part)))


def _width(package: Package, part: str) -> int:
    head = b""
    for chunk in package.chunks(part):
        head += chunk
        if b"<sheetData" in head or len(head) > 1 << 16:
            break
    bounds = dimension_bounds(head)
    return bounds[0] if bounds is not None else widest_column(package.chunks(part))


def _write(
    package: Package,
    target: Path,
    annotations: Annotations,
    side: Callable[[set[str], bool], bytes],
    width: int | None,
) -> None:
    index, part = package.sheet_part(annotations.sheet)
    first = max(width if width is not None else _width(package, part), annotations.header_count) + 1
    last = first + len(APPENDED) - 1
    styles_part = next(r.target for r in package.workbook_rels if r.type.endswith("/styles"))
    styles = StyleBook(package.archive.read(styles_part))
    sheet_rels = parse_rels(package.read_optional(rels_name(part)), part)
    cells, fills = _render(annotations, styles, first)
    plan = SheetPlan(first, cells, fills, styles.twin, header_row=annotations.header_row,
                     header=_header_cells(styles, annotations.header_row, first))  # fmt: skip
    changed: dict[str, bytes] = {}
    filter_range, table_covers = _tables(package, sheet_rels, annotations, first, last, changed)
    last_row = max(annotations.last_row, annotations.header_row, *annotations.totals_rows, 0)
    legacy = _notes(package, part, sheet_rels, annotations, changed)
    graft_result = _graft(package, side, styles)
    with target.open("w+b") as out:
        writer = RawZipWriter(out)
        with writer.open(part, package.infos[part], level=3) as entry:
            # the charge sheet is most of the package: level 3 packs it twice as fast as 6, ~15% larger

            def tail(data: bytes) -> bytes:
                nonlocal filter_range
                current = filter_ref(data)
                if current is not None:
                    c1, r1, _c2, r2 = range_boundaries(current)
                    filter_range = (
                        f"{get_column_letter(c1 or 1)}{r1}:{get_column_letter(last)}{max(r2 or 0, last_row)}"
                        if r1 == annotations.header_row else None
                    )  # fmt: skip
                elif table_covers:
                    filter_range = None
                return edit_tail(data, filter_range, legacy)

            widths = [w for *_rest, w in APPENDED]
            rewrite_sheet(package.chunks(part), entry.write, plan,
                          lambda head: edit_head(head, last, last_row, widths, first), tail)  # fmt: skip
        changed[styles_part] = styles.tobytes()
        _patch_workbook(package, index, graft_result, filter_range, annotations.sheet, changed)
        for name, info in package.infos.items():
            if name != part and name not in changed:
                writer.copy(package.archive, package.raw, info)
        for name, data in {**changed, **graft_result.parts}.items():
            writer.write(name, data, package.infos.get(name))
        writer.close()


def _render(
    annotations: Annotations, styles: StyleBook, first: int
) -> tuple[dict[int, bytes], dict[int, int]]:
    """Each row's appended cells as XML, and the fill of each flagged row."""
    letters = [get_column_letter(first + i) for i in range(len(APPENDED))]
    fill_ids = {severity: styles.fill(rgb) for severity, rgb in SEVERITY_RGB.items()}
    ids: dict[str | None, list[int]] = {}
    cells: dict[int, bytes] = {}
    fills: dict[int, int] = {}
    for row, values, severity in annotations.rows:
        if severity not in ids:
            fill = fill_ids[severity] if severity else 0
            ids[severity] = [styles.add_style(fmt, fill=fill, align=align) for _t, fmt, align, _w in APPENDED]
        own = ids[severity]
        cells[row] = "".join(
            render_cell(f"{letters[i]}{row}", own[i], value)
            for i, value in enumerate(values)
            if value is not None and value != ""
        ).encode()
        if severity:
            fills[row] = fill_ids[severity]
    if annotations.totals_rows:
        plain = styles.add_style(None, align={"wrapText": "1"})
        for row in annotations.totals_rows:
            cells[row] = cells.get(row, b"") + render_cell(f"{letters[-1]}{row}", plain, TOTALS_TEXT).encode()
    return cells, fills


_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)\d+"[^>]*?>')
_STYLE_ID = re.compile(rb'\bs="(\d+)"')


def _header_cells(styles: StyleBook, header_row: int, first: int) -> Callable[[bytes], bytes]:
    """The appended headers, given the header row's own cells: styled like its last header cell when
    that one is bold or filled, else bold on grey."""
    letter_before = get_column_letter(first - 1).encode() if first > 1 else b""

    def render(body: bytes) -> bytes:
        style = None
        for match in _CELL_REF.finditer(body):
            if match.group(1) == letter_before:
                found = _STYLE_ID.search(match.group(0))
                style = int(found.group(1)) if found else 0
        if style is None or not styles.looks_like_header(style):
            style = styles.add_style(None, font=styles.bold_font(), fill=styles.fill(HEADER_RGB))
        return "".join(
            render_cell(f"{get_column_letter(first + i)}{header_row}", style, title)
            for i, (title, *_rest) in enumerate(APPENDED)
        ).encode()

    return render


def _tables(
    package: Package,
    sheet_rels: list[Rel],
    annotations: Annotations,
    first: int,
    last: int,
    changed: dict[str, bytes],
) -> tuple[str | None, bool]:
    """Grow the tables over the export's header; (a new filter's range, or None; whether a table covers
    the header row: it has its own filter then)."""
    header_row = annotations.header_row
    covers = False
    for rel in sheet_rels:
        if rel.type != TABLE or rel.target not in package.infos:
            continue
        data = package.archive.read(rel.target)
        _c1, r1, c2, r2, _name = table_facts(data)
        if r1 <= header_row <= r2:
            covers = True
            if r1 == header_row and c2 == first - 1:
                changed[rel.target] = grow_table(data, last, [title for title, *_rest in APPENDED])
    end_row = max(annotations.last_row, header_row)
    return (None if covers else f"A{header_row}:{get_column_letter(last)}{end_row}"), covers


def _notes(
    package: Package, part: str, sheet_rels: list[Rel], annotations: Annotations, changed: dict[str, bytes]
) -> str | None:
    """Write the notes into the sheet's comments + VML (new or merged); the id of a new legacyDrawing
    relationship the sheet must point at (None when it already has one, or there are no notes)."""
    if not annotations.notes:
        return None
    comments = next((r.target for r in sheet_rels if r.type == COMMENTS and r.target in package.infos), None)
    vml = next((r.target for r in sheet_rels if r.type == VML and r.target in package.infos), None)
    vml_parts = [package.archive.read(n) for n in package.infos if n.lower().endswith(".vml")]
    taken = set(package.infos)
    added: list[tuple[str, str]] = []
    if comments is None:
        comments = unique_part("xl/comments1.xml", taken)
        added.append((COMMENTS, comments))
    new_vml = vml is None
    if vml is None:
        vml = unique_part("xl/drawings/vmlDrawing1.vml", taken)
        added.append((VML, vml))
    comments_xml, vml_data = notes_part.write_notes(
        annotations.notes, package.read_optional(comments), package.read_optional(vml),
        notes_part.used_blocks(vml_parts) + 1,
    )  # fmt: skip
    changed[comments] = comments_xml
    changed[vml] = vml_data
    if not added:
        return None
    changed[rels_name(part)], ids = add_rels(package.read_optional(rels_name(part)), part, added)
    changed["[Content_Types].xml"] = add_content_types(
        changed.get("[Content_Types].xml") or package.archive.read("[Content_Types].xml"),
        {comments: CT_COMMENTS} if comments not in package.infos else {},
        {"vml": CT_VML},
    )
    return ids[-1] if new_vml else None


def _graft(package: Package, side: Callable[[set[str], bool], bytes], styles: StyleBook) -> Graft:
    names = {name for name, _part in package.sheets}
    tables = set()
    table_ids = 0
    for name in package.infos:
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            _c1, _r1, _c2, _r2, display = table_facts(package.archive.read(name))
            tables.add(display.casefold())
            found = re.search(rb'<table\b[^>]*?\bid="(\d+)"', package.archive.read(name))
            table_ids = max(table_ids, int(found.group(1)) if found else 0)
    return graft(side(names, package.date1904), names, styles, set(package.infos), tables, table_ids)


_FILTER_NAME = re.compile(
    rb'<definedName\b[^>]*?name="_xlnm\._FilterDatabase"[^>]*?localSheetId="(\d+)"[^>]*>[^<]*</definedName>'
)


def _patch_workbook(
    package: Package,
    index: int,
    grafted: Graft,
    filter_range: str | None,
    sheet: str,
    changed: dict[str, bytes],
) -> None:
    """workbook.xml (new sheets, their defined names, the filter's name), its relationships and the
    content types for the grafted parts."""
    workbook_rels = rels_name(package.workbook)
    rels_data, ids = add_rels(package.read_optional(workbook_rels), package.workbook,
                              [(WORKSHEET, part) for _name, part in grafted.sheets])  # fmt: skip
    changed[workbook_rels] = rels_data
    offset = len(package.sheets)
    names = [defined_name(name, offset + at, text.decode(), hidden=name.startswith("_xlnm._Filter"))
             for name, at, text in grafted.names]  # fmt: skip
    workbook = package.workbook_xml
    if filter_range is not None:
        c1, r1, c2, r2 = range_boundaries(filter_range)
        absolute = (
            f"{quote_sheetname(sheet)}!${get_column_letter(c1 or 1)}${r1}:${get_column_letter(c2 or 1)}${r2}"
        )
        element = defined_name("_xlnm._FilterDatabase", index, absolute, hidden=True)
        own = [m for m in _FILTER_NAME.finditer(workbook) if int(m.group(1)) == index]
        if own:
            workbook = workbook[: own[0].start()] + element + workbook[own[0].end() :]
        else:
            names.append(element)
    changed[package.workbook] = add_sheets(
        workbook, [(name, rel) for (name, _p), rel in zip(grafted.sheets, ids, strict=True)], names
    )
    changed["[Content_Types].xml"] = add_content_types(
        changed.get("[Content_Types].xml") or package.archive.read("[Content_Types].xml"), grafted.types, {}
    )
