"""A small in-memory ReferenceData for engine unit tests. Its RVUs, edits and MUEs are MADE UP:
they exercise the engine's logic (ranking, grouping, stakes), never CMS policy values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from dataclasses import replace

from rvucheck.model import DocRequirement
from rvucheck.refdata import documentation
from rvucheck.refdata.code_classes import class_of
from rvucheck.refdata.modifiers import modifier_table
from rvucheck.refdata.types import (
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

FAKE_DX_SET = DxCodeSet("icd10cm-FAKE", "ICD-10-CM", "ICD-10-CM FAKE")
BLANK = RvuRow(
    hcpcs="",
    modifier="",
    description="made up",
    status_code="A",
    not_used_for_medicare="",
    work_rvu=1.0,
    pe_rvu_nonfacility=1.0,
    nonfacility_na="",
    pe_rvu_facility=0.5,
    facility_na="",
    mp_rvu=0.1,
    total_rvu_nonfacility=2.1,
    total_rvu_facility=1.6,
    pctc_indicator="0",
    global_days="XXX",
    pre_op=0.0,
    intra_op=0.0,
    post_op=0.0,
    mult_proc="0",
    bilat_surg="0",
    asst_surg="0",
    co_surg="0",
    team_surg="0",
    pric_ind="",
    endo_base="",
    conversion_factor=10.0,
    phys_supervision="09",
    calc_flag="0",
    imaging_family="99",
    opps_pe_nonfacility=0.0,
    opps_pe_facility=0.0,
    opps_mp=0.0,
    release="FAKE26C",
)


def row(hcpcs: str, **fields: object) -> RvuRow:
    return replace(BLANK, hcpcs=hcpcs, **fields)  # type: ignore[arg-type]


class FakeReference:
    def __init__(
        self,
        rows: list[RvuRow],
        ptp: list[PtpEdit] = (),  # type: ignore[assignment]
        mues: dict[str, Mue] | None = None,
        aoc: dict[str, frozenset[str]] | None = None,
        stale_note: str | None = None,
        dx_codes: dict[str, str] | None = None,
    ) -> None:
        self.rows = {(r.hcpcs, r.modifier): r for r in rows}
        self.ptp = list(ptp)
        self.mues = mues or {}
        self.aoc = aoc or {}
        self.stale_note = stale_note
        self.mce_manifestations = frozenset({"G63", "F0280"})  # made-up subset of the MCE list
        self.dx_codes = (
            dx_codes if dx_codes is not None else {"E119": "billable", "M1711": "billable", "E11": "header"}
        )
        self.ptp_calls = 0

    def release_for(self, on: dt.date | None = None) -> ReleaseChoice:
        if on is not None and on.year != 2026:
            return ReleaseChoice("", on.year, 1, f"no CY{on.year} fee schedule installed")
        return ReleaseChoice("FAKE26C", 2026, 3)

    def installed_releases(self) -> tuple[str, ...]:
        return ("FAKE26C",)

    def rvu(self, hcpcs: str, modifier: str = "", on: dt.date | None = None) -> RvuRow | None:
        return self.rows.get((hcpcs, modifier))

    def known_code(self, hcpcs: str) -> str | None:
        return "FAKE26C" if any(k[0] == hcpcs for k in self.rows) else None

    def locality(self, query: str) -> Locality:
        return Locality("99999", "01", "ZZ", "Made-up locality", "", 1.5, 1.0, 1.0)

    def payment(
        self, row: RvuRow, locality: Locality | None = None, facility: bool = False, qpp: bool = False
    ) -> float:
        work_gpci = locality.work_gpci if locality else 1.0
        pe = row.pe_rvu_facility if facility else row.pe_rvu_nonfacility
        return round((row.work_rvu * work_gpci + pe + row.mp_rvu) * row.conversion_factor, 2)

    def row(self, release_id: str, hcpcs: str, modifier: str = "") -> RvuRow | None:
        return self.rows.get((hcpcs, modifier))

    def fee(
        self, row: RvuRow, locality: Locality | None = None, facility: bool = False, qpp: bool = False
    ) -> Fee:
        amount = self.payment(row, locality, facility, qpp)
        return Fee(amount, amount, False, False)

    def localities(self, release_id: str | None = None) -> dict[str, Locality]:
        place = self.locality("")
        return {place.key: place}

    def conversion_factor(self, release_id: str, qpp: bool = False) -> float:
        return BLANK.conversion_factor

    def ptp_edits(self, codes: set[str], on: dt.date | None = None) -> list[PtpEdit]:
        self.ptp_calls += 1
        return [e for e in self.ptp if e.column1 in codes and e.column2 in codes]

    def mue(self, hcpcs: str, on: dt.date | None = None, specialty: str = "") -> Mue | None:
        return self.mues.get(hcpcs)

    def modifier(self, code: str) -> Modifier | None:
        return modifier_table().get(code)

    def code_class(self, code: str) -> CodeClass | None:
        return class_of(code)

    def documentation(
        self, row: RvuRow | None, code: str, modifiers: frozenset[str]
    ) -> tuple[DocRequirement, ...]:
        return documentation.requirements(row, code, modifiers)

    def time_table(self, family: str, on: dt.date | None = None, code: str = "") -> TimeTable | None:
        return documentation.time_table(family, on, code)

    def drug_price(self, hcpcs: str, on: dt.date | None = None) -> DrugPrice | None:
        return None

    def aoc_primaries(self, addon: str, on: dt.date | None = None) -> frozenset[str] | None:
        return self.aoc.get(addon)

    def ncci_quarter(self, on: dt.date | None = None) -> tuple[str, str | None]:
        return "FAKE2026Q2", self.stale_note

    def dx_code_set(self, on: dt.date | None = None) -> DxCodeSet | None:
        """One made-up ICD-10-CM set for every date from 2015-10-01, none before."""
        return FAKE_DX_SET if on is None or on >= dt.date(2015, 10, 1) else None

    def mce_flag(self, flag: str, code: str, on: dt.date | None = None) -> bool | None:
        """Made-up MCE list: the manifestation codes listed in `mce_manifestations`."""
        return flag == "manifestation" and code.strip().upper().replace(".", "") in self.mce_manifestations

    def dx_age_conflict(self, code: str, age: int, on: dt.date | None = None) -> tuple[str, int, int] | None:
        """Made-up MCE age lists: Z00.110 newborn (0-0), O24.419 maternity (9-64)."""
        lists = {"Z00110": ("newborn", 0, 0), "O24419": ("maternity", 9, 64)}
        found = lists.get(code.strip().upper().replace(".", ""))
        return found if found and not found[1] <= age <= found[2] else None

    def single_code(self, column1: str, column2: str, billed: Set[str]) -> tuple[str, str] | None:
        return None  # no made-up combination

    def dx_excludes1(self, code: str, other: str) -> bool:
        """Made-up Excludes1 notes: E11 names E10 and E10 names E11 (as the real tabular's do)."""
        return (code[:3], other[:3]) in {("E11", "E10"), ("E10", "E11")}

    def excludes1_source(self) -> tuple[str, int] | None:
        return ("made-up Excludes1 notes", 2026)

    def lab_ncds(self, hcpcs: str, on: dt.date | None = None) -> list[tuple[str, str]]:
        """Made-up lab NCD: 83036 under 190.21A, covered for E11.9, never for Z00.00."""
        return [("190.21A", "Glycated Hemoglobin/Glycated Protein")] if hcpcs == "83036" else []

    def lab_dx_resolution(self, ncd: str, code: str, on: dt.date | None = None) -> int:
        return {"E119": 1, "Z0000": 2}.get(code.strip().upper().replace(".", ""), 3)

    def dx_state(self, code: str, on: dt.date | None = None) -> str:
        """Made-up code set: only the codes listed in `dx_codes` exist."""
        if self.dx_code_set(on) is None:
            return "unjudged"
        return self.dx_codes.get(code.strip().upper().replace(".", ""), "invalid")
