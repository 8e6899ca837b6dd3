"""Copy the sheets of a small side workbook (Findings, Summary, ... written by openpyxl) into the package.

Generic over whatever sheets the side workbook has beyond the placeholders named like the input's sheets
(which exist only so its sheet titles come out unique and its links resolve): each new sheet and every part
it reaches through relationships (drawings, charts, images, tables, comments) gets a free part name; its
cells' style ids are shifted into the merged styles.xml, its shared strings become inline strings, its
tables get free ids and names, and its sheet-scoped defined names (print titles, filters) follow it.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree  # type: ignore[import-untyped]

from rvucheck.annotate.late_rows import LateRows, Side, render
from rvucheck.annotate.stream.package import (
    MAIN,
    STYLES,
    WORKSHEET,
    content_types,
    parse_rels,
    rels_name,
    unique_part,
    workbook_sheets,
)
from rvucheck.annotate.stream.safe import parse
from rvucheck.annotate.stream.styles import StyleBook

_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_STYLE = re.compile(rb'(<(?:c|row)\b[^>]*?\bs=")(\d+)(")|(<col\b[^>]*?\bstyle=")(\d+)(")')
_SHARED = re.compile(rb'\bt="s"')
_VALUE = re.compile(rb"<v>(\d+)</v>")
Part = bytes | Callable[[], Iterator[bytes]]  # a part's content, or its chunks, made as it is written


@dataclass
class Graft:
    parts: dict[str, Part] = field(default_factory=dict)  # new part name -> content
    types: dict[str, str] = field(default_factory=dict)  # new part name -> content type
    sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet name, part name)
    names: list[tuple[str, int, bytes]] = field(default_factory=list)  # (name, index among new sheets, XML)


def graft(
    side: Side, placeholders: set[str], styles: StyleBook, taken: set[str], tables: set[str], table_ids: int
) -> Graft:
    """The side workbook's new sheets as parts for the package (`taken`: its part names; `tables`: its
    table names, casefolded; `table_ids`: the highest table id in it); the rows its sheets left out
    (LateRows) are written into their parts."""
    result = Graft()
    late = {rows.title: rows for rows in side.late}
    with zipfile.ZipFile(io.BytesIO(side.data)) as archive:
        read = archive.read
        names = set(archive.namelist())
        workbook = "xl/workbook.xml"
        rels = parse_rels(read(rels_name(workbook)), workbook)
        targets = {r.id: r.target for r in rels}
        styles_part = next(r.target for r in rels if r.type == STYLES)
        mapping = styles.merge(read(styles_part))
        strings = _shared_strings(read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b"")
        overrides, defaults = content_types(read("[Content_Types].xml"))
        order = workbook_sheets(read(workbook))
        new_sheets = [(name, targets[rel]) for name, rel in order if name not in placeholders]
        renamed: dict[str, str] = {}
        queue = [part for _name, part in new_sheets]
        while queue:  # every part the new sheets reach, renamed once
            part = queue.pop()
            if part in renamed or part not in names:
                continue
            renamed[part] = unique_part(part, taken | set(renamed.values()))
            queue += [
                r.target
                for r in parse_rels(read(rels_name(part)) if rels_name(part) in names else None, part)
                if not r.external
            ]
        sheet_titles = {part: name for name, part in new_sheets}
        for old, new in renamed.items():
            data = read(old)
            content: Part = data
            if old in sheet_titles or old.startswith("xl/worksheets/"):
                content = data = _sheet_cells(data, mapping, strings)
                if sheet_titles.get(old) in late:
                    content = with_rows(data, late[sheet_titles[old]], lambda style: mapping.get(style, 0))
            elif old.startswith("xl/tables/"):
                table_ids += 1
                content = _table(data, table_ids, tables)
            result.parts[new] = content
            result.types[new] = overrides.get(old) or defaults.get(
                old.rsplit(".", 1)[-1].lower(), "application/octet-stream"
            )
            old_rels = rels_name(old)
            if old_rels in names:
                result.parts[rels_name(new)] = _retarget(read(old_rels), old, new, renamed)
        result.sheets = [(name, renamed[part]) for name, part in new_sheets]
        positions = {name: order.index((name, rel)) for name, rel in order}
        new_index = {positions[name]: i for i, (name, _p) in enumerate(new_sheets)}
        for element in parse(read(workbook)).iter(f"{{{MAIN}}}definedName"):
            local = element.get("localSheetId")
            if local is not None and int(local) in new_index:
                result.names.append(
                    (element.get("name", ""), new_index[int(local)], (element.text or "").encode())
                )
    return result


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)\d+(?::([A-Z]+)\d+)?"/>')
_AFTER_LINKS = (  # what follows <hyperlinks> in a worksheet, in the schema's order
    b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter", b"<rowBreaks", b"<colBreaks",
    b"<customProperties", b"<cellWatches", b"<ignoredErrors", b"<smartTags", b"<drawing", b"<legacyDrawing",
    b"<legacyDrawingHF", b"<picture", b"<oleObjects", b"<controls", b"<webPublishItems", b"<tableParts",
    b"<extLst", b"</worksheet>",
)  # fmt: skip


def with_rows(data: bytes, late: LateRows, mapping: Callable[[int], int]) -> Part:
    """The sheet part with the late rows after its own (openpyxl wrote the rows above them: titles,
    header) and their hyperlinks; the dimension reaches the last row. Streamed: the rows are rendered as
    the part is written."""
    if not late.count:
        return data
    end = data.index(b"</sheetData>")
    last = late.first + late.count - 1
    head = _DIMENSION.sub(
        lambda m: b'<dimension ref="A1:' + (m.group(2) or m.group(1)) + str(last).encode() + b'"/>',
        data[:end],
        count=1,
    )
    tail = data[end:]

    def chunks() -> Iterator[bytes]:
        links: list[bytes] = []
        yield head
        yield from render(late, mapping, links)
        yield _with_links(tail, links)

    return chunks


def _with_links(tail: bytes, links: list[bytes]) -> bytes:
    """The sheet's tail (from </sheetData>) with the hyperlink elements in their place."""
    if not links:
        return tail
    block = b"".join(links)
    at = tail.find(b"</hyperlinks>")
    if at == -1:
        at = min(i for i in (tail.find(tag) for tag in _AFTER_LINKS) if i != -1)
        block = b"<hyperlinks>" + block + b"</hyperlinks>"
    return tail[:at] + block + tail[at:]


