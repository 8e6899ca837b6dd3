"""National benchmarks from installed CMS public files: specialty names, E&M level mix per specialty, and
which specialties bill a code most.

    from rvucheck.refdata.benchmarks import lookup as benchmarks
    benchmarks.specialty_name("08")                       # "Physician/Family Practice"
    mix = benchmarks.em_mix("Cardiology", ["99202", "99203", "99204", "99205"])
    mix.shares, mix.source                                # {"99204": 0.7079, ...}, "CMS ... 2023 data"
    benchmarks.top_specialties("99213", n=5)              # [SpecialtyShare(...), ...]

E&M shares come from the installed "by Provider and Service" PUF aggregates when there are any for the
specialty (newest data year), else from the published per-specialty shares (EMSHARES; every row keeps its data
year and source URL). A specialty may be given as a Medicare specialty code ("08"), a name as CMS or the PUF
writes it ("Family Practice", "Cardiology"), "08 Family Practice", or a taxonomy code ("207Q00000X").
Importers (`recognize`, `import_group`) live in `importer.py` beside this module, not imported here: a lookup
such as `rvucheck code` should not load the PUF and crosswalk readers.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from rvucheck.refdata.benchmarks.specialty import name_index, name_key
from rvucheck.refdata.store import DatasetInfo, Store

__all__ = ["Benchmarks", "EmMix", "SpecialtyShare", "em_mix", "specialty_name"]

KIND = "benchmarks"  # the store kind of every benchmarks dataset

NO_BENCHMARK = "no national E&M benchmark installed: providers are compared with their group only"
_TAXONOMY = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")


@dataclass(frozen=True)
class EmMix:
    shares: dict[str, float]  # code -> share of the family's services (0-1)
    source: str
    specialty_code: str | None
    year: int | None
    complete: bool  # every requested code has a share (partial tables are shown, not tested)


@dataclass(frozen=True)
class SpecialtyShare:
    provider_type: str  # as the PUF names it, e.g. "Internal Medicine"
    specialty_code: str | None  # Medicare specialty code via the crosswalk names, None when unmapped
    services: float
    share: float  # of all services of the code in the PUF year
    providers: int


class Benchmarks:
    """Read-only lookups over the installed benchmark datasets."""

    def __init__(self, store: Store, datasets: list[DatasetInfo]) -> None:
        self._store = store
        newest_first = sorted(
            datasets, key=lambda i: (i.year or 0, i.effective_from or 0, i.dataset_id), reverse=True
        )
        self._specialty = [i for i in newest_first if i.dataset_id.startswith("SPECIALTY")]
        self._puf = next((i for i in newest_first if i.dataset_id.startswith("PUF")), None)
        self._em = next((i for i in newest_first if i.dataset_id == "EMSHARES"), None)

    @classmethod
    def open(cls, store: Store) -> Benchmarks | None:
        datasets = store.datasets(KIND)
        return cls(store, datasets) if datasets else None

    def _query(self, info: DatasetInfo, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        con: sqlite3.Connection = self._store.connect(KIND, info.dataset_id)
        try:
            return con.execute(sql, tuple(args)).fetchall()
        finally:
            con.close()

    # ------------------------------------------------------------------------------------------ specialties

    @cached_property
    def names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for info in reversed(self._specialty):  # newer editions overwrite older ones
            names.update({str(c): str(n) for c, n in self._query(info, "SELECT code, name FROM specialty")})
        return names

    @cached_property
    def _by_name(self) -> dict[str, str]:
        return name_index(self.names)

    @cached_property
    def _by_taxonomy(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for info in self._specialty:
            for code, taxonomy in self._query(info, "SELECT code, taxonomy FROM taxonomy ORDER BY rowid"):
                found.setdefault(str(taxonomy).upper(), str(code))
        return found

    def specialty_name(self, code: str) -> str | None:
        return self.names.get(code.strip().upper().zfill(2))

    def specialty_code(self, text: str) -> str | None:
        """A Medicare specialty code for a code, a name, "08 Family Practice" or a taxonomy code."""
        text = text.strip()
        if not text:
            return None
        upper = text.upper()
        if upper.zfill(2) in self.names and len(upper) <= 2:
            return upper.zfill(2)
        if _TAXONOMY.match(upper):
            return self._by_taxonomy.get(upper)
        first = upper.split(maxsplit=1)[0]
        if first.zfill(2) in self.names and len(first) <= 2 and " " in text:
            return first.zfill(2)
        return self._by_name.get(name_key(text))

    # ------------------------------------------------------------------------------------------ PUF

    @cached_property
    def puf_provider_types(self) -> dict[str, str | None]:
        """PUF provider type -> Medicare specialty code via the crosswalk names (None when no name matches:
        those types are still listed by `top_specialties`, under their PUF name)."""
        if self._puf is None:
            return {}
        rows = self._query(self._puf, "SELECT DISTINCT provider_type FROM puf")
        return {str(t): self._by_name.get(name_key(str(t))) for (t,) in rows}

    def _provider_types_for(self, specialty: str) -> list[str]:
        code = self.specialty_code(specialty)
        key = name_key(specialty)
        return [t for t, c in self.puf_provider_types.items() if (code and c == code) or name_key(t) == key]

    def top_specialties(self, hcpcs: str, n: int = 5) -> list[SpecialtyShare]:
        """The provider types that billed the code most in the newest PUF year ([] when no PUF)."""
        if self._puf is None:
            return []
        rows = self._query(
            self._puf,
            "SELECT provider_type, services, providers FROM puf WHERE hcpcs = ? ORDER BY services DESC",
            (hcpcs.strip().upper(),),
        )
        total = sum(float(s) for _, s, _ in rows)
        return [
            SpecialtyShare(
                str(t),
                self.puf_provider_types.get(str(t)),
                float(s),
                float(s) / total if total else 0.0,
                int(p),
            )
            for t, s, p in rows[:n]
        ]

    # ------------------------------------------------------------------------------------------ E&M mix

    def em_mix(self, specialty: str, family_codes: Sequence[str]) -> EmMix | None:
        codes = [c.strip().upper() for c in family_codes]
        return self._em_from_puf(specialty, codes) or self._em_from_published(specialty, codes)

    def _em_from_puf(self, specialty: str, codes: list[str]) -> EmMix | None:
        if self._puf is None or not codes:
            return None
        types = self._provider_types_for(specialty)
        if not types:
            return None
        marks, type_marks = ",".join("?" * len(codes)), ",".join("?" * len(types))
        rows = self._query(
            self._puf,
            f"SELECT hcpcs, SUM(services) FROM puf WHERE hcpcs IN ({marks}) "
            f"AND provider_type IN ({type_marks}) GROUP BY hcpcs",
            [*codes, *types],
        )
        services = {str(code): float(total) for code, total in rows}
        family_total = sum(services.values())
        if family_total <= 0:
            return None
        source = (
            f"CMS Medicare Physician & Other Practitioners by Provider and Service, {self._puf.year} data "
            f"({', '.join(sorted(types))})"
        )
        shares = {code: round(services.get(code, 0.0) / family_total, 6) for code in codes}
        return EmMix(shares, source, self.specialty_code(specialty), self._puf.year, True)

    def _em_from_published(self, specialty: str, codes: list[str]) -> EmMix | None:
        code = self.specialty_code(specialty)
        if self._em is None or code is None or not codes:
            return None
        marks = ",".join("?" * len(codes))
        rows = self._query(
            self._em,
            "SELECT data_year, em_category, hcpcs, pct, source_url FROM em_share "
            f"WHERE specialty_code = ? AND hcpcs IN ({marks})",
            [code, *codes],
        )
        tables: dict[tuple[int, str], dict[str, tuple[float, str]]] = defaultdict(dict)
        for year, category, hcpcs, pct, url in rows:
            tables[(int(year), str(category))][str(hcpcs)] = (float(pct), str(url))
        if not tables:
            return None
        # the table covering most requested codes, newest year first among equals
        (year, _), table = max(tables.items(), key=lambda kv: (len(kv[1]), kv[0][0]))
        complete = all(c in table for c in codes)
        if complete:
            total = sum(pct for pct, _ in table.values())
            shares = {c: round(table[c][0] / total, 6) if total else 0.0 for c in codes}
        else:
            shares = {c: round(table[c][0] / 100, 6) for c in codes if c in table}
        urls = sorted({url for _, url in table.values()})
        source = f"published {year} Medicare E&M shares ({'; '.join(urls)})"
        return EmMix(shares, source, code, year, complete)

    def describe_source(self) -> str:
        if self._puf is not None:
            return f"national E&M shares from the CMS by Provider and Service PUF, {self._puf.year} data"
        if self._em is not None:
            return (
                "national E&M shares published for a few specialties (source and data year per figure); "
                "no by Provider and Service PUF installed"
            )
        return NO_BENCHMARK


# ---------------------------------------------------------------------------------------------- module API

_OPEN: dict[tuple[str, float], Benchmarks | None] = {}


def open_benchmarks(data_dir: Path | str | None = None) -> Benchmarks | None:
    """The installed benchmarks (cached until the catalog changes), None when none are installed."""
    store = Store(data_dir)
    stamp = store.catalog_path.stat().st_mtime if store.catalog_path.exists() else 0.0
    key = (str(store.data_dir.resolve()), stamp)
    if key not in _OPEN:
        _OPEN[key] = Benchmarks.open(store)
    return _OPEN[key]


def specialty_name(code: str, data_dir: Path | str | None = None) -> str | None:
    found = open_benchmarks(data_dir)
    return found.specialty_name(code) if found else None


def em_mix(specialty: str, family_codes: Sequence[str], data_dir: Path | str | None = None) -> EmMix | None:
    found = open_benchmarks(data_dir)
    return found.em_mix(specialty, family_codes) if found else None


def top_specialties(hcpcs: str, n: int = 5, data_dir: Path | str | None = None) -> list[SpecialtyShare]:
    found = open_benchmarks(data_dir)
    return found.top_specialties(hcpcs, n) if found else []


def describe_source(data_dir: Path | str | None = None) -> str:
    found = open_benchmarks(data_dir)
    return found.describe_source() if found else NO_BENCHMARK
