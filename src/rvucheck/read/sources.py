"""Raw cell grids from .xlsx/.xlsm/.xls/.ods (python-calamine) and .csv, plus what the grid does not say.

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
import itertools
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from rvucheck.errors import InputFileError
from rvucheck.model import PackageContents
from rvucheck.read.package import PackageFacts, SheetExtras, allowed_cells, package_facts
from rvucheck.read.stream_sheet import SheetFormatError, StreamedSheet

Grid = list[list[object]]
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
# Streamed above ~250 MB of sheet XML (~400,000 lines): below it calamine is ~3x faster, and its memory fits
STREAM_SHEET_BYTES = 256 << 20


@dataclass
class SheetGrid:
    name: str
    rows: Grid
    date1904: bool = False
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # 0-based, inclusive
    hidden_rows: set[int] = field(default_factory=set)  # 1-based
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)  # 1-based (row, column)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # 1-based -> "#REF!" (read as "")
    # A streamed sheet: `rows` holds its first rows only and `rest` yields the others, one at a time, so
    # the whole sheet never exists as Python values (1M lines: ~1 GB less at the read's peak)
    rest: Iterator[list[object]] | None = None
    # the sheet's rows (its last row's number) when its source knows them before reading them (an .ods's
    # read.stream_ods index): the local engine's line estimate
    known_rows: int | None = None

    def whole(self) -> SheetGrid:
        """The grid with every row in `rows` (a streamed one read to its end)."""
        if self.rest is None:
            return self
        self.rows.extend(self.rest)
        self.rest = None
        return self


class XlsxBook:
    """One opened workbook: sheet names, cheap previews for choosing the charge sheet, and a full sheet.

    `package`: the facts `safety.check_input` took from the zip package while validating it; given, the
    package is not opened again here (without it, e.g. a damaged part it could not parse, it is)."""

    def __init__(self, path: Path, package: PackageFacts | None = None, kind: str = "xlsx") -> None:
        self.path = path
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except CalamineError as exc:
            raise InputFileError(workbook_message(path, exc)) from None
        except Exception as exc:  # calamine raises plain errors for some damaged parts
            raise InputFileError(
                f"{path} cannot be read ({str(exc)[:80]}); save it again from Excel"
            ) from None
        self.sheet_names = [
            meta.name for meta in self._book.sheets_metadata if str(meta.typ).endswith("WorkSheet")
        ]
        # .xls and .ods are no zip of Excel XML: calamine's values are all there is (dates come typed)
        no_package = PackageFacts(False, {}, PackageContents(()))
        self._package = no_package if kind in ("xls", "ods") else package
        self._sheets: dict[str, CalamineSheet] = {}
        self._stream: dict[str, StreamedSheet | None] = {}
        self.kind = kind

    def preview(self, name: str, nrows: int = 60) -> Grid:
        streamed = self._streamed(name)
        if streamed is not None:
            return list(itertools.islice(streamed.rows(), nrows))
        return self._sheet_rows(name, nrows)

    def _streamed(self, name: str) -> StreamedSheet | None:
        """A sheet too big for calamine's memory (see STREAM_SHEET_BYTES), read by read.stream_sheet; None
        for the others, and for one it cannot read exactly as calamine does (calamine reads it then)."""
        if name in self._stream:
            return self._stream[name]
        self._stream[name] = None
        if self.kind not in ("xlsx", "xlsm"):
            return None
        try:
            extras = self._facts().sheets.get(name, SheetExtras())
        except Exception:  # a package the validating pass could not parse either: calamine says why
            return None
        if not extras.part or extras.size <= stream_sheet_bytes():
            return None
        self._refuse_huge(name)
        try:
            self._stream[name] = StreamedSheet(self.path, extras.part, self._facts().date1904)
        except Exception:  # SheetFormatError, or parts it cannot parse: calamine reads it, or says why not
            return None
        return self._stream[name]

    def grid(self, name: str, head: int | None = None) -> SheetGrid:
        """The sheet's cells. `head`: stream it: the first `head` rows in `rows`, the others from `rest`
        as they are read (calamine's copy of the cells is dropped when `rest` ends)."""
        streamed = self._streamed(name)
        rest: Iterator[list[object]] | None = None
        if streamed is not None:
            merged = list(streamed.merged)
            rest = _rows_of(streamed, self.path)
            rows = list(rest) if head is None else [row for _, row in zip(range(head), rest, strict=False)]
            rest = None if head is None else rest
            return self._sheet_grid(name, rows, merged, rest)
        sheet = self._sheet(name)
        merged = [((a[0], a[1]), (b[0], b[1])) for a, b in (sheet.merged_cell_ranges or [])]
        if head is None or sheet.start is None:
            rows = self._sheet_rows(name, None)
            del self._sheets[name]  # calamine's own copy of the cells (~1 GB at 1M lines) is not needed again
        else:
            del self._sheets[name]  # the iterator below holds it until the last row
            rest = _rows_from_a1(sheet, self.path)
            rows = [row for _, row in zip(range(head), rest, strict=False)]
        return self._sheet_grid(name, rows, merged, rest)

    def _sheet_grid(
        self,
        name: str,
        rows: Grid,
        merged: list[tuple[tuple[int, int], tuple[int, int]]],
        rest: Iterator[list[object]] | None,
    ) -> SheetGrid:
        package = self._facts()
        extras = package.sheets.get(name, SheetExtras())
        return SheetGrid(
            name=name,
            rows=rows,
            date1904=package.date1904,
            merged=merged,
            hidden_rows=set(extras.hidden_rows),
            formulas_without_value=set(extras.formulas_without_value),
            error_cells=dict(extras.error_cells),
            rest=rest,
        )

    def _sheet(self, name: str) -> CalamineSheet:
        # calamine parses the whole sheet on first access; keep it for the preview and the full read
        if name not in self._sheets:
            self._refuse_huge(name)
            try:
                self._sheets[name] = self._book.get_sheet_by_name(name)
            except CalamineError as exc:
                raise InputFileError(workbook_message(self.path, exc)) from None
        return self._sheets[name]

    def _sheet_rows(self, name: str, nrows: int | None) -> Grid:
        try:
            return self._sheet(name).to_python(skip_empty_area=False, nrows=nrows)  # type: ignore[return-value]
        except CalamineError as exc:
            raise InputFileError(workbook_message(self.path, exc)) from None

    def _refuse_huge(self, name: str) -> None:
        """Before calamine reads a sheet densely from A1 to its last cell (a stray cell at XFD1048576 would
        ask for 17 billion cells and abort the process): its extent, from the package XML."""
        try:
            extras = self._facts().sheets.get(name, SheetExtras())
        except Exception:  # a package the validating pass could not parse either: calamine says why
            return
        rows, columns = extras.extent
        allowed = allowed_cells(extras)
        if rows * columns > allowed:
            raise InputFileError(
                f"{self.path}: sheet '{name}' reaches row {rows:,} and column {columns:,} "
                f"({rows * columns:,} cells, more than the {allowed:,} rvucheck reads for its "
                f"{extras.cells:,} cells); delete the cells far from the data (Ctrl+End shows the last one) "
                "and save it again"
            )

    def _facts(self) -> PackageFacts:
        if self._package is None:
            with zipfile.ZipFile(self.path) as archive:
                self._package = package_facts(archive)
        return self._package


def _rows_of(streamed: StreamedSheet, path: Path) -> Iterator[list[object]]:
    try:
        yield from streamed.rows()
    except SheetFormatError as exc:  # found only past the first rows: calamine would have refused it too
        raise InputFileError(
            f"{path} cannot be read as a workbook ({exc}); open it in Excel and save it again"
        ) from None
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, ValueError) as exc:
        raise InputFileError(f"{path} cannot be read ({str(exc)[:80]}); save it again from Excel") from None


