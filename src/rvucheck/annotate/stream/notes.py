"""The notes on offending cells: a comments part and its VML drawing (how Excel shows a note).

When the charge sheet already has notes, ours go into its own comments part and VML (a cell that already
has a note keeps it, ours below a rule); otherwise both parts are new. The VML is edited as text: Excel's
own VML is not always well-formed XML.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from xml.sax.saxutils import escape

from lxml import etree  # type: ignore[import-untyped]

from rvucheck.annotate.stream.safe import parse
from rvucheck.report.xlsx import clean_text, note_size

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
AUTHOR = "rvucheck"
BLOCK = 1024  # shape ids per VML id block (o:idmap)
VML_HEAD = (
    b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
    b'<o:idmap v:ext="edit" data="%s"/></o:shapelayout>'
)
# every shape declares its prefixes: merged into a sheet's own VML, whose root may declare none (openpyxl's)
NAMESPACES = (
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"'
)
SHAPE_TYPE = (
    b"<v:shapetype "
    + NAMESPACES.encode()
    + b' id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    b'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)
SHAPE = (
    "<v:shape "
    + NAMESPACES
    + ' id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;'
    'margin-top:2pt;width:{width}pt;height:{height}pt;z-index:{id};visibility:hidden" fillcolor="#ffffe1" '
    'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
    '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
    '</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
    "<x:Anchor>{left}, 15, {top}, 2, {right}, 15, {bottom}, 2</x:Anchor><x:AutoFill>False</x:AutoFill>"
    "<x:Row>{row}</x:Row><x:Column>{column}</x:Column></x:ClientData></v:shape>"
)
COLUMN_PX, ROW_PX = 64, 20  # a default column's width and row's height, for the note's anchor
NOTES_BATCH = 1000  # notes per chunk handed to the compressor
Chunks = Callable[[], Iterator[bytes]]
_IDMAP = re.compile(rb'(<o:idmap\b[^>]*?\bdata=")([^"]*)(")')


def used_blocks(vml_parts: list[bytes]) -> int:
    """The highest VML id block any drawing of the package uses (new ones go above it)."""
    found = [
        int(n) for part in vml_parts for m in _IDMAP.finditer(part) for n in re.findall(rb"\d+", m.group(2))
    ]
    return max(found, default=0)


def _address(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"


def write_notes(
    notes: dict[tuple[int, int], list[str]], comments: bytes | None, vml: bytes | None, block: int
) -> tuple[Chunks, Chunks]:
    """(comments part, VML part) with our notes, each as its chunks made as the part is written (80,000
    notes built as one element tree and one VML text held ~400 MB): merged into the sheet's own when given.
    `block`: the first free VML id block of the package."""
    root = (
        parse(comments)
        if comments
        else etree.fromstring(f'<comments xmlns="{MAIN}"><authors/><commentList/></comments>'.encode())
    )
    authors, listing = root.find(f"{{{MAIN}}}authors"), root.find(f"{{{MAIN}}}commentList")
    assert authors is not None and listing is not None
    names = [a.text for a in authors]
    if AUTHOR not in names:
        etree.SubElement(authors, f"{{{MAIN}}}author").text = AUTHOR
        names.append(AUTHOR)
    existing = {c.get("ref"): c for c in listing}
    new: list[tuple[int, int]] = []  # the cells whose note is ours alone, in order
    for (row, column), paragraphs in sorted(notes.items()):
        own = existing.get(_address(row, column))
        if own is None:
            new.append((row, column))
        else:  # a cell that has a note keeps it, ours below a rule
            _append_text(own, "\n---\n" + _text(paragraphs))
    head, tail = _split_after_children(root, listing) if new else (_serialised(root), b"")
    comment = _comment_template(listing.prefix, names.index(AUTHOR))
    blocks = ",".join(str(b) for b in range(block, block + (len(new) - 1) // BLOCK + 1)) if new else ""
    vml_head, vml_tail = _vml(vml, blocks, bool(new))
    first_id = block * BLOCK + 1

    def comment_chunks() -> Iterator[bytes]:
        yield head
        for batch in _batches(new):
            yield "".join(
                comment.format(ref=_address(*cell), text=_escaped(_text(notes[cell]))) for cell in batch
            ).encode()
        yield tail

    def vml_chunks() -> Iterator[bytes]:
        yield vml_head
        shape_id = first_id
        for batch in _batches(new):
            shapes = []
            for row, column in batch:
                shapes.append(_shape(shape_id, row, column, _text(notes[(row, column)])))
                shape_id += 1
            yield "".join(shapes).encode()
        yield vml_tail

    return comment_chunks, vml_chunks


def _text(paragraphs: list[str]) -> str:
    return clean_text("\n".join(paragraphs))[:32000]


def _escaped(text: str) -> str:
    """Text as lxml serialises it in an element (a carriage return as a character reference)."""
    return escape(text, {"\r": "&#13;"})


def _batches(cells: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    for start in range(0, len(cells), NOTES_BATCH):
        yield cells[start : start + NOTES_BATCH]


def _comment_template(prefix: str | None, author: int) -> str:
    """One comment element in the prefix the comments part uses for the main namespace."""
    p = f"{prefix}:" if prefix else ""
    return (
        f'<{p}comment ref="{{ref}}" authorId="{author}"><{p}text><{p}t xml:space="preserve">{{text}}'
        f"</{p}t></{p}text></{p}comment>"
    )


def _shape(shape_id: int, row: int, column: int, text: str) -> str:
    width_px, height_px = note_size(text)  # the box fits its text, as openpyxl-written notes do
    top = max(row - 2, 0)
    return SHAPE.format(id=shape_id, width=round(width_px * 0.75), height=round(height_px * 0.75),
                        left=column, right=column + math.ceil(width_px / COLUMN_PX), top=top,
                        bottom=top + math.ceil(height_px / ROW_PX), row=row - 1,
                        column=column - 1)  # fmt: skip


def _serialised(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_MARK = "rvucheck-new-comments-go-here"


def _split_after_children(root: etree._Element, listing: etree._Element) -> tuple[bytes, bytes]:
    """The serialised part cut where new comments go: after the comment list's last child."""
    last = listing[-1] if len(listing) else None
    if last is None:
        listing.text = (listing.text or "") + _MARK
    else:
        last.tail = (last.tail or "") + _MARK
    head, tail = _serialised(root).split(_MARK.encode())
    return head, tail


