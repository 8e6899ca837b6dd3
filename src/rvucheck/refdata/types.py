"""Value types of the reference data, shared by every consumer (engine, annotator, UDFs, audit).

The implementations live beside this file: `pfs.py` (fee schedule: RVUs, GPCIs, localities, payment,
modifier adjustments, categories) and `ncci.py` (PTP, MUE, AOC edits). `rvucheck.refdata.open_reference()`
returns one object that offers both (see `ReferenceData`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Protocol

from rvucheck.model import DocRequirement


@dataclass(frozen=True)
class RvuRow:
    """One row of a PPRRVU file (one HCPCS + modifier), values as CMS publishes them."""

    hcpcs: str
    modifier: str  # "", "26", "TC", "53"
    description: str  # from the user's installed CMS file only (AMA text: never shipped)
    status_code: str
    not_used_for_medicare: str
    work_rvu: float
    pe_rvu_nonfacility: float
    nonfacility_na: str  # "NA" when the non-facility PE RVU is not applicable
    pe_rvu_facility: float
    facility_na: str
    mp_rvu: float
    total_rvu_nonfacility: float
    total_rvu_facility: float
    pctc_indicator: str
    global_days: str  # "000", "010", "090", "MMM", "XXX", "YYY", "ZZZ"
    pre_op: float  # shares, e.g. 0.10
    intra_op: float
    post_op: float
    mult_proc: str
    bilat_surg: str
    asst_surg: str
    co_surg: str
    team_surg: str
    pric_ind: str  # "" in layouts before 2026
    endo_base: str
    conversion_factor: float
    phys_supervision: str
    calc_flag: str
    imaging_family: str
    opps_pe_nonfacility: float
    opps_pe_facility: float
    opps_mp: float
    release: str  # dataset id, e.g. "RVU26C"


@dataclass(frozen=True)
class TimeTable:
    """The minutes one family of time-based codes claims in a span of dates (data/time_thresholds.toml)."""

    family: str  # office_em, prolonged, critical_care, psychotherapy, therapy_timed, anesthesia
    start: dt.date
    end: dt.date | None
    source: str
    code: str = ""  # the add-on code `first_unit` is about (G2212, 99417, 99292)
    minimum: Mapping[str, float] = field(default_factory=dict)  # code -> minutes its time must reach
    maximum: Mapping[str, float] = field(default_factory=dict)  # code -> minutes its time stays within
    first_unit: Mapping[str, float] = field(default_factory=dict)  # primary -> total for the add-on's unit 1
    step: float = 0.0  # minutes of each further unit (15, 30)
    codes: tuple[str, ...] = ()  # codes (or ranges "00100-01999") of a family without per-code minutes

    def covers(self, code: str) -> bool:
        """Whether the table is about a code: one with its own minutes, or one of `codes`."""
        if code in self.minimum or code in self.first_unit or code == self.code:
            return True
        for entry in self.codes:
            low, dash, high = entry.partition("-")
            if code == entry or (dash and len(code) == len(low) and low <= code <= high):
                return True
        return False


@dataclass(frozen=True)
class Locality:
    mac: str  # "01112"
    locality: str  # "05"
    state: str
    name: str
    counties: str
    work_gpci: float
    pe_gpci: float
    mp_gpci: float
    anes_cf: float | None = None

    @property
    def key(self) -> str:
        return f"{self.mac}-{self.locality}"


@dataclass(frozen=True)
class ReleaseChoice:
    """Which release answered a lookup, and why (a note when it is not the quarter of the date)."""

    release_id: str
    year: int
    quarter: int
    note: str | None = None


@dataclass(frozen=True)
class Adjusted:
    """Payment and credited work RVU after modifier rules (Claims Processing Manual ch. 12)."""

    payment: float
    work_rvu: float
    factor: float  # overall fraction applied to the full fee
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class Fee:
    """One setting's amount, with the facts a reader needs beside it."""

    amount: float
    full_amount: float  # before the OPPS cap
    opps_capped: bool
    na: bool  # CMS flags the setting NA; it still lists an amount