def stream_sheet_bytes() -> int:
    """Sheets whose XML is larger than this are streamed (read.stream_sheet) instead of parsed whole by
    calamine, whose own copy of the cells would take ~2x the XML's size before the first row is read.
    RVUCHECK_STREAM_SHEET_MB sets it (0: stream every sheet)."""
    setting = os.environ.get("RVUCHECK_STREAM_SHEET_MB", "")
    return int(setting) << 20 if setting.isdigit() else STREAM_SHEET_BYTES


def _rows_from_a1(sheet: CalamineSheet, path: Path) -> Iterator[list[object]]:
    """The rows of `to_python(skip_empty_area=False)`, one at a time: calamine's `iter_rows` yields every
    row from row 1 but only the columns from the first used one (the blanks left of it are put back)."""
    pad: list[object] = [""] * sheet.start[1]  # type: ignore[index]
    try:
        for row in sheet.iter_rows():
            cells: list[object] = row  # type: ignore[assignment]  # list is invariant; the values are read only
            yield pad + cells if pad else cells
    except CalamineError as exc:
        raise InputFileError(workbook_message(path, exc)) from None


def workbook_message(path: Path, exc: Exception) -> str:
    """The one line for a workbook calamine (or read.stream_ods) cannot read: the file, why, what to do."""
    if "password" in type(exc).__name__.lower():
        return f"{path} is password-protected; remove the password in Excel and save a copy"
    return f"{path} cannot be read as a workbook ({str(exc)[:80]}); open it in Excel and save it again"


