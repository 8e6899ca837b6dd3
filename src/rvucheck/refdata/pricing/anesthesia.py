"""An anesthesia line's payment (CPT 00100-01999): (base units + time units) x the anesthesia CF.

Claims Processing Manual ch. 12 sec. 50 (payment for anesthesiology services) and sec. 140.3 (qualified
nonphysician anesthetists): base units from CMS's anesthesia base-unit file; time in minutes in the line's
units field, one time unit per 15 minutes to one decimal (sec. 50.G: "actual anesthesia time in minutes is
reported ... divided by 15"); CF of the locality (RVU26A ANES2026), else the national CF (releases.toml).
Modifiers: AA (personally performed) and QZ (CRNA without medical direction) 100 %; QK (medical direction of
2-4 concurrent procedures), QX (CRNA with medical direction), QY (one CRNA directed) 50 % of the allowance
(sec. 50.C, 140.3.3); AD (medical supervision of more than four procedures) three base units, no time
units (sec. 50.C; one unit more when the physician was present at induction, which an export cannot show);
P1-P6 physical status: no Medicare payment (Medicare does not recognise physical-status units); QS
(monitored anesthesia care) informational. Rounded half-up to the cent. Pure.

Time (`time_problem`): Medicare pays base plus time units, so a line whose time is not known is not priced.
The units field is read as minutes; a blank units cell is read as 1 (read.cells), and no anesthesia takes
one minute, so 1 (or less) is "time not reported" (AN01: a blank cell, or units typed for minutes), 0 or
more than 24 hours (1,440 minutes) is implausible (AN02). Two exceptions need no time: AD medical
supervision (3 base units only) and 01996, daily management of an epidural or subarachnoid drug
administration, paid base units only, once a day.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rvucheck.refdata.calendar import release_quarter
from rvucheck.refdata.releases import conversion_factors
from rvucheck.refdata.types import Locality

SOURCE = "Claims Processing Manual ch. 12 sec. 50 and 140.3"  # 50.G: time in minutes; 140.3.2: CRNA time
FIRST, LAST = 100, 1999  # CPT anesthesia section 00100-01999
FULL = {"AA": "personally performed by the anesthesiologist", "QZ": "CRNA without medical direction"}
HALF = {
    "QK": "medical direction of 2-4 concurrent procedures",
    "QX": "CRNA service with medical direction by a physician",
    "QY": "medical direction of one CRNA by an anesthesiologist",
}
SUPERVISION_BASE_UNITS = Decimal(3)
INFORMATIONAL = {"QS": "monitored anesthesia care (informational)"}
PHYSICAL_STATUS = frozenset({"P1", "P2", "P3", "P4", "P5", "P6"})
MAX_MINUTES = 24 * 60  # more anesthesia time than a day on one line is a typing or export error (AN02)
# ch. 12 s. 50.G: "does not recognize time units for CPT codes 01995 or 01996" (01995 deleted since)
BASE_UNITS_ONLY = {
    "01995": "regional IV administration of local anesthetic agent",
    "01996": "daily management of epidural or subarachnoid drug administration",
}
NOT_REPORTED = "anesthesia time not reported"
IMPLAUSIBLE = "anesthesia time implausible"


@dataclass(frozen=True)
class AnesthesiaPayment:
    payment: float
    units: float  # base + time units paid (before the 50 % share)
    explanation: tuple[str, ...]


def is_anesthesia(code: str) -> bool:
    return len(code) == 5 and code.isdigit() and FIRST <= int(code) <= LAST


def anesthesia_cf(locality: Locality | None, qpp: bool, release_id: str) -> tuple[float, str] | None:
    """(CF, its name): the locality's non-QPP anesthesia CF (ANES file), else the release year's national
    one (releases.toml, QPP or not); None when neither is known. A locality's QPP CF is not loaded: with
    --qpp the national QPP CF is used."""
    if locality is not None and locality.anes_cf and not qpp:
        return locality.anes_cf, f"the anesthesia CF of {locality.key}"
    quarter = release_quarter(release_id)
    if quarter is None:
        return None
    cf = conversion_factors(quarter[0]).get("anes_qpp" if qpp else "anes_nonqpp", 0.0)
    name = f"the national anesthesia CF {quarter[0]}" + (" (QPP)" if qpp else "")
    return (cf, name) if cf else None


def needs_time(code: str, mods: Collection[str]) -> bool:
    """Whether the payment of the line depends on its time (not for AD supervision nor 01996)."""
    return "AD" not in mods and code not in BASE_UNITS_ONLY


def time_problem(code: str, minutes: float, mods: Collection[str]) -> str:
    """Why the line's time cannot be priced ("" when it can): the start of the reason is NOT_REPORTED
    (rule AN01) or IMPLAUSIBLE (AN02)."""
    if not needs_time(code, mods):
        return ""
    if minutes <= 0:
        return f"{IMPLAUSIBLE}: 0 minutes; Medicare pays base plus time units ({SOURCE})"
    if minutes <= 1:
        return (
            f"{NOT_REPORTED} (units {minutes:g}: a blank units cell, or units typed for minutes); "
            f"Medicare pays base plus time units, base units alone are not its payment ({SOURCE})"
        )
    if minutes > MAX_MINUTES:
        return f"{IMPLAUSIBLE}: {minutes:,g} minutes is more than 24 hours ({MAX_MINUTES:,} minutes)"
    return ""


def time_units(minutes: float) -> Decimal:
    """One unit per 15 minutes, to one decimal (62 minutes -> 4.1)."""
    return (Decimal(repr(minutes)) / 15).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def anesthesia_payment(
    base_units: float,
    base_year: str,
    minutes: float,
    cf: float,
    cf_name: str,
    mods: Collection[str],
    code: str = "",
) -> AnesthesiaPayment:
    """The line's payment and how it was reached (see the module doc)."""
    base = Decimal(repr(base_units))
    steps = []
    if code in BASE_UNITS_ONLY and "AD" not in mods:
        time = Decimal(0)
        steps.append(f"{code} {BASE_UNITS_ONLY[code]}: base units only, no time units")
    elif "AD" in mods:
        base, time = SUPERVISION_BASE_UNITS, Decimal(0)
        steps.append(
            "AD medical supervision (more than four concurrent procedures): 3 base units, no time units "
            "(one more if the physician was present at induction)"
        )
    else:
        time = time_units(minutes)
    units = base + time
    share = Decimal("0.5") if any(m in mods for m in HALF) else Decimal(1)
    amount = (units * Decimal(repr(cf)) * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    steps.insert(
        0,
        f"anesthesia: ({float(base):g} base units (CMS CY{base_year} file) + {float(time):g} time units "
        f"for {minutes:g} minutes) x {cf_name} ${cf:g}"
        + (" x 50 %" if share < 1 else "")
        + f" = ${amount:,.2f} ({SOURCE})",
    )
    steps += [f"{m}: {text}, 100 %" for m, text in FULL.items() if m in mods]
    steps += [f"{m}: {text}, 50 %" for m, text in HALF.items() if m in mods]
    steps += [f"{m}: {text}" for m, text in INFORMATIONAL.items() if m in mods]
    steps += [
        f"{m}: physical status modifier, no Medicare payment for it"
        for m in sorted(PHYSICAL_STATUS & set(mods))
    ]
    return AnesthesiaPayment(float(amount), float(units), tuple(steps))
