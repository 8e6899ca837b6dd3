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
from python_calamine import CalamineError, CalamineWorkbook

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
    """One opened workbook: sheet names, cheap previews for choosing the charge sheet, and a full sheet."""

    def __init__(self, path: Path) -> None:
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
        self._zip_info: _ZipInfo | None = None

    def preview(self, name: str, nrows: int = 60) -> Grid:
        return self._sheet_rows(name, nrows)

    def grid(self, name: str) -> SheetGrid:
        rows = self._sheet_rows(name, None)
        sheet = self._book.get_sheet_by_name(name)
        merged = [(tuple(a), tuple(b)) for a, b in (sheet.merged_cell_ranges or [])]
        info = self._zip()
        hidden, formulas = info.sheet_extras(name)
        return SheetGrid(
            name=name,
            rows=rows,
            date1904=info.date1904,
            merged=merged,  # type: ignore[arg-type]
            hidden_rows=hidden,
            formulas_without_value=formulas,
        )

    def _sheet_rows(self, name: str, nrows: int | None) -> Grid:
        try:
            sheet = self._book.get_sheet_by_name(name)
            return sheet.to_python(skip_empty_area=False, nrows=nrows)  # type: ignore[return-value]
        except CalamineError as exc:
            raise InputFileError(_calamine_message(self.path, exc)) from None

    def _zip(self) -> _ZipInfo:
        if self._zip_info is None:
            self._zip_info = _ZipInfo(self.path)
        return self._zip_info


def _calamine_message(path: Path, exc: Exception) -> str:
    if "password" in type(exc).__name__.lower():
        return f"{path} is password-protected; remove the password in Excel and save a copy"
    return f"{path} cannot be read as a workbook ({str(exc)[:80]}); open it in Excel and save it again"


class _ZipInfo:
    """Facts from the package XML: date system, sheet part paths, hidden rows, formulas without values."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as archive:
            workbook = etree.fromstring(archive.read("xl/workbook.xml"))
            rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        pr = workbook.find(f"{{{NS_MAIN}}}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
        self.parts: dict[str, str] = {}
        for sheet in workbook.iter(f"{{{NS_MAIN}}}sheet"):
            target = targets.get(sheet.get(f"{{{NS_REL}}}id"), "")
            part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            self.parts[sheet.get("name", "")] = part

    def sheet_extras(self, name: str) -> tuple[set[int], set[tuple[int, int]]]:
        """(hidden rows, formula cells without a saved value). Skips the XML parse when neither can occur."""
        part = self.parts.get(name)
        if part is None:
            return set(), set()
        with zipfile.ZipFile(self.path) as archive:
            if not _part_contains(archive, part, (b"<f", b"hidden=")):
                return set(), set()
            return _scan_sheet(archive, part)


def _part_contains(archive: zipfile.ZipFile, part: str, needles: tuple[bytes, ...]) -> bool:
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            if any(needle in window for needle in needles):
                return True
            tail = chunk[-16:]
    return False


def _scan_sheet(archive: zipfile.ZipFile, part: str) -> tuple[set[int], set[tuple[int, int]]]:
    hidden: set[int] = set()
    formulas: set[tuple[int, int]] = set()
    row_tag, cell_tag = f"{{{NS_MAIN}}}row", f"{{{NS_MAIN}}}c"
    f_tag, v_tag = f"{{{NS_MAIN}}}f", f"{{{NS_MAIN}}}v"
    with archive.open(part) as stream:
        for _event, element in etree.iterparse(stream, events=("end",), tag=(row_tag, cell_tag)):
            if element.tag == cell_tag:
                if element.find(f_tag) is not None:
                    value = element.find(v_tag)
                    if value is None or not (value.text or "").strip():
                        match = _CELL_REF.match(element.get("r", ""))
                        if match:
                            formulas.add((int(match.group(2)), _column_number(match.group(1))))
            else:
                if element.get("hidden", "0") in ("1", "true"):
                    hidden.add(int(element.get("r", "0")))
                element.clear()
    return hidden, formulas


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
