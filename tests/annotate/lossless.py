"""Proof that a workbook written from another lost nothing (issue 13, item 3): `assert_lossless`.

    assert_lossless(source, output, may_change={"xl/worksheets/sheet1.xml", "[Content_Types].xml", ...})

- every part of `source` outside `may_change` is in `output` byte for byte: the same uncompressed bytes, and
  the same compressed bytes with the same compression method and CRC (a part the writer copied, not one it
  read and wrote again: a re-deflated part with equal content fails too, because the copy must not depend
  on the zlib that happens to be installed);
- every worksheet part in `may_change` keeps every original cell: value, type, style id, formula (its text
  and its shared-formula attributes `t`, `ref`, `si`), inline text; a shared string is kept when its index
  is kept and still names the same text (every sheet is checked for that when the shared strings part may
  change); rows keep their attributes (hidden, height, style) other than
  `spans`; cells may be added only to the right of the sheet's original last column;
- when `xl/styles.xml` may change, styles may only be added: every original number format keeps its id,
  and every original font, fill, border, cell format and differential format keeps its position (a kept
  style id must still mean the same format);
- parts may be added (new sheets, comments, styles); none may be removed.

The failure message names the part and the cells (cell references, never the values: the corpus is
made up, but a real file may be checked with this too). Sheets are parsed whole (lxml): meant for test
workbooks, not for a 100k-line month (about 1 GB for its 2.4M cells).
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")  # the zip local file header before each entry's data
_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
SHOWN = 8  # differences named in a failure message


@dataclass(frozen=True)
class Cell:
    type: str | None
    style: str | None
    value: str | None
    formula: tuple[str | None, str | None, str | None, str | None] | None  # text, t, ref, si
    inline: str | None


def assert_lossless(source: Path, output: Path, may_change: set[str]) -> None:
    problems = lossless_problems(source, output, may_change)
    assert not problems, f"{output} is not lossless against {source.name}:\n  " + "\n  ".join(problems)


def lossless_problems(source: Path, output: Path, may_change: set[str]) -> list[str]:
    """What `assert_lossless` would fail on, one line each (empty when it passes)."""
    problems: list[str] = []
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(output) as after:
        kept = {info.filename: info for info in after.infolist()}
        for info in before.infolist():
            name = info.filename
            if name not in kept:
                problems.append(f"{name}: missing from the output")
            elif name not in may_change:
                problems.extend(_same_part(before, after, info, kept[name]))
        shared_before, shared_after = _shared_strings(before), _shared_strings(after)
        # a sheet whose part may change, or any sheet when the shared strings its cells index may change
        sheets = may_change if "xl/sharedStrings.xml" not in may_change else set(before.namelist())
        if "xl/styles.xml" in may_change and "xl/styles.xml" in kept:
            problems.extend(_same_styles(before.read("xl/styles.xml"), after.read("xl/styles.xml")))
        for name in sorted(sheets & set(before.namelist()) & set(kept)):
            if _is_worksheet(before, name):
                problems.extend(
                    f"{name}: {problem}"
                    for problem in _same_cells(
                        before.read(name), after.read(name), shared_before, shared_after
                    )
                )
    return problems


def _same_part(
    before: zipfile.ZipFile, after: zipfile.ZipFile, old: zipfile.ZipInfo, new: zipfile.ZipInfo
) -> list[str]:
    name = old.filename
    if before.read(name) != after.read(name):
        return [f"{name}: content changed"]
    if (old.compress_type, old.CRC) != (new.compress_type, new.CRC):
        return [f"{name}: compression method or CRC changed ({old.compress_type} -> {new.compress_type})"]
    if _raw(before, old) != _raw(after, new):
        return [f"{name}: same content, compressed again (its compressed bytes differ)"]
    return []


def _raw(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """An entry's bytes as stored (compressed), read after its local header."""
    handle = archive.fp
    assert handle is not None
    handle.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(handle.read(_LOCAL_HEADER.size))
    assert fields[0] == 0x04034B50, f"{info.filename}: no local header"
    handle.seek(info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10])
    return handle.read(info.compress_size)


