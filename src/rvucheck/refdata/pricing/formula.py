"""The PFS payment formula, computed the way CMS computes its payment files (PFREV/PFALL).

    amount = ((work RVU x work GPCI) + (PE RVU x PE GPCI) + (MP RVU x MP GPCI)) x CF

in exact decimal arithmetic, rounded half-up to the cent. For imaging codes subject to the OPPS cap
(Deficit Reduction Act 2005, s. 5102(b)) the amount is the lower of that and the same formula over the
"PE/MP used for OPPS payment amount" columns of the PPRRVU file (zero when a code is not capped).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from rvucheck.refdata.types import Fee, Locality, RvuRow

CENT = Decimal("0.01")
NATIONAL = (1.0, 1.0, 1.0)


def _d(value: float) -> Decimal:
    return Decimal(repr(value))


def formula(work: float, pe: float, mp: float, gpci: tuple[float, float, float], cf: float) -> Decimal:
    total = _d(work) * _d(gpci[0]) + _d(pe) * _d(gpci[1]) + _d(mp) * _d(gpci[2])
    return (total * _d(cf)).quantize(CENT, rounding=ROUND_HALF_UP)


def gpci_of(locality: Locality | None) -> tuple[float, float, float]:
    if locality is None:
        return NATIONAL
    return (locality.work_gpci, locality.pe_gpci, locality.mp_gpci)


def fee(row: RvuRow, gpci: tuple[float, float, float], facility: bool, cf: float) -> Fee:
    pe = row.pe_rvu_facility if facility else row.pe_rvu_nonfacility
    full = formula(row.work_rvu, pe, row.mp_rvu, gpci, cf)
    amount = full
    capped = False
    opps_pe = row.opps_pe_facility if facility else row.opps_pe_nonfacility
    if opps_pe > 0 or row.opps_mp > 0:
        opps = formula(row.work_rvu, opps_pe, row.opps_mp, gpci, cf)
        if opps < full:
            amount, capped = opps, True
    na = (row.facility_na if facility else row.nonfacility_na).strip().upper() == "NA"
    return Fee(float(amount), float(full), capped, na)
