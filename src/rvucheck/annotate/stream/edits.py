"""The small parts the annotated copy changes besides the charge sheet: the tables over it, its notes
(comments + VML), the grafted sheets' plumbing, workbook.xml, its relationships and the content types."""

from __future__ import annotations

import re
from collections.abc import Callable

from openpyxl.utils import get_column_letter, quote_sheetname, range_boundaries

from rvucheck.annotate.late_rows import Side
from rvucheck.annotate.plan import Annotations
from rvucheck.annotate.stream import notes as notes_part
from rvucheck.annotate.stream.graft import Graft, Part, graft
from rvucheck.annotate.stream.package import (
    COMMENTS,
    CT_COMMENTS,
    CT_VML,
    TABLE,
    VML,
    WORKSHEET,
    Package,
    Rel,
    add_content_types,
    add_rels,
    add_sheets,
    defined_name,
    rels_name,
    unique_part,
)  # fmt: skip
from rvucheck.annotate.stream.styles import StyleBook
from rvucheck.annotate.stream.tables import grow_table, table_facts


def tables(
    package: Package,
    sheet_rels: list[Rel],
    annotations: Annotations,
    span: tuple[int, int],
    titles: list[str],
    changed: dict[str, Part],
) -> tuple[str | None, bool]:
    """Grow the tables over the export's header (`span`: the appended columns, `titles` their names);
    (a new filter's range, or None; whether a table covers the header row: it has its own filter then)."""
    first, last = span
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
                changed[rel.target] = grow_table(data, last, titles)
    end_row = max(annotations.last_row, header_row)
    return (None if covers else f"A{header_row}:{get_column_letter(last)}{end_row}"), covers


def notes(
    package: Package, part: str, sheet_rels: list[Rel], annotations: Annotations, changed: dict[str, Part]
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
        _current(package, changed, "[Content_Types].xml"),
        {comments: CT_COMMENTS} if comments not in package.infos else {},
        {"vml": CT_VML},
    )
    return ids[-1] if new_vml else None


def _current(package: Package, changed: dict[str, Part], name: str) -> bytes:
    """A part as changed so far (the small parts changed are bytes), or as the package has it."""
    data = changed.get(name)
    return data if isinstance(data, bytes) else package.archive.read(name)


def graft_side(package: Package, side: Callable[[set[str], bool], Side], styles: StyleBook) -> Graft:
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


_PRINT_TITLES = re.compile(rb'<definedName\b[^>]*?name="_xlnm\.Print_Titles"[^>]*?localSheetId="(\d+)"')


def patch_workbook(
    package: Package,
    index: int,
    grafted: Graft,
    filter_range: str | None,
    annotations: Annotations,
    changed: dict[str, Part],
) -> None:
    """workbook.xml (new sheets, their defined names, the filter's name, the charge sheet's print titles),
    its relationships and the content types for the grafted parts."""
    sheet = annotations.sheet
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
    titles = [m for m in _PRINT_TITLES.finditer(workbook) if int(m.group(1)) == index]
    if not titles and annotations.header_row:  # the header row repeats on every printed page
        row = annotations.header_row
        names.append(defined_name("_xlnm.Print_Titles", index, f"{quote_sheetname(sheet)}!${row}:${row}"))
    changed[package.workbook] = add_sheets(
        workbook, [(name, rel) for (name, _p), rel in zip(grafted.sheets, ids, strict=True)], names
    )
    changed["[Content_Types].xml"] = add_content_types(
        _current(package, changed, "[Content_Types].xml"), grafted.types, {}
    )
