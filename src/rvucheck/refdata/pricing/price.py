"""The one pricing function: what one charge line pays, whichever method prices it, on every face.

The rules engine (`engine.facts.Pricer`, through its cache), `rvucheck code` (`refdata.code_page`) and the
Excel functions (`excel.lookups`) all call `price`, so a line has one price wherever it is asked:

- more units than any line is billed with (above `MAX_UNITS`, rule LN09): not priced. One typo of 1e9 units
  would otherwise outweigh the month in every total; the amount is None and `why_not` says so.
- an anesthesia code (CPT 00100-01999) with its base units and an anesthesia CF installed: (base units +
  time units) x the anesthesia CF (`anesthesia.py`; Claims Processing Manual ch. 12 s. 50). The units field
  carries the minutes, as on a CMS claim, unless `minutes` is given. Without a usable time (`time_problem`:
  rules AN01 and AN02) the line is not priced: Medicare pays base plus time units, base units alone are not
  its payment.
- a code the fee schedule prices: the RVU formula after the modifiers and the multiple-procedure rank
  (`pricer.py`, `adjustments.py`); a status Medicare does not pay separately pays $0.
- a Part B drug that the fee schedule leaves at $0 or does not list: the ASP payment limit x units
  (`drugs.py`; ch. 17 s. 20), from the ASP quarter in effect on the date (`stale` when none covers it).
- anything else: not priced (amount None).
Pure: the reference data comes in as `PricingData`; anesthesia base units and ASP limits are asked of it
when it has them (`ReferenceData` does, a bare fee-schedule fake does not).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rvucheck.refdata.pricing import pricer
from rvucheck.refdata.pricing.anesthesia import (
    anesthesia_cf,
    anesthesia_payment,
    is_anesthesia,
    time_problem,
)
from rvucheck.refdata.pricing.drugs import drug_payment
from rvucheck.refdata.types import DrugPrice, Locality, PricingData, ReleaseChoice

MAX_UNITS = 9999  # more units than this on one line is a typing or export error (rule LN09): not priced
FEE_SCHEDULE, ANESTHESIA, ASP = "fee schedule", "anesthesia", "ASP"


@dataclass(frozen=True)
class Price:
    """One line's price. `basis`: how it was priced (fee schedule, anesthesia, ASP), "" when not priced;
    `why_not`: why it was not (amount None); `line`: the RVU figures when the line has a fee-schedule row;
    `stale`: the ASP file's label when the date of service is outside its quarter."""

    amount: float | None
    basis: str
    explanation: tuple[str, ...]
    line: pricer.LinePrice | None = None
    why_not: str = ""
    stale: str = ""


def price(
    data: PricingData,
    code: str,
    modifiers: Iterable[str] = (),
    units: float = 1.0,
    *,
    minutes: float | None = None,
    on: dt.date | None = None,
    locality: Locality | None = None,
    facility: bool = False,
    qpp: bool = False,
    rank: int = 1,
    endoscopy: bool = False,
    first_full: bool = False,
    release: ReleaseChoice | None = None,
) -> Price:
    """Price one line billed on `on` (the release in effect then, unless `release` is given). `facility`:
    the setting of its place of service; `rank`: its multiple-procedure rank in its day (1 = the highest
    paid); `endoscopy`: below the highest endoscopy of its family that day; `first_full`: its first unit
    at rank 1 and the others at `rank` (therapy MPPR). `engine.mppr` decides those three."""
    hcpcs = code.strip().upper()
    mods = pricer.normalise_modifiers(modifiers)
    units = units if units > 0 else 0.0
    if units > MAX_UNITS:
        why = (
            f"not priced: {units:,.0f} units is more than {MAX_UNITS:,} on one line (LN09), a typing or "
            "export error; it is left out of the totals"
        )
        return Price(None, "", (why,), why_not=why)
    release = release or data.release_for(on)
    line = None
    if release.release_id:
        choice = pricer.choose_rows(data, release.release_id, hcpcs, mods)
        if choice.priced is not None:
            one_unit = pricer.adjusted(data, choice, mods, rank, locality, facility, qpp, endoscopy=endoscopy)
            first = pricer.adjusted(data, choice, mods, 1, locality, facility, qpp) if first_full else None
            line = pricer.line_price(choice, one_unit, units, facility, first)
    if is_anesthesia(hcpcs):
        found = _anesthesia(data, hcpcs, mods, units if minutes is None else minutes, release, locality, qpp)
        if found is not None:
            return Price(found.amount, found.basis, found.explanation, line, found.why_not)
    if line is not None and (line.payment or line.priced.status_code not in pricer.UNPAID_STATUSES):
        return Price(line.payment, FEE_SCHEDULE, line.explanation, line)
    drug = _drug(data, hcpcs, mods, units, on)
    if drug is not None:
        return Price(drug.amount, ASP, drug.explanation, line, stale=drug.stale)
    if line is not None:
        return Price(line.payment, FEE_SCHEDULE, line.explanation, line)
    return Price(None, "", ())


def _anesthesia(
    data: PricingData,
    code: str,
    mods: tuple[str, ...],
    minutes: float,
    release: ReleaseChoice,
    locality: Locality | None,
    qpp: bool,
) -> Price | None:
    """The anesthesia price, or None when the base units or the CF are not installed (the line is then
    priced like any other code: status J, $0)."""
    base_units: Callable[[str], tuple[float, str] | None] | None = getattr(
        data, "anesthesia_base_units", None
    )
    found = base_units(code) if base_units is not None else None
    cf = anesthesia_cf(locality, qpp, release.release_id) if release.release_id else None
    if found is None or cf is None:
        return None
    problem = time_problem(code, minutes, mods)
    if problem:
        why = f"not priced: {problem}"
        return Price(None, "", (why,), why_not=why)
    paid = anesthesia_payment(found[0], found[1], minutes, cf[0], cf[1], mods, code)
    return Price(paid.payment, ANESTHESIA, paid.explanation)


def _drug(
    data: PricingData, code: str, mods: tuple[str, ...], units: float, on: dt.date | None
) -> Price | None:
    drug_price: Callable[[str, dt.date | None], DrugPrice | None] | None = getattr(data, "drug_price", None)
    found = drug_price(code, on) if drug_price is not None else None
    if found is None:
        return None
    paid = drug_payment(found, mods, units, on)
    return Price(paid.payment, ASP, paid.explanation, stale=found.label if paid.stale else "")
