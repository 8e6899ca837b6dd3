"""What a non-participating physician is paid and may charge, from the participating fee.

Social Security Act sec. 1848(a)(3) and (g)(2)(C), 42 CFR 414.48(b) (the "limiting charge"): a physician
who does not participate in Medicare is paid 95 % of the fee-schedule amount (the non-participating
amount), and when not accepting assignment may bill the patient at most 115 % of that,
the limiting charge, i.e. 1.0925 x the participating fee. Both are rounded to the cent from the participating
fee, as CMS's Physician Fee Schedule look-up tool shows them. One fact, one place: every face asks here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from rvucheck.refdata.pricing.pricer import UNPAID_STATUSES

NONPAR_SHARE = Decimal("0.95")  # of the participating fee-schedule amount
LIMITING_SHARE = Decimal("1.15")  # of the non-participating amount
CENT = Decimal("0.01")
SOURCE = "SSA sec. 1848(a)(3), (g)(2)(C); 42 CFR 414.48(b)"


def non_participating(fee: float) -> float:
    """The non-participating amount: 95 % of the participating fee, to the cent."""
    return _cents(Decimal(repr(fee)) * NONPAR_SHARE)


def limiting_charge(fee: float) -> float:
    """The limiting charge: 115 % of the non-participating amount (109.25 % of the fee), to the cent."""
    return _cents(Decimal(repr(fee)) * NONPAR_SHARE * LIMITING_SHARE)


def applies(status_code: str) -> bool:
    """Whether the limiting charge applies: a service the PFS pays (not a drug, which non-participating
    physicians must bill on assignment, SSA sec. 1842(o)(3), nor a status not paid separately)."""
    return bool(status_code) and status_code not in UNPAID_STATUSES


def _cents(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def amounts(fee: float) -> dict[str, float]:
    """Both amounts of one participating fee, as `rvucheck code --json` and the check's JSON list them."""
    return {"non_participating": non_participating(fee), "limiting_charge": limiting_charge(fee)}