def read_csv_grid(path: Path) -> SheetGrid:
    """A CSV as a grid (sheet name = file stem, as Excel names it when it opens a CSV)."""
    text = _decode(path.read_bytes())
    rows: Grid = list(_records(io.StringIO(text, newline=""), text[:SNIFF_CHARS], path))
    return SheetGrid(name=sheet_title(path.stem), rows=rows)


def stream_csv(path: Path) -> Iterator[list[object]]:
    """A CSV's rows one at a time, decoded and split exactly as read_csv_grid reads them (the encoding is
    decided by a first pass over the bytes, in blocks), so the whole file never exists as text or cells."""
    encoding, errors = _encoding(path)
    with path.open(encoding=encoding, errors=errors, newline="") as handle:
        sample = handle.read(SNIFF_CHARS)
        handle.seek(0)
        yield from _records(handle, sample, path)


SNIFF_CHARS = 65_536  # a CSV's dialect is sniffed from its first characters


def sniff_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The dialect a CSV is split with, sniffed from its first SNIFF_CHARS characters (Excel's when the
    sniffer cannot tell). The Spark workers split a CSV's text lines with it too (batch.spark_csv)."""
    try:
        return csv.Sniffer().sniff(sample[:SNIFF_CHARS], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _records(handle: IO[str], sample: str, path: Path) -> Iterator[list[object]]:
    reader = csv.reader(handle, sniff_dialect(sample))
    try:
        for record in reader:
            # one record = one row, as Excel shows a CSV (a quoted line break stays inside the cell)
            yield list(record)
    except csv.Error as exc:
        raise InputFileError(
            f"{path}: line {reader.line_num} is not valid CSV ({exc}); export it again"
        ) from None


def sheet_title(stem: str) -> str:
    """The sheet name Excel gives a CSV it opens: the file's stem, without the characters a sheet name
    cannot hold ([ ] : * ? / \\ and control characters: openpyxl refuses them) and at most 31 long."""
    title = re.sub(r"[\[\]:*?/\\\x00-\x1f\x7f-\x9f]", "_", stem).strip("'")[:31]
    return title or "Sheet1"


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Windows exports; undefined bytes become U+FFFD


def _encoding(path: Path) -> tuple[str, str]:
    """(encoding, errors) with which _decode would decode the file's bytes, found a block at a time."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as handle:
        first = handle.read(1 << 20)
        if first.startswith(codecs.BOM_UTF16_LE) or first.startswith(codecs.BOM_UTF16_BE):
            return "utf-16", "strict"
        try:
            block = first
            while block:
                decoder.decode(block)
                block = handle.read(1 << 20)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252", "replace"
    return "utf-8-sig", "strict"
