"""A Part B drug line's payment from CMS's ASP payment-limit file: limit per billing unit x units.

Medicare pays most Part B drugs at 106 % of the average sales price, which CMS publishes each quarter as the
"payment allowance limit" per HCPCS billing unit (SSA sec. 1847A; Claims Processing Manual ch. 17 sec. 20).
The line pays limit x units, rounded half-up to the cent. JW (drug amount discarded/not administered) is
paid like the administered amount, on its own line; JZ attests that none was discarded (Claims Processing
Manual ch. 17 sec. 40; CMS "JW and JZ Modifier Policy FAQs", JZ required from July 1, 2023): neither
changes the price per unit, both are shown. A date of
service outside the file's quarter is priced from it all the same and said to be stale (run note RD13).
Pure: the price comes in as a `DrugPrice` (refdata.asp); every face asks here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rvucheck.refdata.types import DrugPrice

CENT = Decimal("0.01")
MODIFIER_NOTES = {
    "JW": "JW: the amount discarded from a single-dose container, paid at the same limit per unit",
    "JZ": "JZ: no amount was discarded",
}


@dataclass(frozen=True)
class DrugPayment:
    payment: float
    explanation: tuple[str, ...]
    stale: bool  # the date of service is outside the file's quarter


def is_stale(price: DrugPrice, dos: dt.date | None) -> bool:
    return dos is not None and not (price.effective_from <= dos <= price.effective_to)


def drug_payment(price: DrugPrice, mods: Collection[str], units: float, dos: dt.date | None) -> DrugPayment:
    """The line's ASP payment and how it was reached."""
    amount = float((Decimal(repr(price.limit)) * Decimal(repr(units))).quantize(CENT, ROUND_HALF_UP))
    steps = [
        f"Part B drug: ASP payment limit ${price.limit:,.3f} per {price.dosage or 'billing unit'} "
        f"x {units:g} units = ${amount:,.2f} ({price.label}, {price.effective_from} to {price.effective_to})"
    ]
    steps += [note for mod, note in MODIFIER_NOTES.items() if mod in mods]
    if "JW" in mods and "JZ" in mods:
        steps.append("JW and JZ together: an amount discarded and none discarded cannot both be true")
    stale = is_stale(price, dos)
    if stale:
        steps.append(f"the date of service is outside {price.label}: priced from it all the same")
    return DrugPayment(amount, tuple(steps), stale)
