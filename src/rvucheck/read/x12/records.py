"""What the 837P loops produce (ServiceLine, BadClaim), the open claim and line they fill in, and the checks
made when a claim closes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from rvucheck.read.cells import shown

PROFESSIONAL = "005010X222"  # GS08 / ST03 of an 837P (005010X222A1)
REQUIRED_SV1 = {1: "SV101 (procedure)", 2: "SV102 (charge)", 3: "SV103 (unit basis)", 4: "SV104 (units)",
                7: "SV107 (diagnosis pointer)"}  # fmt: skip


class WrongTransaction(ValueError):
    """The file holds something other than 837P claims (the message says what)."""


class ServiceLine(NamedTuple):
    segment: int  # the SV1's place in the file (ISA = 1)
    claim: str  # CLM01
    patient: str  # 2010BA NM109, or for a 2000C patient that and a digest of name + birth date
    payer: str  # 2010BB NM103
    frequency: str  # CLM05-3
    billing_npi: str  # 2010AA NM109
    npi: str  # 2420A, else 2310B, else 2010AA NM109
    provider: str  # that provider's name
    specialty: str  # that provider's taxonomy (PRV03)
    hcpcs: str  # SV101-2
    modifiers: tuple[str, ...]  # SV101-3..6
    charge: float  # SV102
    units: float  # SV104
    unit_basis: str  # SV103: UN units, MJ minutes
    pos: str  # SV105, else CLM05-1
    diagnoses: tuple[str, ...]  # SV107's pointers resolved to the claim's HI codes
    dos: dt.date  # DTP*472 (D8, or an RD8 range's start)
    dos_end: dt.date  # the range's end (= dos for D8)


class BadClaim(NamedTuple):
    segment: int  # the damaged segment
    segment_id: str
    reason: str  # the element and the fault, never a value
    claim_segment: int  # the claim's CLM (0: the damage is outside any claim)
    lines: tuple[int, ...]  # the claim's SV1 segments (none checked)


@dataclass(slots=True)
class Line:
    segment: int
    code: str
    modifiers: tuple[str, ...]
    charge: float
    units: float
    basis: str
    pos: str
    pointers: tuple[int, ...]
    dos: dt.date | None = None
    end: dt.date | None = None
    npi: str = ""
    name: str = ""
    taxonomy: str = ""


@dataclass(slots=True)
class OpenClaim:
    segment: int
    id: str = ""
    pos: str = ""
    frequency: str = ""
    dx: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # SV1 segments, damaged ones too
    good: list[Line] = field(default_factory=list)
    npi: str = ""
    name: str = ""
    taxonomy: str = ""
    other_payer: bool = False  # past a 2320 SBR: its NM1s are another payer's
    damage: tuple[int, str, str] | None = None


def missing(claim: OpenClaim) -> tuple[int, str, str] | None:
    """What a claim without a damaged segment still lacks: a line, a line's date, a diagnosis pointed at."""
    if not claim.good:
        return claim.segment, "CLM", "the claim has no service line (LX/SV1)"
    for line in claim.good:
        if line.dos is None:
            return line.segment, "SV1", "the service line has no DTP*472 service date"
        for pointer in line.pointers:
            if pointer > len(claim.dx):
                reason = f"SV107 points at diagnosis {pointer}; the claim's HI has {len(claim.dx)}"
                return line.segment, "SV1", reason
    return None


def describe(kind: str, version: str, segment: int) -> str:
    """What a GS of functional group `kind` and version `version` holds, in words, for the one-line error."""
    names = {"HP": "an 835 (remittance advice)", "HS": "a 270 (eligibility inquiry)", "HB": "a 271",
             "HN": "a 277", "FA": "a 999/997 (acknowledgment)", "BE": "an 834 (enrollment)"}  # fmt: skip
    if kind == "HC" and version.startswith("005010X223"):
        what = "an 837I (institutional claims)"
    elif kind == "HC" and version.startswith("005010X224"):
        what = "an 837D (dental claims)"
    elif kind == "HC":
        what = f"an 837 of version {shown(version, 12) or 'unknown'}"
    else:
        what = names.get(kind, f"an X12 transaction of type '{shown(kind, 4)}'")
    return f"segment {segment} starts {what}; rvucheck reads 837P professional claims (005010X222A1)"
