"""The package's plumbing: relationships, content types, part names, the workbook's sheet list."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from lxml import etree  # type: ignore[import-untyped]

from rvucheck.annotate.stream.safe import parse
from rvucheck.annotate.stream.zipraw import CHUNK

RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
COMMENTS = f"{DOC_REL}/comments"
VML = f"{DOC_REL}/vmlDrawing"
TABLE = f"{DOC_REL}/table"
WORKSHEET = f"{DOC_REL}/worksheet"
STYLES = f"{DOC_REL}/styles"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # absolute part name (no leading slash), or the raw target when external
    external: bool = False


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def parse_rels(data: bytes | None, part: str) -> list[Rel]:
    if not data:
        return []
    folder = posixpath.dirname(part)
    found = []
    for element in parse(data):
        target = element.get("Target", "")
        external = element.get("TargetMode") == "External"
        if not external:
            target = (
                target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )
        found.append(Rel(element.get("Id", ""), element.get("Type", ""), target, external))
    return found


def add_rels(data: bytes | None, part: str, added: list[tuple[str, str]]) -> tuple[bytes, list[str]]:
    """`data` (a .rels part, or None) with relationships (type, absolute target) added; their new ids."""
    root = parse(data) if data else etree.Element(f"{{{RELS_NS}}}Relationships", nsmap={None: RELS_NS})
    taken = {e.get("Id") for e in root}
    ids = []
    number = len(taken) + 1
    for rel_type, target in added:
        while f"rId{number}" in taken:
            number += 1
        new_id = f"rId{number}"
        taken.add(new_id)
        relative = posixpath.relpath(target, posixpath.dirname(part) or ".")
        etree.SubElement(root, f"{{{RELS_NS}}}Relationship", Id=new_id, Type=rel_type, Target=relative)
        ids.append(new_id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), ids


def add_content_types(data: bytes, overrides: dict[str, str], defaults: dict[str, str]) -> bytes:
    root = parse(data)
    known = {e.get("Extension", "").lower() for e in root if e.tag == f"{{{TYPES_NS}}}Default"}
    for extension, content_type in defaults.items():
        if extension not in known:
            root.insert(
                0, etree.Element(f"{{{TYPES_NS}}}Default", Extension=extension, ContentType=content_type)
            )
    for part, content_type in overrides.items():
        etree.SubElement(root, f"{{{TYPES_NS}}}Override", PartName="/" + part, ContentType=content_type)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """(part -> type overrides, extension -> default type) of a [Content_Types].xml."""
    root = parse(data)
    overrides = {
        e.get("PartName", "").lstrip("/"): e.get("ContentType", "")
        for e in root
        if e.tag == f"{{{TYPES_NS}}}Override"
    }
    defaults = {
        e.get("Extension", "").lower(): e.get("ContentType", "")
        for e in root
        if e.tag == f"{{{TYPES_NS}}}Default"
    }
    return overrides, defaults


def workbook_sheets(data: bytes) -> list[tuple[str, str]]:
    """(sheet name, relationship id) in order."""
    root = parse(data)
    sheets = root.find(f"{{{MAIN}}}sheets")
    return [
        (s.get("name", ""), s.get(f"{{{DOC_REL}}}id", "")) for s in (sheets if sheets is not None else [])
    ]


def unique_part(wanted: str, taken: set[str]) -> str:
    """`wanted` or the same name with the next free number (xl/worksheets/sheet7.xml)."""
    folder, name = posixpath.split(wanted)
    match = re.match(r"(.*?)(\d*)(\.[^.]*)$", name)
    stem, _digits, extension = match.groups() if match else (name, "", "")
    number = 1
    candidate = wanted
    lowered = {t.lower() for t in taken}
    while candidate.lower() in lowered:
        candidate = posixpath.join(folder, f"{stem}{number}{extension}")
        number += 1
    return candidate


_SHEETS_END = re.compile(rb"</(?:\w+:)?sheets>")
_DEFINED_END = re.compile(rb"</(?:\w+:)?definedNames>")
_AFTER_NAMES = re.compile(
    rb"<(?:\w+:)?(?:calcPr|oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|webPublishing|"
    rb"fileRecoveryPr|webPublishObjects|extLst)\b|</(?:\w+:)?workbook>"
)


def add_sheets(workbook: bytes, sheets: list[tuple[str, str]], names: list[bytes]) -> bytes:
    """workbook.xml with sheets (name, relationship id) appended and defined names (XML) added."""
    ids = [int(n) for n in re.findall(rb'<(?:\w+:)?sheet\b[^>]*?\bsheetId="(\d+)"', workbook)]
    number = max(ids, default=0)
    added = b""
    for name, rel_id in sheets:
        number += 1
        added += b'<sheet xmlns:r="%s" name=%s sheetId="%d" r:id="%s"/>' % (
            DOC_REL.encode(), quoteattr(name).encode(), number, rel_id.encode())  # fmt: skip
    end = _SHEETS_END.search(workbook)
    assert end is not None
    workbook = workbook[: end.start()] + added + workbook[end.start() :]
    if names:
        defined = _DEFINED_END.search(workbook)
        if defined is not None:
            workbook = workbook[: defined.start()] + b"".join(names) + workbook[defined.start() :]
        else:
            at = _AFTER_NAMES.search(workbook, _SHEETS_END.search(workbook).end())  # type: ignore[union-attr]
            assert at is not None
            block = b"<definedNames>" + b"".join(names) + b"</definedNames>"
            workbook = workbook[: at.start()] + block + workbook[at.start() :]
    return workbook


def defined_name(name: str, sheet_index: int, text: str, hidden: bool = False) -> bytes:
    hide = ' hidden="1"' if hidden else ""
    return (
        f'<definedName name="{name}" localSheetId="{sheet_index}"{hide}>{escape(text)}</definedName>'.encode()
    )


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
