"""Hostile inputs built in a test's folder: exports written cell by cell with xlsxwriter (strings stay the
exact strings, Excel error values are real `t="e"` cells), and packages patched at the XML level for what no
writer produces (a merge to XFD1048576, a stray cell at the last address, a lying dimension).
Every value here is made up."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import xlsxwriter

from rvucheck.audit.history import HISTORY_FILE

HEADER = ("DOS", "Patient", "Provider", "Specialty", "CPT", "Mod1", "Units", "Payer", "Claim", "Dx")
BASE = ("2026-10-05", "P1", "Dr A", "Family", "99213", "", "1", "Aetna", "C1", "I10")
COLUMN = {name: index for index, name in enumerate(HEADER)}
SHEET_PART = "xl/worksheets/sheet1.xml"


class Error(str):
    """An Excel error value (`#REF!`): written as a formula cell whose saved result is that error."""


def row(number: int, **fields: object) -> list[object]:
    """The base line for patient P<number> (its own patient, so no line duplicates another), `fields`
    replacing cells by header name (Units=..., Mod1=...)."""
    values: list[object] = list(BASE)
    values[COLUMN["Patient"]] = f"P{number}"
    values[COLUMN["Claim"]] = f"C{number}"
    for name, value in fields.items():
        values[COLUMN[name]] = value
    return values


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Charges")
    sheet.write_row(0, 0, header)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if isinstance(value, Error):
                sheet.write_formula(r, c, "=#REF!" if value == "#REF!" else "=1/0", None, str(value))
            elif isinstance(value, str):
                if value:
                    sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    book.close()
    return path


def write_csv(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def patch_sheet(source: Path, target: Path, change: Callable[[bytes], bytes]) -> Path:
    """`target`: `source` with its first worksheet's XML passed through `change`."""
    with zipfile.ZipFile(source) as archive_in, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive_in.infolist():
            data = archive_in.read(info)
            out.writestr(info, change(data) if info.filename == SHEET_PART else data)
    return target


def add_merge(ref: str) -> Callable[[bytes], bytes]:
    merge = f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'.encode()
    return lambda data: data.replace(b"</sheetData>", merge)


def add_cell(address: str) -> Callable[[bytes], bytes]:
    number = re.sub(r"[A-Z]", "", address)
    cell = f'<row r="{number}"><c r="{address}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return lambda data: data.replace(b"</sheetData>", cell.encode())


def prefixed(change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """`change`, then every cell written with a namespace prefix (`<x:c>`): valid XML calamine reads too."""
    main = b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '

    def apply(data: bytes) -> bytes:
        data = change(data).replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>")
        return data.replace(b"<worksheet ", b"<worksheet " + main, 1)

    return apply


def set_dimension(ref: str) -> Callable[[bytes], bytes]:
    return lambda data: re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data)


def private_store(reference: Path, where: Path) -> Path:
    """A data dir sharing the installed reference data (symlinks, its own catalog) with its own empty audit
    history, so an audit run never writes to the shared test store."""
    where.mkdir(parents=True)
    for item in reference.glob("*.sqlite"):
        if item.name == "catalog.sqlite":
            shutil.copyfile(item, where / item.name)
        elif item.name != HISTORY_FILE:
            (where / item.name).symlink_to(item.resolve())
    return where
