"""CMS's anesthesia base units by CPT code ("CY_<year>_Anesthesia_Base_Units"), kind "anes_base", one
dataset per year ("anes_base-2022.sqlite").

Known by its content: the tab-separated text version CMS publishes beside the workbook (its "Section 508
compliant version") starts `CODE<TAB><year>`, then `<TAB>BASE`, `<TAB>UNIT`, then one `code<TAB>units` row per
anesthesia code (00100-01999). The newest installed year answers every date (CMS changes base units rarely;
the page names the year).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.refdata.store import DatasetInfo, Recognized, Store, imported

KIND = "anes_base"
_FIRST = re.compile(r"^\s*CODE\s+(\d{4})\s*$", re.I)
_ROW = re.compile(r"^\s*(0[01]\d{3})\s+(\d+(?:\.\d+)?)\s*$")
SCHEMA = "CREATE TABLE base (hcpcs TEXT PRIMARY KEY, units REAL NOT NULL) WITHOUT ROWID;"


def _lines(path: Path, limit: int | None = None) -> list[str]:
    with path.open(encoding="latin-1") as handle:
        return [line for _n, line in zip(range(limit or 10**6), handle, strict=False)]


def recognize(path: Path) -> Recognized | None:
    """The text version of CMS's anesthesia base-unit file; None for any other file."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".txt" or path.stat().st_size > 1_000_000:
        return None
    try:
        head = [line.strip() for line in _lines(path, 4)]
    except OSError:
        return None
    first = _FIRST.match(head[0].lstrip("\ufeff")) if head else None
    if first is None or [h.upper() for h in head[1:3]] != ["BASE", "UNIT"]:
        return None
    return Recognized(kind=KIND, dataset_id=first.group(1), role="ANESBASE", path=path, meta=())


def _rows(path: Path) -> list[tuple[str, float]]:
    found: dict[str, float] = {}
    for number, line in enumerate(_lines(path)[3:], 4):
        if not line.strip():
            continue
        match = _ROW.match(line)
        if match is None or match.group(1) in found:
            raise InputFileError(
                f"{path}: line {number} is not 'code<TAB>base units' (or lists a code twice); "
                "install the file as CMS published it"
            )
        found[match.group(1)] = float(match.group(2))
    if not found:
        raise InputFileError(f"{path}: no base units found; install the file as CMS published it")
    return list(found.items())


def import_group(store: Store, group: list[Recognized]) -> DatasetInfo:
    """Import one year's base units into `anes_base-<year>.sqlite` (all or nothing)."""
    item = sorted(group, key=lambda i: i.path.name)[0]
    rows = _rows(item.path)
    label = f"CMS anesthesia base units CY{item.dataset_id}"
    info = imported(group, label, "ANESBASE", {"rows": len(rows)}, year=int(item.dataset_id))
    with store.writing(info) as con:
        con.executescript(SCHEMA)
        con.executemany("INSERT INTO base VALUES (?, ?)", rows)
    return store.installed(KIND, item.dataset_id)


class AnesBase:
    """Base units from the newest installed year."""

    def __init__(self, store: Store) -> None:
        years = sorted(store.datasets(KIND), key=lambda i: i.dataset_id)
        self.year = years[-1].dataset_id if years else ""
        self._units: dict[str, float] = {}
        if years:
            con: sqlite3.Connection = store.connect(KIND, self.year)
            try:
                self._units = dict(con.execute("SELECT hcpcs, units FROM base").fetchall())
            finally:
                con.close()

    def units(self, hcpcs: str) -> float | None:
        return self._units.get(hcpcs.strip().upper())
