"""The Medicare Code Editor's (MCE) diagnosis table, kind "mce", one dataset per MCE version ("mce-43.1").

Recognised by its name (`mce_v43.1_i10dx_master.csv`) and header (`code,start_date,end_date,flags`): one
row per ICD-10-CM code with the dates its flags hold (YYYYMMDD, an empty end is open) and the MCE edits it is
listed under, joined by `|` (manifestation, newborn, pediatric, maternity, adult, male, female, ...). The
table was decoded from CMS's MCE release (see ../shared/data/cms/PROVENANCE.md); CMS's "Definitions of
Medicare Code Edits" manual defines each list.

The age ranges of the age edits come from `mce_v43.1_age_ranges.csv` (`age_group,start_age,end_age,
start_date,end_date`: Newborn 0-0, Pediatric 0-17, Maternity 9-64 (12-55 before 2019-10-01), Adult 15-124).

Kept: the manifestation list (MCE edit 6, "manifestation code as principal diagnosis"; on a physician claim
that is the first-listed diagnosis) and the four age lists (MCE edit 4, "age conflict"). MCE's sex edits are
deactivated since 2024-10-01 (edit 5), so they are not carried over.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.refdata.store import DatasetInfo, Recognized, Store, imported

KIND = "mce"
HEADER = ("code", "start_date", "end_date", "flags")
AGE_HEADER = ("age_group", "start_age", "end_age", "start_date", "end_date")
AGE_FLAGS = ("newborn", "pediatric", "maternity", "adult")
KEPT_FLAGS = frozenset({"manifestation", *AGE_FLAGS})
_NAME = re.compile(r"mce_v(?P<version>\d+\.\d+)_(?P<table>i10dx_master|age_ranges)\.csv$", re.I)
_CODE = re.compile(r"[A-Z][0-9A-Z]{2,6}")
Span = tuple[dt.date, dt.date | None]


def recognize(path: Path) -> Recognized | None:
    """The MCE diagnosis master table (csv), known by its name and header; None for any other file."""
    path = Path(path)
    found = _NAME.search(path.name)
    if not found or not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        first = next(csv.reader(handle), [])
    ages = found["table"].lower() == "age_ranges"
    if tuple(cell.strip().lower() for cell in first) != (AGE_HEADER if ages else HEADER):
        return None
    return Recognized(KIND, found["version"], "AGE_RANGES" if ages else "DX_MASTER", path)


def import_group(store: Store, group: list[Recognized]) -> DatasetInfo:
    """Import one MCE version's flagged codes and age ranges into `mce-<version>.sqlite` (all or nothing)."""
    item = next((i for i in group if i.role == "DX_MASTER"), None)
    ranges = next((i for i in group if i.role == "AGE_RANGES"), None)
    if item is None or ranges is None:
        name = (item or ranges or group[0]).path
        raise InputFileError(
            f"{name}: the MCE diagnosis table and its age ranges are installed together; "
            "install the folder that holds both"
        )
    rows = list(_flagged(item.path))
    ages = _age_ranges(ranges.path)
    label = f"Medicare Code Editor v{item.dataset_id} diagnosis edits ({len(rows):,} flagged codes, CMS)"
    info = imported(group, label, "MCE", {"flagged": len(rows), "age_ranges": len(ages)})
    with store.writing(info) as con:
        con.execute("CREATE TABLE flags (code TEXT, flag TEXT, start TEXT, end TEXT)")
        con.executemany("INSERT INTO flags VALUES (?, ?, ?, ?)", rows)
        con.execute("CREATE TABLE ages (flag TEXT, low INTEGER, high INTEGER, start TEXT, end TEXT)")
        con.executemany("INSERT INTO ages VALUES (?, ?, ?, ?, ?)", ages)
    return store.installed(KIND, info.dataset_id)


def _data_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-empty row below a CSV's header line."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, row in enumerate(reader, start=2):
            if row:
                yield number, row


