"""Append the result cells to the charge sheet's rows in the saved package, as XML text.

openpyxl builds a Python object per cell and serialises each one; for 100k lines the eight appended columns
cost more than a third of the save. openpyxl still writes everything else (original cells, styles, notes,
filter, the Findings and Summary sheets); this module then streams the charge sheet's XML once, adding the
pre-rendered cells at the end of each row. Strings are inline strings (never formulas, no shared-string
renumbering); style ids are ones the workbook already holds (added before the save).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CHUNK = 1 << 20
_ROW_START = re.compile(rb'<row r="(\d+)"[^>]*?(/?)>')
_SPANS = re.compile(rb' spans="[^"]*"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>')


def render_cell(address: str, style_id: int, value: object) -> str:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        return f'<c r="{address}" s="{style_id}"><v>{value!r}</v></c>'
    text = escape(ILLEGAL_CHARACTERS_RE.sub("?", str(value)))
    return f'<c r="{address}" s="{style_id}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def inject_rows(source: Path, target: Path, part: str, cells: dict[int, bytes], last_column: str) -> None:
    """Copy the package `source` to `target`, appending `cells[row]` to each row of worksheet `part`.

    Streamed part by part and, in the sheet, row by row (1 MB at a time): the sheet XML of a 100k-line
    export is ~50 MB, and holding copies of it would add to the memory peak."""
    with (
        zipfile.ZipFile(source) as archive_in,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive_out,
    ):
        for info in archive_in.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            # the charge sheet is most of the package: level 3 packs it twice as fast as 6, ~15% larger
            # (ZipFile.open takes the level only from the ZipInfo it is given)
            entry._compresslevel = 3 if info.filename == part else 6  # type: ignore[attr-defined]
            with archive_in.open(info) as reader, archive_out.open(entry, "w", force_zip64=True) as writer:
                if info.filename == part:
                    _stream_rows(reader, writer, cells, last_column)
                else:
                    shutil.copyfileobj(reader, writer, CHUNK)


def _stream_rows(reader: IO[bytes], writer: IO[bytes], cells: dict[int, bytes], last_column: str) -> None:
    buffer = b""
    first = True
    while chunk := reader.read(CHUNK):
        buffer += chunk
        cut = buffer.rfind(b"</row>")
        if cut == -1:
            continue
        cut += len(b"</row>")
        done = _append_to_rows(buffer[:cut], cells)
        if first:  # <dimension> comes before the first row
            done = _DIMENSION.sub(lambda m: _widen(m, last_column), done, count=1)
            first = False
        writer.write(done)
        buffer = buffer[cut:]
    tail = _append_to_rows(buffer, cells)
    writer.write(_DIMENSION.sub(lambda m: _widen(m, last_column), tail, count=1) if first else tail)


def _append_to_rows(data: bytes, cells: dict[int, bytes]) -> bytes:
    """`data` holds whole rows (or none): each row with an entry in `cells` gets it before its end tag."""
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
    return b"".join(pieces)


def _widen(match: re.Match[bytes], last_column: str) -> bytes:
    first_col, first_row, end_col, end_row = match.groups()
    end_col = end_col or first_col
    end_row = end_row or first_row
    if len(end_col) < len(last_column) or (
        len(end_col) == len(last_column) and end_col < last_column.encode()
    ):
        end_col = last_column.encode()
    return b'<dimension ref="' + first_col + first_row + b":" + end_col + end_row + b'"/>'
