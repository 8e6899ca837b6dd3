"""CMS's lab national coverage determinations (NCD manual 190.12-190.34): the ICD-10 edit spreadsheet of a
quarterly change request ("2026100-Initial-ICD10-NCD-Spreadsheet-20250721.xlsx"), kind "labncd", one dataset
per change request ("labncd-2026100.sqlite").

The sheet lists, per NCD (190.20A/190.20B ... where one NCD has two code lists), the CPT/HCPCS codes it
covers (with effective/termination dates) and ICD-10-CM codes with dates and a resolution code: 1 covered by
Medicare, 2 denied (never covered for the test), 3 does not support medical necessity. A row with the code
`@@@@@@@` gives the resolution of every code not listed (3 for most NCDs; 1 for blood counts, 190.15, whose
list names the codes that are not covered). Kept: the codes, their dates and resolution; of the descriptions
only the NCDs' titles.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from rvucheck.errors import InputFileError
from rvucheck.refdata.store import DatasetInfo, Recognized, Store, imported

KIND = "labncd"
COVERED, DENIED, NOT_NECESSARY = 1, 2, 3
ALL_OTHERS = "@@@@@@@"
_NAME = re.compile(r"(?P<cr>\d{7})-.*icd-?10-ncd-spreadsheet.*\.xlsx$", re.I)
_HCPCS = re.compile(r"[0-9A-Z]\d{3}[0-9A-Z]")
_ICD = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}")
Span = tuple[dt.date, dt.date | None]
SCHEMA = """
    CREATE TABLE ncds (ncd TEXT PRIMARY KEY, title TEXT NOT NULL, other INTEGER NOT NULL);
    CREATE TABLE tests (ncd TEXT, hcpcs TEXT, start TEXT, end TEXT);
    CREATE TABLE dx (ncd TEXT, code TEXT, start TEXT, end TEXT, resolution INTEGER);
"""


def recognize(path: Path) -> Recognized | None:
    """CMS's lab NCD ICD-10 spreadsheet (xlsx), known by its name and its header rows."""
    path = Path(path)
    found = _NAME.search(path.name)
    if not found or not path.is_file():
        return None
    rows = _sheet(path)
    if _header_end(rows) is None:
        return None
    return Recognized(KIND, found["cr"], "NCD_ICD10", path)


def _sheet(path: Path) -> list[list[Any]]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        rows: list[list[Any]] = book.get_sheet_by_index(0).to_python()
    except Exception as exc:  # calamine raises its own error types for a damaged workbook
        raise InputFileError(f"{path}: cannot read this workbook ({exc}); download it again") from None
    return rows


def _header_end(rows: list[list[Any]]) -> int | None:
    """The index of the first data row: after the header rows 'NCD / CPT/HCPCS / ICD-10' and 'Number ...'."""
    for index, row in enumerate(rows[:20]):
        cells = [" ".join(str(cell).split()).upper() for cell in row[:6]]
        if len(cells) == 6 and cells[0] == "NCD" and cells[2] == "CPT/HCPCS" and cells[5] == "ICD-10":
            return index + 2
    return None


def import_group(store: Store, group: list[Recognized]) -> DatasetInfo:
    """Import one change request's spreadsheet into `labncd-<cr>.sqlite` (all or nothing)."""
    item = group[0]
    ncds, tests, codes = _parse(item.path)
    label = f"Lab NCD ICD-10 edits, change request {item.dataset_id} ({len(ncds)} code lists, CMS)"
    info = imported([item], label, "LABNCD", {"ncds": len(ncds), "tests": len(tests), "dx": len(codes)})
    with store.writing(info) as con:
        con.executescript(SCHEMA)
        con.executemany("INSERT INTO ncds VALUES (?, ?, ?)", ncds)
        con.executemany("INSERT INTO tests VALUES (?, ?, ?, ?)", tests)
        con.executemany("INSERT INTO dx VALUES (?, ?, ?, ?, ?)", codes)
    return store.installed(KIND, info.dataset_id)