def _shared_strings(data: bytes) -> list[bytes]:
    """Each shared string's inner XML (<t>, or runs), ready to go into an inline string's <is>."""
    if not data:
        return []
    root = parse(data)
    items = []
    for item in root.iter(f"{{{MAIN}}}si"):
        inner = b"".join(etree.tostring(child) for child in item)
        items.append(re.sub(rb'\sxmlns(?::\w+)?="[^"]*"', b"", inner))
    return items


def _sheet_cells(data: bytes, mapping: dict[int, int], strings: list[bytes]) -> bytes:
    def restyle(match: re.Match[bytes]) -> bytes:
        if match.group(1) is not None:
            return match.group(1) + str(mapping.get(int(match.group(2)), 0)).encode() + match.group(3)
        return match.group(4) + str(mapping.get(int(match.group(5)), 0)).encode() + match.group(6)

    def inline(match: re.Match[bytes]) -> bytes:
        attributes, body = match.group(1), match.group(2)
        if body is None or not _SHARED.search(attributes):
            return match.group(0)
        value = _VALUE.search(body)
        text = strings[int(value.group(1))] if value and int(value.group(1)) < len(strings) else b"<t></t>"
        return b"<c" + _SHARED.sub(b't="inlineStr"', attributes) + b"><is>" + text + b"</is></c>"

    return _STYLE.sub(restyle, _CELL.sub(inline, data))


def _table(data: bytes, table_id: int, taken: set[str]) -> bytes:
    root = parse(data)
    root.set("id", str(table_id))
    name = root.get("displayName", "Table")
    candidate, number = name, 2
    while candidate.casefold() in taken:
        candidate, number = f"{name}{number}", number + 1
    taken.add(candidate.casefold())
    root.set("displayName", candidate)
    root.set("name", candidate)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _retarget(data: bytes, old: str, new: str, renamed: dict[str, str]) -> bytes:
    root = parse(data)
    for element in root:
        if element.get("TargetMode") == "External":
            continue
        target = element.get("Target", "")
        absolute = (
            target[1:]
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(posixpath.dirname(old), target))
        )
        if absolute in renamed:
            element.set("Target", posixpath.relpath(renamed[absolute], posixpath.dirname(new)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


WORKSHEET_TYPE = WORKSHEET