def _age_ranges(path: Path) -> list[tuple[str, int, int, str, str | None]]:
    """(flag, lowest age, highest age, start, end) per age group and span."""
    found = []
    for number, row in _data_rows(path):
        flag = row[0].strip().lower() if len(row) == len(AGE_HEADER) else ""
        if flag not in AGE_FLAGS or not (row[1].strip().isdigit() and row[2].strip().isdigit()):
            raise InputFileError(f"{path}: line {number} is not `{','.join(AGE_HEADER)}`")
        start = _date(path, number, row[3])
        if start is None:
            raise InputFileError(f"{path}: line {number} has no start date")
        found.append((flag, int(row[1]), int(row[2]), start, _date(path, number, row[4])))
    return found


def _flagged(path: Path) -> list[tuple[str, str, str, str | None]]:
    """(code, flag, start, end) for every kept flag; dates as ISO text."""
    found = []
    for number, row in _data_rows(path):
        if len(row) != len(HEADER) or not _CODE.fullmatch(row[0].strip()):
            raise InputFileError(f"{path}: line {number} is not `code,start_date,end_date,flags`")
        flags = {flag.strip().lower() for flag in row[3].split("|")} & KEPT_FLAGS
        start, end = _date(path, number, row[1]), _date(path, number, row[2])
        if start is None:
            raise InputFileError(f"{path}: line {number} has no start date")
        found += [(row[0].strip(), flag, start, end) for flag in sorted(flags)]
    return found


def _date(path: Path, number: int, text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date().isoformat()
    except ValueError:
        raise InputFileError(f"{path}: line {number}: {text!r} is not a YYYYMMDD date") from None


class MceData:
    """The newest installed MCE version's flagged codes, loaded on first use."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._tables: dict[str, dict[str, list[Span]]] | None = None
        self._ages: list[tuple[str, int, int, Span]] = []

    @cached_property
    def installed(self) -> bool:
        return bool(self._store.datasets(KIND))

    def _load(self) -> dict[str, dict[str, list[Span]]]:
        if self._tables is None:
            tables: dict[str, dict[str, list[Span]]] = {}
            newest = max(self._store.datasets(KIND), key=lambda i: _version(i.dataset_id), default=None)
            if newest is not None:
                con = self._store.connect(KIND, newest.dataset_id)
                try:
                    for code, flag, start, end in con.execute("SELECT code, flag, start, end FROM flags"):
                        tables.setdefault(flag, {}).setdefault(code, []).append(_span(start, end))
                    ages = con.execute("SELECT flag, low, high, start, end FROM ages").fetchall()
                    self._ages = [(flag, lo, hi, _span(start, end)) for flag, lo, hi, start, end in ages]
                finally:
                    con.close()
            self._tables = tables
        return self._tables

    def has_flag(self, flag: str, code: str, on: dt.date | None) -> bool:
        """Whether `code` (dots allowed) is on the MCE list `flag` on that date (on any date when None)."""
        spans = self._load().get(flag, {}).get(code.strip().upper().replace(".", ""))
        if not spans:
            return False
        return on is None or any(_within(span, on) for span in spans)

    def age_conflict(self, code: str, age: int, on: dt.date | None) -> tuple[str, int, int] | None:
        """The MCE age list (flag, lowest, highest age) that `code` is on and `age` falls outside of, on
        that date (the newest ranges when None); None when there is no conflict."""
        for flag in AGE_FLAGS:
            if self.has_flag(flag, code, on):
                for name, low, high, span in self._ages:
                    if name == flag and _current(span, on) and not low <= age <= high:
                        return flag, low, high
        return None


def _span(start: str, end: str | None) -> Span:
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end) if end else None


def _current(span: Span, on: dt.date | None) -> bool:
    """Whether a span holds on that date (the open, newest span when there is no date)."""
    return _within(span, on) if on else span[1] is None


def _within(span: Span, on: dt.date) -> bool:
    return span[0] <= on and (span[1] is None or on <= span[1])


def _version(dataset_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in dataset_id.split(".") if part.isdigit())