def _parse(path: Path) -> tuple[list[Any], list[Any], list[Any]]:
    rows = _sheet(path)
    start = _header_end(rows)
    if start is None:
        raise InputFileError(f"{path}: not CMS's lab NCD spreadsheet (no 'NCD ... ICD-10' header rows)")
    titles: dict[str, str] = {}
    others: dict[str, int] = {}
    tests, codes = [], []
    for number, row in enumerate(rows[start:], start + 1):
        if len(row) < 9 or row[0] in ("", None):
            continue
        ncd = _ncd(row[0])
        if row[1]:
            titles.setdefault(ncd, " ".join(str(row[1]).split()))
        hcpcs = _text(row[2])
        if hcpcs:
            if not _HCPCS.fullmatch(hcpcs):
                raise InputFileError(f"{path}: row {number}: {hcpcs!r} is not a CPT/HCPCS code")
            tests.append((ncd, hcpcs, _iso(row[3]) or "1900-01-01", _iso(row[4])))
        code, resolution = _text(row[5]), _resolution(row[8])
        if code == ALL_OTHERS and resolution:
            others[ncd] = resolution
        elif code and resolution:
            if not _ICD.fullmatch(code):
                raise InputFileError(f"{path}: row {number}: {code!r} is not an ICD-10-CM code")
            codes.append((ncd, code, _iso(row[6]) or "1900-01-01", _iso(row[7]), resolution))
    names = sorted(titles.keys() | others)
    ncds = [(ncd, titles.get(ncd, ""), others.get(ncd, NOT_NECESSARY)) for ncd in names]
    return ncds, tests, codes


def _ncd(value: Any) -> str:
    text = f"{value:.2f}" if isinstance(value, float) else str(value).strip()
    return text


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):05d}"
    return str(value).strip().upper().replace(".", "") if value not in (None, "") else ""


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def _resolution(value: Any) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number in (COVERED, DENIED, NOT_NECESSARY) else None


class LabNcds:
    """The newest installed lab NCD spreadsheet, loaded on first use."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._loaded = False
        self._ncds: dict[str, tuple[str, int]] = {}  # ncd -> (title, resolution of codes not listed)
        self._tests: dict[str, list[tuple[str, Span]]] = {}  # hcpcs -> (ncd, span)
        self._dx: dict[tuple[str, str], list[tuple[int, Span]]] = {}  # (ncd, code) -> (resolution, span)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        newest = max(self._store.datasets(KIND), key=lambda i: i.dataset_id, default=None)
        if newest is None:
            return
        con = self._store.connect(KIND, newest.dataset_id)
        try:
            self._ncds = {ncd: (title, other) for ncd, title, other in con.execute("SELECT * FROM ncds")}
            for ncd, hcpcs, start, end in con.execute("SELECT * FROM tests"):
                self._tests.setdefault(hcpcs, []).append((ncd, _span(start, end)))
            for ncd, code, start, end, resolution in con.execute("SELECT * FROM dx"):
                self._dx.setdefault((ncd, code), []).append((resolution, _span(start, end)))
        finally:
            con.close()

    def ncds_of(self, hcpcs: str, on: dt.date | None) -> list[tuple[str, str]]:
        """(NCD number, title) of every lab NCD that lists the test on that date (at any date when None)."""
        self._load()
        return [
            (ncd, self._ncds.get(ncd, ("", 0))[0])
            for ncd, span in self._tests.get(hcpcs, ())
            if _holds(span, on)
        ]

    def resolution(self, ncd: str, code: str, on: dt.date | None) -> int:
        """1 covered, 2 never covered, 3 does not support medical necessity: a diagnosis for an NCD's test."""
        self._load()
        bare = code.strip().upper().replace(".", "")
        for resolution, span in self._dx.get((ncd, bare), ()):
            if _holds(span, on):
                return resolution
        return self._ncds.get(ncd, ("", NOT_NECESSARY))[1]


def _span(start: str, end: str | None) -> Span:
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end) if end else None


def _holds(span: Span, on: dt.date | None) -> bool:
    """Whether a span holds on that date (any span when there is no date: an undated line is judged by
    every list the test or the diagnosis was ever on)."""
    if on is None:
        return True
    return span[0] <= on and (span[1] is None or on <= span[1])
