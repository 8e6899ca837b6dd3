"""Raw cell grids from .xlsx/.xlsm (python-calamine, fast) and .csv, plus what the grid alone does not say.

The grid is indexed so that grid[i] is worksheet row i + 1 and grid[i][j] is column j + 1, exactly as Excel
shows them. Besides values we need: the workbook's date system (1904 files exist), merged ranges (a value
merged down over several rows belongs to each of them), hidden rows (reported) and formula cells that have no
saved result (files written by programs that do not calculate: calamine reads them as empty, and we must say
so instead of treating them as blank).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree  # type: ignore[import-untyped]
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from rvucheck.errors import InputFileError

Grid = list[list[object]]
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


@dataclass
class SheetGrid:
    name: str
    rows: Grid
    date1904: bool = False
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # 0-based, inclusive
    hidden_rows: set[int] = field(default_factory=set)  # 1-based
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)  # 1-based (row, column)


class XlsxBook:
    """One opened workbook: sheet names, cheap previews for choosing the charge sheet, and a full sheet.

    `package`: the facts `safety.check_input` took from the zip package while validating it; given, the
    package is not opened again here (without it, e.g. a damaged part it could not parse, it is)."""

    def __init__(self, path: Path, package: PackageFacts | None = None) -> None:
        self.path = path
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except CalamineError as exc:
            raise InputFileError(_calamine_message(path, exc)) from None
        except Exception as exc:  # calamine raises plain errors for some damaged parts
            raise InputFileError(
                f"{path} cannot be read ({str(exc)[:80]}); save it again from Excel"
            ) from None
        self.sheet_names = [
            meta.name for meta in self._book.sheets_metadata if str(meta.typ).endswith("WorkSheet")
        ]
        self._package = package
        self._sheets: dict[str, CalamineSheet] = {}

    def preview(self, name: str, nrows: int = 60) -> Grid:
        return self._sheet_rows(name, nrows)

    def grid(self, name: str) -> SheetGrid:
        rows = self._sheet_rows(name, None)
        merged = [(tuple(a), tuple(b)) for a, b in (self._sheet(name).merged_cell_ranges or [])]
        package = self._facts()
        extras = package.sheets.get(name, SheetExtras())
        return SheetGrid(
            name=name,
            rows=rows,
            date1904=package.date1904,
            merged=merged,  # type: ignore[arg-type]
            hidden_rows=set(extras.hidden_rows),
            formulas_without_value=set(extras.formulas_without_value),
        )

    def _sheet(self, name: str) -> CalamineSheet:
        # calamine parses the whole sheet on first access; keep it for the preview and the full read
        if name not in self._sheets:
            try:
                self._sheets[name] = self._book.get_sheet_by_name(name)
            except CalamineError as exc:
                raise InputFileError(_calamine_message(self.path, exc)) from None
        return self._sheets[name]

    def _sheet_rows(self, name: str, nrows: int | None) -> Grid:
        try:
            return self._sheet(name).to_python(skip_empty_area=False, nrows=nrows)  # type: ignore[return-value]
        except CalamineError as exc:
            raise InputFileError(_calamine_message(self.path, exc)) from None

    def _facts(self) -> PackageFacts:
        if self._package is None:
            with zipfile.ZipFile(self.path) as archive:
                self._package = package_facts(archive)
        return self._package


def _calamine_message(path: Path, exc: Exception) -> str:
    if "password" in type(exc).__name__.lower():
        return f"{path} is password-protected; remove the password in Excel and save a copy"
    return f"{path} cannot be read as a workbook ({str(exc)[:80]}); open it in Excel and save it again"


@dataclass(frozen=True)
class SheetExtras:
    hidden_rows: frozenset[int] = frozenset()  # 1-based
    formulas_without_value: frozenset[tuple[int, int]] = frozenset()  # 1-based (row, column)


@dataclass(frozen=True)
class PackageFacts:
    """What the package XML says and calamine does not: the date system, and per worksheet its hidden
    rows and its formulas without a saved value."""

    date1904: bool
    sheets: dict[str, SheetExtras]


def package_facts(archive: zipfile.ZipFile) -> PackageFacts:
    """The facts of an open package, in the pass that validates it (so nothing opens it again for them).
    Every worksheet is scanned: the charge sheet is only chosen later, and exports have one or two."""
    workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    pr = workbook.find(f"{{{NS_MAIN}}}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
    names = set(archive.namelist())
    sheets: dict[str, SheetExtras] = {}
    for sheet in workbook.iter(f"{{{NS_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{NS_REL}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        if part in names:
            data = archive.read(part)
            extras = SheetExtras(frozenset(_hidden_rows(data)), frozenset(_formulas_without_value(data)))
            sheets[sheet.get("name", "")] = extras
    return PackageFacts(date1904, sheets)


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
    cells: set[tuple[int, int]] = set()
    for tag in (b"<f>", b"<f ", b"<f/>"):
        position = data.find(tag)
        while position != -1:
            start = data.rfind(b"<c ", 0, position)
            end = data.find(b"</c>", position)
            match = _CELL_START.match(data, start) if start != -1 else None
            if match and end != -1 and not _HAS_VALUE.search(data, position, end):
                cells.add((int(match.group(2)), _column_number(match.group(1).decode())))
            position = data.find(tag, position + 1)
    return cells


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def read_csv_grid(path: Path) -> SheetGrid:
    """A CSV as a grid (sheet name = file stem, as Excel names it when it opens a CSV)."""
    raw = path.read_bytes()
    text = _decode(raw)
    sample = text[:65536]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: Grid = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for record in reader:
            # one record = one row, as Excel shows a CSV (a quoted line break stays inside the cell)
            rows.append(list(record))
    except csv.Error as exc:
        raise InputFileError(
            f"{path}: line {reader.line_num} is not valid CSV ({exc}); export it again"
        ) from None
    return SheetGrid(name=path.stem[:31] or "Sheet1", rows=rows)


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Windows exports; undefined bytes become U+FFFD