@dataclass(frozen=True)
class CategoryStats:
    name: str  # "Surgery", "E/M", ...
    percentile: int  # rank of the code's work RVU within the category, 0-100
    median: float
    max: float
    count: int


@dataclass(frozen=True)
class PtpEdit:
    column1: str
    column2: str
    effective: dt.date | None
    deletion: dt.date | None
    modifier_indicator: str  # "0", "1", "9"
    rationale: str


@dataclass(frozen=True)
class Modifier:
    """One entry of the modifier table (data/modifiers.toml, read by refdata.modifiers)."""

    code: str
    meaning: str
    category: str  # pricing, surgery, anatomic, ambulance, DME, therapy, telehealth, lab, ... (see the toml)
    source: str  # the section's source (CPT Appendix A, HCPCS Level II list, Claims Processing Manual)
    ambulance: str = ""  # origin -> destination, for the two-letter ambulance codes


@dataclass(frozen=True)
class CodeClass:
    """A class of codes Medicare pays outside the PFS (data/code_classes.toml; refdata.code_classes)."""

    id: str
    name: str
    patterns: tuple[re.Pattern[str], ...]
    paid_by: str
    source: str
    mue_table: str = "practitioner"
    priced_by: str = ""  # "asp": priced from the installed ASP file, which also vouches for unlisted codes


@dataclass(frozen=True)
class DrugPrice:
    """A Part B drug's ASP payment limit per billing unit, from an installed quarterly ASP pricing file."""

    hcpcs: str
    dosage: str  # the billing unit, e.g. "1 MG"
    limit: float
    label: str  # e.g. "ASP 2025Q4"
    effective_from: dt.date
    effective_to: dt.date


@dataclass(frozen=True)
class Mue:
    hcpcs: str
    units: int
    mai: str  # "1" line edit, "2" DOS policy, "3" DOS clinical
    rationale: str


@dataclass(frozen=True)
class DxCodeSet:
    """The diagnosis code set in force on a date of service (or standing in for it: `stand_in`)."""

    key: str  # "icd10cm-FY2018", "icd9cm-v32": one per installed dataset
    system: str  # "ICD-10-CM" or "ICD-9-CM"
    name: str  # "ICD-10-CM FY2018", "ICD-9-CM v32"
    stand_in: str = ""  # "FY2027" when the newest installed set answers for the next fiscal year's dates


class PricingData(Protocol):
    """What the pricer (refdata/pricing) needs of the reference data: rows by release, the fee formula's
    inputs. `Reference` implements it over the installed files; engine tests use an in-memory fake."""

    def release_for(self, on: dt.date | None = None) -> ReleaseChoice: ...

    def installed_releases(self) -> tuple[str, ...]:
        """Ids of the installed releases that carry RVUs (those a line can be priced from), newest first."""
        ...

    def row(self, release_id: str, hcpcs: str, modifier: str = "") -> RvuRow | None:
        """One PPRRVU row (HCPCS + modifier "", "26", "TC" or "53") of a release, None when not listed."""
        ...

    def fee(
        self, row: RvuRow, locality: Locality | None = None, facility: bool = False, qpp: bool = False
    ) -> Fee:
        """The row's full fee in a setting, with the GPCIs of the row's own release."""
        ...

    def localities(self, release_id: str | None = None) -> dict[str, Locality]: ...

    def conversion_factor(self, release_id: str, qpp: bool = False) -> float: ...


