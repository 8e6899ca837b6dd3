"""`Reference`: every lookup over the installed CMS data (the `ReferenceData` protocol in types.py).

PFS rows are loaded into a dict per release on first use (one SQLite read), so in-process lookups are
dictionary hits. NCCI lookups are delegated to `refdata.ncci.NcciData` when that module and data exist.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sqlite3
from collections.abc import Set
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.errors import DataNotInstalled
from rvucheck.model import DocRequirement
from rvucheck.refdata import documentation
from rvucheck.refdata.anes_base import AnesBase
from rvucheck.refdata.asp import AspData
from rvucheck.refdata.calendar import quarter_of
from rvucheck.refdata.code_classes import class_of, mue_tables
from rvucheck.refdata.excludes1 import Excludes1
from rvucheck.refdata.lab_ncd import LabNcds
from rvucheck.refdata.locality_search import UnknownLocality, resolve
from rvucheck.refdata.mce import MceData
from rvucheck.refdata.modifiers import modifier_table
from rvucheck.refdata.pfs.layouts import PPRRVU_FIELDS
from rvucheck.refdata.pricing import formula as pay
from rvucheck.refdata.selection import choose_release, companion_for
from rvucheck.refdata.single_codes import single_code
from rvucheck.refdata.store import DatasetInfo, Store
from rvucheck.refdata.types import (
    CategoryStats,
    CodeClass,
    DrugPrice,
    DxCodeSet,
    Fee,
    Locality,
    Modifier,
    Mue,
    PtpEdit,
    ReleaseChoice,
    RvuRow,
    TimeTable,
)

if TYPE_CHECKING:
    from rvucheck.refdata.code_sets import DxSets


# Single-row reads of a release before it is loaded whole: `rvucheck code` reads a handful, a month thousands
SINGLE_READS = 64


class Reference:
    """Installed PFS releases (and NCCI quarters) of one data dir."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.datasets: list[DatasetInfo] = store.datasets("pfs")
        self.rvu_releases = [d for d in self.datasets if "RVU" in d.contents]
        self._rows: dict[str, dict[tuple[str, str], RvuRow]] = {}
        self._localities: dict[str, dict[str, Locality]] = {}
        self._choices: dict[dt.date | None, ReleaseChoice] = {}
        self._codes: dict[str, frozenset[str]] = {}
        self._categories: dict[str, dict[str, list[float]]] = {}
        self._dx_sets: DxSets | None = None
        self._single_reads: dict[str, int] = {}

    @classmethod
    def open(cls, data_dir: Path | str | None = None) -> Reference:
        return cls.open_store(Store(data_dir))

    @classmethod
    def open_store(cls, store: Store) -> Reference:
        """The reference data of `store` (a read-only one on a batch worker: see Store)."""
        ref = cls(store)
        if not ref.rvu_releases:
            raise DataNotInstalled(
                f"no CMS fee schedule installed in {store.data_dir}: run `rvucheck data install` "
                "(or `rvucheck data install --from FOLDER_OR_ZIP` with the CMS files)"
            )
        return ref

    # ------------------------------------------------------------------ releases

    def release_for(self, on: dt.date | None = None) -> ReleaseChoice:
        if on not in self._choices:
            self._choices[on] = choose_release(self.rvu_releases, on)
        return self._choices[on]

    def installed_releases(self) -> tuple[str, ...]:
        return tuple(d.dataset_id for d in self.rvu_releases)

    def dataset(self, release_id: str) -> DatasetInfo:
        for info in self.datasets:
            if info.dataset_id == release_id:
                return info
        raise KeyError(release_id)

    def conversion_factor(self, release_id: str, qpp: bool = False) -> float:
        cfs: Any = self.dataset(release_id).meta.get("conversion_factors", {})
        return float(cfs.get("qpp" if qpp else "nonqpp") or cfs.get("nonqpp"))

    # ------------------------------------------------------------------ RVU rows

    def rows(self, release_id: str) -> dict[tuple[str, str], RvuRow]:
        """Every PPRRVU row of a release, keyed by (HCPCS, modifier); loaded once."""
        if release_id not in self._rows:
            with self._connect(release_id) as con:
                cursor = con.execute(f"SELECT {', '.join(PPRRVU_FIELDS)} FROM rvu")
                self._rows[release_id] = {
                    (r[0], r[1]): RvuRow(*r, release=release_id)  # type: ignore[misc]
                    for r in cursor
                }
        return self._rows[release_id]

    def preload(self, on: dt.date) -> None:
        """Load now the tables a check of lines dated `on` reads whole on first use, before any rule can
        run on another core: the release in force (its RVU rows: the lines' prices) and the ICD-10-CM code
        set (the run's code-set notes). Only caches are filled: a check still picks every table by its
        lines' dates, so the answers are the same."""
        release_id = self.release_for(on).release_id
        if release_id:
            self.rows(release_id)
        self.dx_sets.load(on)

    def rvu(self, hcpcs: str, modifier: str = "", on: dt.date | None = None) -> RvuRow | None:
        choice = self._choices.get(on) or self.release_for(on)
        if not choice.release_id:
            return None
        rows = self._rows.get(choice.release_id) or self.rows(choice.release_id)
        row = rows.get((hcpcs, modifier))  # the hot path: codes as CMS writes them
        if row is None:
            row = rows.get((hcpcs.strip().upper(), modifier.strip().upper()))
        return row

    def row(self, release_id: str, hcpcs: str, modifier: str = "") -> RvuRow | None:
        """One row of a given release; reads just that row until the release has been asked SINGLE_READS
        times, then loads it whole (keeps one-off lookups such as `rvucheck code` fast)."""
        rows = self._rows.get(release_id)
        if rows is not None:
            found = rows.get((hcpcs, modifier))  # the hot path: codes as CMS writes them
            return found if found is not None else rows.get((hcpcs.strip().upper(), modifier.strip().upper()))
        key = (hcpcs.strip().upper(), modifier.strip().upper())
        self._single_reads[release_id] = reads = self._single_reads.get(release_id, 0) + 1
        if reads > SINGLE_READS:
            return self.rows(release_id).get(key)
        with self._connect(release_id) as con:
            record = con.execute(
                f"SELECT {', '.join(PPRRVU_FIELDS)} FROM rvu WHERE hcpcs = ? AND modifier = ?", key
            ).fetchone()
        return RvuRow(*record, release=release_id) if record else None  # type: ignore[misc]

    def known_code(self, hcpcs: str) -> str | None:
        code = hcpcs.strip().upper()
        for info in self.rvu_releases:  # newest first
            if code in self.codes(info.dataset_id):
                return info.dataset_id
        return None

    def codes(self, release_id: str) -> frozenset[str]:
        if release_id not in self._codes:
            if release_id in self._rows:
                self._codes[release_id] = frozenset(k[0] for k in self._rows[release_id])
            else:
                with self._connect(release_id) as con:
                    self._codes[release_id] = frozenset(
                        h for (h,) in con.execute("SELECT DISTINCT hcpcs FROM rvu")
                    )
        return self._codes[release_id]

    # ------------------------------------------------------------------ localities

    def localities(self, release_id: str | None = None) -> dict[str, Locality]:
        """All localities (key "MAC-LOC") for a release: its own GPCIs, or those of the nearest release of
        the same year that has them; counties and anesthesia CFs likewise (see selection.companion_for)."""
        release_id = release_id or self.release_for().release_id
        if release_id not in self._localities:
            self._localities[release_id] = self._load_localities(release_id)
        return self._localities[release_id]

    def _load_localities(self, release_id: str) -> dict[str, Locality]:
        base = self.dataset(release_id)
        gpci_set = companion_for(self.datasets, base, "GPCI")
        if gpci_set is None:
            return {}
        counties: dict[str, list[str]] = {}
        locco_set = companion_for(self.datasets, base, "LOCCO")
        if locco_set:
            with self._connect(locco_set.dataset_id) as con:
                for mac, loc, area, text in con.execute("SELECT mac, locality, area, counties FROM locco"):
                    entry = f"{text}" if text else area
                    if entry not in counties.setdefault(f"{mac}-{loc}", []):
                        counties[f"{mac}-{loc}"].append(entry)
        anes: dict[str, float] = {}
        anes_set = companion_for(self.datasets, base, "ANES")
        if anes_set:
            with self._connect(anes_set.dataset_id) as con:
                anes = {
                    f"{m}-{lc}": cf for m, lc, cf in con.execute("SELECT mac, locality, cf_nonqpp FROM anes")
                }
        result: dict[str, Locality] = {}
        with self._connect(gpci_set.dataset_id) as con:
            query = "SELECT mac, locality, state, name, work_gpci, pe_gpci, mp_gpci FROM gpci"
            for mac, loc, state, name, work, pe, mp in con.execute(query):
                key = f"{mac}-{loc}"
                result[key] = Locality(
                    mac, loc, state, name, "; ".join(counties.get(key, [])), work, pe, mp, anes.get(key)
                )
        return result

    def locality(self, query: str, on: dt.date | None = None) -> Locality:
        """A locality by "MAC-LOC" (01112-05, or 0111205), a name that names one, or "county, state" through
        CMS's county crosswalk; UnknownLocality listing the candidates otherwise (locality_search.resolve)."""
        table = self.localities(self.release_for(on).release_id)
        if not table:
            raise UnknownLocality(
                "no GPCI file installed: install the GPCI file of the release to price localities"
            )
        return resolve(table, query)

    # ------------------------------------------------------------------ payment

    def payment(
        self, row: RvuRow, locality: Locality | None = None, facility: bool = False, qpp: bool = False
    ) -> float:
        return self.fee(row, locality, facility, qpp).amount

    def fee(
        self, row: RvuRow, locality: Locality | None = None, facility: bool = False, qpp: bool = False
    ) -> Fee:
        """Amount with its NA flag and OPPS cap. A locality is priced with the GPCIs of the row's own
        release (so a 2025 line gets 2025 GPCIs even when the locality object came from 2026)."""
        if locality is not None:
            locality = self.localities(row.release).get(locality.key, locality)
        return pay.fee(row, pay.gpci_of(locality), facility, self.conversion_factor(row.release, qpp))

    def opps_cap(self, row: RvuRow, locality: Locality) -> tuple[float, float] | None:
        """(non-facility, facility) amounts of the release's OPPSCAP file for the code at a locality: the
        capped payment of a priced code, or only the cap of a contractor-priced one (status C)."""
        source = companion_for(self.datasets, self.dataset(row.release), "OPPSCAP")
        if source is None:
            return None
        with self._connect(source.dataset_id) as con:
            found = con.execute(
                "SELECT nonfacility_price, facility_price FROM oppscap "
                "WHERE hcpcs = ? AND modifier = ? AND mac = ? AND locality = ?",
                (row.hcpcs, row.modifier, locality.mac, locality.locality),
            ).fetchone()
        return (float(found[0]), float(found[1])) if found else None

    def category(self, row: RvuRow) -> CategoryStats | None:
        from rvucheck.refdata.categories import MEMBERS_SQL, category_stats, category_values

        if row.release not in self._categories:
            with self._connect(row.release) as con:
                self._categories[row.release] = category_values(con.execute(MEMBERS_SQL))
        return category_stats(self._categories[row.release], row)

    # ------------------------------------------------------------------ NCCI (delegated)

    @cached_property
    def ncci(self) -> Any:
        try:
            module = importlib.import_module("rvucheck.refdata.ncci.edits")
        except ModuleNotFoundError:
            return None
        return module.NcciData.open(self.store)

    def ptp_edits(self, codes: set[str], on: dt.date | None = None) -> list[PtpEdit]:
        return self.ncci.ptp_edits(codes, on) if self.ncci else []

    def mue(self, hcpcs: str, on: dt.date | None = None, specialty: str = "") -> Mue | None:
        if not self.ncci:
            return None
        found = (self.ncci.mue(hcpcs, on, table) for table in mue_tables(hcpcs, specialty))
        return next((edit for edit in found if edit is not None), None)

    def modifier(self, code: str) -> Modifier | None:
        return modifier_table().get(code.strip().upper())

    def code_class(self, code: str) -> CodeClass | None:
        return class_of(code)

    def documentation(
        self, row: RvuRow | None, code: str, modifiers: frozenset[str]
    ) -> tuple[DocRequirement, ...]:
        return documentation.requirements(row, code, modifiers)

    def time_table(self, family: str, on: dt.date | None = None, code: str = "") -> TimeTable | None:
        return documentation.time_table(family, on, code)

    @cached_property
    def asp(self) -> AspData:
        return AspData(self.store)

    def drug_price(self, hcpcs: str, on: dt.date | None = None) -> DrugPrice | None:
        return self.asp.price(hcpcs, on)

    @cached_property
    def anes_base(self) -> AnesBase:
        return AnesBase(self.store)

    def anesthesia_base_units(self, hcpcs: str) -> tuple[float, str] | None:
        """(base units, CMS file year) of an anesthesia code, from the newest installed base-unit file."""
        units = self.anes_base.units(hcpcs)
        return None if units is None else (units, self.anes_base.year)

    def aoc_primaries(self, addon: str, on: dt.date | None = None) -> frozenset[str] | None:
        return self.ncci.aoc_primaries(addon, on) if self.ncci else None

    @property
    def dx_sets(self) -> DxSets:
        if self._dx_sets is None:
            from rvucheck.refdata.code_sets import DxSets

            self._dx_sets = DxSets(self.store)
        return self._dx_sets

    def dx_code_set(self, on: dt.date | None = None) -> DxCodeSet | None:
        return self.dx_sets.code_set(on)

    @cached_property
    def mce(self) -> MceData:
        return MceData(self.store)

    def mce_flag(self, flag: str, code: str, on: dt.date | None = None) -> bool | None:
        return self.mce.has_flag(flag, code, on) if self.mce.installed else None

    def dx_age_conflict(self, code: str, age: int, on: dt.date | None = None) -> tuple[str, int, int] | None:
        return self.mce.age_conflict(code, age, on) if self.mce.installed else None

    def single_code(self, column1: str, column2: str, billed: Set[str]) -> tuple[str, str] | None:
        return single_code(column1, column2, billed)

    @cached_property
    def excludes1(self) -> Excludes1:
        return Excludes1(self.store)

    def dx_excludes1(self, code: str, other: str) -> bool:
        return self.excludes1.excludes(code, other)

    def excludes1_source(self) -> tuple[str, int] | None:
        info = self.excludes1.info
        if info is None or info.effective_from is None:
            return None
        starts = info.effective_from
        fiscal_year = starts.year + 1 if starts.month >= 10 else starts.year
        version = info.meta.get("package_version", "?")
        return f"the {starts:%B %Y} ICD-10-CM tabular (simple-icd-10-cm {version})", fiscal_year

    @cached_property
    def lab_ncd_data(self) -> LabNcds:
        return LabNcds(self.store)

    def lab_ncds(self, hcpcs: str, on: dt.date | None = None) -> list[tuple[str, str]]:
        return self.lab_ncd_data.ncds_of(hcpcs, on)

    def lab_dx_resolution(self, ncd: str, code: str, on: dt.date | None = None) -> int:
        return self.lab_ncd_data.resolution(ncd, code, on)

    def dx_state(self, code: str, on: dt.date | None = None) -> str:
        """ "billable", "header", "other" (the other ICD system's code), "invalid" or "unjudged"."""
        return self.dx_sets.state(code, on)

    def ncci_quarter(self, on: dt.date | None = None) -> tuple[str, str | None]:
        return self.ncci.ncci_quarter(on) if self.ncci else ("", "no NCCI data installed")

    # ------------------------------------------------------------------ helpers

    def _connect(self, dataset_id: str) -> sqlite3.Connection:
        return self.store.connect("pfs", dataset_id)

    def staleness(self, today: dt.date | None = None) -> str | None:
        """A warning when the newest installed release is older than the quarter of `today`."""
        today = today or dt.date.today()
        newest = self.rvu_releases[0]
        if (newest.year or 0, newest.quarter or 0) < (today.year, quarter_of(today)):
            return (
                f"the newest installed fee schedule is {newest.dataset_id} "
                f"(Q{newest.quarter} {newest.year}); "
                f"Q{quarter_of(today)} {today.year} may have a newer release: run `rvucheck data install`"
            )
        return None