def _append_text(comment: etree._Element, text: str) -> None:
    body = comment.find(f"{{{MAIN}}}text")
    if body is None:
        body = etree.SubElement(comment, f"{{{MAIN}}}text")
    plain = body.find(f"{{{MAIN}}}t")
    if plain is not None and body.find(f"{{{MAIN}}}r") is None:
        plain.text = clean_text((plain.text or "") + text)[:32000]
        plain.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return
    run = etree.SubElement(body, f"{{{MAIN}}}r")
    added = etree.SubElement(run, f"{{{MAIN}}}t")
    added.text = text
    added.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _vml(vml: bytes | None, blocks: str, shapes: bool) -> tuple[bytes, bytes]:
    """The VML part cut where the new shapes go (before its end)."""
    if vml is None:
        return VML_HEAD % (blocks or "1").encode() + SHAPE_TYPE, b"</xml>"
    if not shapes:
        return vml, b""
    opening = b"" if b'id="_x0000_t202"' in vml else SHAPE_TYPE
    if _IDMAP.search(vml):
        vml = _IDMAP.sub(
            lambda m: m.group(1) + m.group(2) + b"," + blocks.encode() + m.group(3), vml, count=1
        )
    end = vml.rfind(b"</xml>")
    return (vml[:end] + opening, vml[end:]) if end != -1 else (vml + opening, b"")