class ReferenceData(PricingData, Protocol):
    """What the engine, annotator, UDFs and audit need from the reference data. Pure lookups."""

    def rvu(self, hcpcs: str, modifier: str = "", on: dt.date | None = None) -> RvuRow | None: ...

    def known_code(self, hcpcs: str) -> str | None:
        """The newest release id that lists the code in any installed year (for 'deleted' vs 'unknown')."""
        ...

    def locality(self, query: str) -> Locality: ...

    def ptp_edits(self, codes: set[str], on: dt.date | None = None) -> list[PtpEdit]:
        """Active PTP edits whose column 1 and column 2 are both in `codes` on that date."""
        ...

    def mue(self, hcpcs: str, on: dt.date | None = None, specialty: str = "") -> Mue | None:
        """The MUE a line of the code is held to: the practitioner table, or the DME supplier table for
        DMEPOS codes and lines from a DME supplier specialty (refdata.code_classes.mue_tables)."""
        ...

    def modifier(self, code: str) -> Modifier | None:
        """The modifier table's entry for a modifier code (None: not a CPT or HCPCS modifier)."""
        ...

    def code_class(self, code: str) -> CodeClass | None:
        """The fee schedule class of a code the PFS does not price (None for the others)."""
        ...

    def drug_price(self, hcpcs: str, on: dt.date | None = None) -> DrugPrice | None:
        """The ASP payment limit of a drug code from the quarter in effect on that date (or the nearest
        installed one; DrugPrice says which). None when no ASP file lists the code."""
        ...

    def documentation(
        self, row: RvuRow | None, code: str, modifiers: frozenset[str]
    ) -> tuple[DocRequirement, ...]:
        """What a line's documentation must show, generated from its row, family and modifiers."""
        ...

    def time_table(self, family: str, on: dt.date | None = None, code: str = "") -> TimeTable | None:
        """The minutes a family of time-based codes claims, in force on that date."""
        ...

    def aoc_primaries(self, addon: str, on: dt.date | None = None) -> frozenset[str] | None:
        """Eligible primary codes of an add-on code (None when the code is not an add-on in AOC)."""
        ...

    def dx_code_set(self, on: dt.date | None = None) -> DxCodeSet | None:
        """The code set in force on that date: ICD-9-CM before 2015-10-01, the ICD-10-CM update of the
        date's fiscal year after; the newest ICD-10-CM set when `on` is None (a lookup without a date: the
        engine does not judge undated lines); None when no installed set covers the date."""
        ...

    def mce_flag(self, flag: str, code: str, on: dt.date | None = None) -> bool | None:
        """Whether a diagnosis is on a Medicare Code Editor list (`flag`: "manifestation") on that date;
        None when no MCE table is installed."""
        ...

    def dx_age_conflict(self, code: str, age: int, on: dt.date | None = None) -> tuple[str, int, int] | None:
        """The MCE age list (newborn, pediatric, maternity, adult; its lowest and highest age) a diagnosis
        is on and `age` (years) is outside of, on that date; None when none (or no MCE table)."""
        ...

    def single_code(self, column1: str, column2: str, billed: Set[str]) -> tuple[str, str] | None:
        """(code, why) of the one code that describes a PTP edit's two codes when those and the other
        parts of that combination (`billed`: the day's codes) were billed (data/single_codes.toml)."""
        ...

    def dx_excludes1(self, code: str, other: str) -> bool:
        """Whether an ICD-10-CM Excludes1 note over `code` (its own, or its category's, block's or chapter's)
        names `other` (bare codes, no dot); False when no Excludes1 notes are installed."""
        ...

    def excludes1_source(self) -> tuple[str, int] | None:
        """(name, fiscal year) of the installed Excludes1 notes (one tabular update); None without them."""
        ...

    def lab_ncds(self, hcpcs: str, on: dt.date | None = None) -> list[tuple[str, str]]:
        """(NCD number, title) of the lab NCDs listing the test on that date, at any date when None (none
        without the spreadsheet)."""
        ...

    def lab_dx_resolution(self, ncd: str, code: str, on: dt.date | None = None) -> int:
        """A diagnosis for a lab NCD's test: 1 covered, 2 never covered, 3 not supporting medical
        necessity."""
        ...

    def dx_state(self, code: str, on: dt.date | None = None) -> str:
        """A diagnosis judged by the code set in force on `on`: "billable", "header" (a category with
        subcodes, not billable), "other" (a code of the other system: ICD-9 on an ICD-10-CM date or the
        reverse),
        "invalid", or "unjudged" (no installed set covers the date)."""
        ...

    def ncci_quarter(self, on: dt.date | None = None) -> tuple[str, str | None]:
        """(quarter id that answers for that date, a staleness note or None)."""
        ...
