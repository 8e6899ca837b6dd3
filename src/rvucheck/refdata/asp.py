"""Medicare Part B drug payment limits (CMS's quarterly "ASP pricing file"), kind "asp", one dataset per
quarter ("asp-2025Q4.sqlite").

The file is known by its title row ("Payment Allowance Limits for Medicare Part B Drugs") and its header
(`HCPCS Code, Short Description, HCPCS Code Dosage, Payment Limit, ...`); its quarter comes from the title
block's "Effective October 1, 2025 through December 31, 2025". Only the code, the billing unit and the limit
are kept. A lookup uses the quarter in effect on the date, or the nearest installed one, and says which.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sqlite3
from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.refdata.store import DatasetInfo, Recognized, Store, imported
from rvucheck.refdata.types import DrugPrice

KIND = "asp"
TITLE = "payment allowance limits for medicare part b drugs"
HEADER = ("hcpcs code", "short description", "hcpcs code dosage", "payment limit")
_EFFECTIVE = re.compile(r"effective\s+([a-z]+ \d{1,2}, \d{4})\s+through\s+([a-z]+ \d{1,2}, \d{4})", re.I)
_CODE = re.compile(r"[0-9A-Z]{5}")
LIMIT_COLUMNS = (3, 6, 8)  # Payment Limit, Vaccine Limit, Blood limit
NOT_PRICED = frozenset({"", "N/A", "NA"})
SCHEMA = """
    CREATE TABLE asp (hcpcs TEXT PRIMARY KEY, dosage TEXT NOT NULL, payment_limit REAL NOT NULL)
    WITHOUT ROWID;
"""


def _rows(path: Path, limit: int | None = None) -> list[list[str]]:
    with path.open(encoding="latin-1", newline="") as handle:
        reader = csv.reader(handle)
        rows = []
        for row in reader:
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
        return rows


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text.title(), "%B %d, %Y").date()


def recognize(path: Path) -> Recognized | None:
    """A CMS ASP pricing file (csv), known by its title and header rows; None for any other file."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".csv":
        return None
    try:
        head = _rows(path, 20)
    except (OSError, csv.Error):
        return None
    cells = [" ".join(c.split()).lower() for row in head for c in row[:1]]
    if not cells or TITLE not in cells[0] or not any(_header_at(row) for row in head):
        return None
    span = next((m for c in cells if (m := _EFFECTIVE.search(c))), None)
    if span is None:
        raise InputFileError(
            f"{path}: an ASP pricing file without its 'Effective ... through ...' title row; "
            "install the file as CMS published it"
        )
    start = _date(span.group(1))
    quarter = (start.month - 1) // 3 + 1
    return Recognized(
        kind=KIND,
        dataset_id=f"{start.year}Q{quarter}",
        role="ASP",
        path=path,
        meta=(("from", start.isoformat()), ("to", _date(span.group(2)).isoformat())),
    )


def _header_at(row: list[str]) -> bool:
    return tuple(" ".join(c.split()).lower() for c in row[:4]) == HEADER


def import_group(store: Store, group: list[Recognized]) -> DatasetInfo:
    """Import one quarter's ASP file into `asp-<quarter>.sqlite` (all or nothing)."""
    item = sorted(group, key=lambda i: i.path.name)[0]
    meta = dict(item.meta)
    start, end = dt.date.fromisoformat(meta["from"]), dt.date.fromisoformat(meta["to"])
    rows = _prices(item.path)
    label = f"Medicare Part B drug payment limits (ASP) {item.dataset_id}"
    info = imported(
        group, label, "ASP", {"rows": len(rows)}, (start, end), start.year, (start.month + 2) // 3
    )
    with store.writing(info) as con:
        con.executescript(SCHEMA)
        con.executemany("INSERT INTO asp VALUES (?, ?, ?)", rows)
    return store.installed(KIND, item.dataset_id)


def _prices(path: Path) -> list[tuple[str, str, float]]:
    """(code, billing unit, payment limit) per priced code. The limit is the Payment Limit column, or the
    vaccine or blood limit where CMS gives those instead; codes CMS lists as N/A (not ASP-priced) are left
    out."""
    rows = _rows(path)
    start = next(i for i, row in enumerate(rows) if _header_at(row)) + 1
    found: dict[str, tuple[str, str, float]] = {}
    for number, row in enumerate(rows[start:], start + 1):
        code = row[0].strip().upper() if row else ""
        if not code:
            continue
        if not _CODE.fullmatch(code) or code in found:
            raise InputFileError(f"{path}: line {number}: {code!r} is not a HCPCS code, or is listed twice")
        limits = [row[i] for i in LIMIT_COLUMNS if i < len(row)]
        limit = next((v for text in limits if (v := _number(text)) is not None), None)
        if limit is None:
            if any(text.strip() not in NOT_PRICED for text in limits):
                raise InputFileError(
                    f"{path}: line {number}: the payment limit of {code} is not a number; "
                    "install the file as CMS published it"
                )
            continue
        found[code] = (code, row[2].strip(), limit)
    return list(found.values())


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("$", "").strip())
    except ValueError:
        return None


class AspData:
    """Lookups over every installed ASP quarter."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._quarters = sorted(store.datasets(KIND), key=lambda i: i.effective_from or dt.date.min)
        self._tables: dict[str, dict[str, tuple[str, float]]] = {}

    def price(self, hcpcs: str, on: dt.date | None = None) -> DrugPrice | None:
        if not self._quarters:
            return None
        info = self._quarter(on)
        table = self._table(info.dataset_id)
        found = table.get(hcpcs.strip().upper())
        if found is None:
            return None
        assert info.effective_from is not None and info.effective_to is not None
        return DrugPrice(
            hcpcs.strip().upper(),
            found[0],
            found[1],
            f"ASP {info.dataset_id}",
            info.effective_from,
            info.effective_to,
        )

    def _quarter(self, on: dt.date | None) -> DatasetInfo:
        if on is None:
            return self._quarters[-1]
        covering = [q for q in self._quarters if q.covers(on)]
        if covering:
            return covering[-1]
        before = [q for q in self._quarters if (q.effective_from or dt.date.min) <= on]
        return before[-1] if before else self._quarters[0]

    def _table(self, dataset_id: str) -> dict[str, tuple[str, float]]:
        table = self._tables.get(dataset_id)
        if table is None:
            con: sqlite3.Connection = self._store.connect(KIND, dataset_id)
            try:
                rows = con.execute("SELECT hcpcs, dosage, payment_limit FROM asp").fetchall()
            finally:
                con.close()
            table = self._tables[dataset_id] = {code: (dosage, limit) for code, dosage, limit in rows}
        return table
