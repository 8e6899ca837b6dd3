"""The simple-icd-10-cm package's ICD-10-CM code set, kept in the store; `CodeSet`: one code set's states.

Parsing the package's tabular XML takes about two seconds on every start; doing it once at install time and
keeping (code, billable) in the store makes diagnosis checks cheap for every run after. The code set is the
one the installed package ships (one ICD-10-CM update, in force from its month to the next update); the
dataset records which. CMS's fiscal-year files (icd_files.py) hold the other years, in the same table.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
import sqlite3
from collections.abc import Callable
from importlib import resources

from rvucheck.refdata.store import DatasetInfo, Store

KIND = "icd10cm"
MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}


def package_code_set_id() -> tuple[str, dt.date | None]:
    """("2026-04", 2026-04-01) from the package's data file name `code-list-April-2026.txt`."""
    names = [p.name for p in resources.files("simple_icd_10_cm.data").iterdir()]
    for name in names:
        found = re.match(r"code-list-([A-Za-z]+)-(\d{4})\.txt$", name)
        if found and found.group(1).lower() in MONTHS:
            month, year = MONTHS[found.group(1).lower()], int(found.group(2))
            return f"{year}-{month:02d}", dt.date(year, month, 1)
    return importlib.metadata.version("simple-icd-10-cm"), None


def install_code_set(store: Store) -> DatasetInfo:
    """Write the package's code set into the store (replaces an earlier install of the same update)."""
    import simple_icd_10_cm as icd  # parses the XML: the slow step this dataset exists to avoid

    dataset_id, starts = package_code_set_id()
    # ICD-10-CM updates take effect Oct 1 (fiscal year) and Apr 1; an update is in force until the next.
    ends = None
    if starts:
        ends = dt.date(starts.year, 9, 30) if starts.month < 10 else dt.date(starts.year + 1, 3, 31)
    info = DatasetInfo(
        kind=KIND,
        dataset_id=dataset_id,
        year=starts.year if starts else None,
        quarter=None,
        effective_from=starts,
        effective_to=ends,
        label=f"ICD-10-CM code set {dataset_id} (from simple-icd-10-cm "
        f"{importlib.metadata.version('simple-icd-10-cm')})",
        contents=("ICD10CM",),
        sources=({"file": "simple-icd-10-cm package", "sha256": "", "role": "ICD10CM"},),
        meta={},
        installed_at="",
    )
    with store.writing(info) as con:
        con.execute("CREATE TABLE codes (code TEXT PRIMARY KEY, billable INTEGER NOT NULL)")
        con.executemany(
            "INSERT OR IGNORE INTO codes VALUES (?, ?)",
            (
                (code.replace(".", ""), int(icd.is_leaf(code)))
                for code in icd.get_all_codes(with_dots=True)
                if icd.is_category_or_subcategory(code)
            ),
        )
    return info


def ensure_package_dataset(
    store: Store, kind: str, install: Callable[[Store], DatasetInfo]
) -> DatasetInfo | None:
    """Install a dataset made from the simple-icd-10-cm package (its code set, its Excludes1 notes) unless
    the package's update is already in the store as that kind."""
    dataset_id, _ = package_code_set_id()
    if any(d.dataset_id == dataset_id for d in store.datasets(kind)):
        return None
    return install(store)


def ensure_code_set(store: Store) -> DatasetInfo | None:
    """Install the package's code set unless that update is already in the store."""
    return ensure_package_dataset(store, KIND, install_code_set)


class CodeSet:
    """Diagnosis states from the installed code set: "billable", "header" (has subcodes) or "invalid"."""

    def __init__(self, billable: dict[str, bool], info: DatasetInfo | None) -> None:
        self._billable = billable
        self.info = info

    @classmethod
    def open(cls, store: Store, info: DatasetInfo | None = None) -> CodeSet:
        """One installed code set (ICD-10-CM or ICD-9-CM: same table); the newest ICD-10-CM one by default."""
        if info is None:
            installed = store.datasets(KIND)
            if not installed:
                return cls.from_package()
            info = installed[0]
        con: sqlite3.Connection = store.connect(info.kind, info.dataset_id)
        try:
            table = {
                code: bool(billable) for code, billable in con.execute("SELECT code, billable FROM codes")
            }
        finally:
            con.close()
        return cls(table, info)

    @classmethod
    def from_package(cls) -> CodeSet:
        """Slow path when the store has no code set (an install from before it existed)."""
        import simple_icd_10_cm as icd

        table = {
            code.replace(".", ""): icd.is_leaf(code)
            for code in icd.get_all_codes(with_dots=True)
            if icd.is_category_or_subcategory(code)
        }
        return cls(table, None)

    def state(self, code: str) -> str:
        billable = self._billable.get(code.strip().upper().replace(".", ""))
        if billable is None:
            return "invalid"
        return "billable" if billable else "header"