def _is_worksheet(archive: zipfile.ZipFile, name: str) -> bool:
    if not name.endswith(".xml"):
        return False
    with archive.open(name) as part:
        head = part.read(2000)
    return b"<worksheet" in head or b":worksheet" in head


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = etree.fromstring(archive.read("xl/sharedStrings.xml"))
    ns = etree.QName(root).namespace
    return ["".join(item.itertext()) for item in root.iter(f"{{{ns}}}si" if ns else "si")]


def _cells(data: bytes) -> tuple[dict[str, Cell], dict[str, dict[str, str]]]:
    """Cells by reference and row attributes (without `spans`) by row number."""
    root = etree.fromstring(data)
    ns = etree.QName(root).namespace or ""  # transitional or strict OOXML, or none
    tag = f"{{{ns}}}%s" if ns else "%s"
    cells: dict[str, Cell] = {}
    rows: dict[str, dict[str, str]] = {}
    for row in root.iter(tag % "row"):
        rows[row.get("r", "")] = {k: v for k, v in row.attrib.items() if k != "spans"}
    for cell in root.iter(tag % "c"):
        formula = cell.find(tag % "f")
        value = cell.find(tag % "v")
        inline = cell.find(tag % "is")
        cells[cell.get("r", "")] = Cell(  # the defaults spelt out or not are the same cell (t="n", s="0")
            cell.get("t", "n"),
            cell.get("s", "0"),
            value.text or None if value is not None else None,  # an empty <v/> is no value
            (formula.text, formula.get("t"), formula.get("ref"), formula.get("si"))
            if formula is not None
            else None,
            "".join(inline.itertext()) if inline is not None else None,
        )
    return cells, rows


def _column(reference: str) -> int:
    match = _REF.fullmatch(reference)
    if match is None:
        return 0
    number = 0
    for char in match.group(1):
        number = number * 26 + ord(char) - 64
    return number


def _same_cells(old: bytes, new: bytes, strings_before: list[str], strings_after: list[str]) -> list[str]:
    before, rows_before = _cells(old)
    after, rows_after = _cells(new)
    last_column = max((_column(ref) for ref in before), default=0)
    changed = [ref for ref, cell in before.items() if after.get(ref) != cell]
    renamed = [
        ref
        for ref, cell in before.items()
        if ref not in changed
        and cell.type == "s"
        and _text(cell, strings_before) != _text(cell, strings_after)
    ]
    inside = [ref for ref in after if ref not in before and _column(ref) <= last_column]
    rows = [number for number, attributes in rows_before.items() if rows_after.get(number) != attributes]
    problems = []
    for what, refs in (
        ("original cells changed or removed", changed),
        ("shared strings now name other text", renamed),
        (f"cells added inside the original columns (1-{last_column})", inside),
        ("row attributes changed or rows removed", rows),
    ):
        if refs:
            more = f" and {len(refs) - SHOWN} more" if len(refs) > SHOWN else ""
            problems.append(f"{what}: {', '.join(refs[:SHOWN])}{more}")
    return problems


def _text(cell: Cell, strings: list[str]) -> str | None:
    index = int(cell.value) if cell.value is not None and cell.value.isdigit() else -1
    return strings[index] if 0 <= index < len(strings) else None


STYLE_LISTS = ("fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")


def _same_styles(old: bytes, new: bytes) -> list[str]:
    """Styles only added: the original entries of each list first and unchanged, number formats by id."""
    before, after = etree.fromstring(old), etree.fromstring(new)
    ns = etree.QName(before).namespace
    tag = f"{{{ns}}}%s" if ns else "%s"
    problems = []
    for name in STYLE_LISTS:
        was, now = _entries(before.find(tag % name)), _entries(after.find(tag % name))
        if now[: len(was)] != was:
            problems.append(f"xl/styles.xml: original {name} changed (styles may only be added after them)")
    formats_before = {f.get("numFmtId"): f.get("formatCode") for f in before.iter(tag % "numFmt")}
    formats_after = {f.get("numFmtId"): f.get("formatCode") for f in after.iter(tag % "numFmt")}
    changed = sorted(i for i, code in formats_before.items() if formats_after.get(i) != code)
    if changed:
        problems.append(f"xl/styles.xml: number formats changed: {', '.join(map(str, changed))}")
    return problems


def _entries(element: etree._Element | None) -> list[bytes]:
    return [] if element is None else [etree.tostring(child, method="c14n") for child in element]
