"""Append the result cells to the charge sheet's rows in the saved package, as XML text.

openpyxl builds a Python object per cell and serialises each one; for 100k lines the eight appended columns
cost more than a third of the save. openpyxl still writes everything else (original cells, styles, notes,
filter, the Findings and Summary sheets); this module then streams the charge sheet's XML once, adding the
pre-rendered cells at the end of each row. Strings are inline strings (never formulas, no shared-string
renumbering); style ids are ones the workbook already holds (added before the save).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

_ROW_START = re.compile(rb'<row r="(\d+)"[^>]*?(/?)>')
_SPANS = re.compile(rb' spans="[^"]*"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>')


def render_cell(address: str, style_id: int, value: object) -> str:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        return f'<c r="{address}" s="{style_id}"><v>{value!r}</v></c>'
    text = escape(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    return f'<c r="{address}" s="{style_id}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def inject_rows(source: Path, target: Path, part: str, cells: dict[int, bytes], last_column: str) -> None:
    """Copy the package `source` to `target`, appending `cells[row]` to each row of worksheet `part`."""
    with (
        zipfile.ZipFile(source) as archive_in,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive_out,
    ):
        for info in archive_in.infolist():
            data = archive_in.read(info.filename)
            if info.filename == part:
                data = _append_to_rows(data, cells, last_column)
            archive_out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def _append_to_rows(data: bytes, cells: dict[int, bytes], last_column: str) -> bytes:
    pieces: list[bytes] = []
    position = 0
    for match in _ROW_START.finditer(data):
        row = int(match.group(1))
        extra = cells.get(row)
        if extra is None:
            continue
        start_tag = _SPANS.sub(b"", match.group(0))  # spans are a hint; ours would be wrong: drop them
        pieces.append(data[position : match.start()])
        if match.group(2):  # <row .../> with no cells: open it
            pieces.append(start_tag[:-2] + b">" + extra + b"</row>")
            position = match.end()
            continue
        end = data.index(b"</row>", match.end())
        pieces.append(start_tag)
        pieces.append(data[match.end() : end])
        pieces.append(extra)
        position = end
    pieces.append(data[position:])
    out = b"".join(pieces)
    return _DIMENSION.sub(lambda m: _widen(m, last_column), out, count=1)


def _widen(match: re.Match[bytes], last_column: str) -> bytes:
    first_col, first_row, end_col, end_row = match.groups()
    end_col = end_col or first_col
    end_row = end_row or first_row
    if len(end_col) < len(last_column) or (
        len(end_col) == len(last_column) and end_col < last_column.encode()
    ):
        end_col = last_column.encode()
    return b'<dimension ref="' + first_col + first_row + b":" + end_col + end_row + b'"/>'
