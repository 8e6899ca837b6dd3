"""Which diagnosis code set is in force on a date of service, and a code judged by it.

- Before 2015-10-01: ICD-9-CM (the installed version of the date's fiscal year, else the nearest one; CMS's
  v32 stands in for the earlier years, so a code deleted before 2014 is called invalid).
- From 2015-10-01: the ICD-10-CM set whose span covers the date (an April update over its fiscal year's set).
  The fiscal year after the newest installed set is judged by that set, marked as a stand-in (as a date after
  the newest NCCI quarter or PFS release is: the engine says so once). Any other date no installed set covers
  (FY2016, MIMIC's shifted 2100s) is not judged.
- No date: the newest ICD-10-CM set, for lookups (`rvucheck code`-style); the engine judges no undated line.

A code that is not in the set in force but is a code of the other system is "other": ICD-9's 4019 on a 2019
claim, ICD-10's I10 on a 2012 one. Where the code is written with its dot, the dot's place says which system
it was written in (ICD-9's E888.9 is not ICD-10's E88.89, though both read E8889 without the dot).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from rvucheck.refdata.icd10cm import CodeSet
from rvucheck.refdata.icd_files import ICD9_KIND, ICD9_SYSTEM, ICD10_KIND, ICD10_REQUIRED_FROM, ICD10_SYSTEM
from rvucheck.refdata.store import DatasetInfo, Store
from rvucheck.refdata.types import DxCodeSet

_UNSET = DxCodeSet("", "", "")  # "not looked up yet" in the per-date cache (None means "no set covers it")


class DxSets:
    """The installed ICD-10-CM and ICD-9-CM code sets of a store, each loaded on first use."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.icd10 = store.datasets(ICD10_KIND)  # newest effective date first
        self.icd9 = store.datasets(ICD9_KIND)
        self._infos = {_key(info): info for info in (*self.icd10, *self.icd9)}
        self._tables: dict[str, CodeSet] = {}
        self._by_date: dict[dt.date | None, DxCodeSet | None] = {}
        self._states: dict[tuple[str, str], str] = {}

    def code_set(self, on: dt.date | None) -> DxCodeSet | None:
        found = self._by_date.get(on, _UNSET)
        if found is _UNSET:
            info = self._choose(on)
            found = _describe(info) if info else None
            if found and on and info and info.effective_to and on > info.effective_to:
                found = dataclasses.replace(found, stand_in=f"FY{fiscal_year(on)}")
            self._by_date[on] = found
        return found

    def _stand_in(self, on: dt.date) -> DatasetInfo | None:
        """The newest ICD-10-CM set, for a date of the fiscal year after it (whose set is not installed)."""
        newest = max(self.icd10, key=lambda info: info.effective_to or dt.date.max, default=None)
        end = newest.effective_to if newest else None
        if newest and end and end < on and fiscal_year(on) == fiscal_year(end) + 1:
            return newest
        return None

    def _choose(self, on: dt.date | None) -> DatasetInfo | None:
        if on is None:
            return self.icd10[0] if self.icd10 else None
        if on >= ICD10_REQUIRED_FROM:
            return next((info for info in self.icd10 if info.covers(on)), None) or self._stand_in(on)
        nearest = sorted(self.icd9, key=lambda info: _distance(info, on))  # 0 for the one covering the date
        return nearest[0] if nearest else None

    def load(self, on: dt.date | None) -> None:
        """Load the code set in force on that date now (it is otherwise loaded by the first code judged)."""
        code_set = self.code_set(on)
        if code_set is not None:
            self._table(code_set.key)

    def state(self, code: str, on: dt.date | None) -> str:
        code_set = self.code_set(on)
        if code_set is None:
            return "unjudged"
        key = (code, code_set.key)
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = self._judge(code.strip().upper(), code_set)
        return state

    def _judge(self, written: str, code_set: DxCodeSet) -> str:
        bare = written.replace(".", "")
        if written_as(written, code_set.system):
            state = self._table(code_set.key).state(bare)
            if state != "invalid":
                return state
        other = self._other(code_set.system)
        if other and written_as(written, other.system) and self._table(other.key).state(bare) != "invalid":
            return "other"
        return "invalid"

    def _other(self, system: str) -> DxCodeSet | None:
        """The other system's set to recognise its codes by: the newest ICD-9-CM, the oldest ICD-10-CM."""
        infos = self.icd9[:1] if system == ICD10_SYSTEM else self.icd10[-1:]
        return _describe(infos[0]) if infos else None

    def _table(self, key: str) -> CodeSet:
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = CodeSet.open(self.store, self._infos[key])
        return table


def fiscal_year(on: dt.date) -> int:
    """The federal fiscal year of a date (FY2018 = 2017-10-01 .. 2018-09-30)."""
    return on.year + 1 if on.month >= 10 else on.year


def written_as(code: str, system: str) -> bool:
    """Whether a code's dot (if it has one) sits where that system puts it: after the 3-character category
    (ICD-9 E codes: after 4)."""
    if "." not in code:
        return True
    head, _, tail = code.partition(".")
    if "." in tail:
        return False
    return len(head) == (4 if system == ICD9_SYSTEM and head.startswith("E") else 3)


def _key(info: DatasetInfo) -> str:
    return f"{info.kind}-{info.dataset_id}"


def _describe(info: DatasetInfo) -> DxCodeSet:
    system = ICD9_SYSTEM if info.kind == ICD9_KIND else ICD10_SYSTEM
    return DxCodeSet(_key(info), system, f"{system} {info.dataset_id}")


def _distance(info: DatasetInfo, on: dt.date) -> int:
    start = info.effective_from or dt.date.min
    end = info.effective_to or dt.date.max
    return (start - on).days if on < start else max(0, (on - end).days)
