"""Lines the RVU formula does not price: anesthesia (base + time units x the anesthesia CF) and Part B drugs
(ASP payment limit x units). The arithmetic is in refdata.pricing (anesthesia.py, drugs.py), shared with
`rvucheck code`; this class gives it the run's reference data, locality and CF choice, caches the answers and
remembers the drug lines priced from another quarter's ASP file (run note RD13, engine.drug_notes).
"""

from __future__ import annotations

import datetime as dt

from rvucheck.refdata.pricing.anesthesia import (
    AnesthesiaPayment,
    anesthesia_cf,
    anesthesia_payment,
    is_anesthesia,
)
from rvucheck.refdata.pricing.drugs import drug_payment
from rvucheck.refdata.pricing.pricer import UNPAID_STATUSES
from rvucheck.refdata.types import Locality, PricingData, ReleaseChoice, RvuRow

Priced = tuple[float, tuple[str, ...]]  # (payment, explanation)


class OtherPrices:
    def __init__(
        self, ref: PricingData, locality: Locality | None, qpp: bool, pinned: dt.date | None
    ) -> None:
        self.locality = locality
        self.qpp = qpp
        self.pinned = pinned
        self._drug_price = getattr(ref, "drug_price", None)  # ReferenceData has them, bare PricingData not
        self._anes_base = getattr(ref, "anesthesia_base_units", None)
        self._anes: dict[tuple[object, ...], AnesthesiaPayment | None] = {}
        self.stale_drugs: list[tuple[int, str]] = []  # (line index, ASP file) priced outside its quarter

    def price(
        self,
        index: int,
        code: str,
        mods: tuple[str, ...],
        units: float,
        dos: dt.date | None,
        release: ReleaseChoice,
        priced: RvuRow | None,
        payment: float | None,
    ) -> Priced | None:
        """The line's payment when it is anesthesia or a Part B drug the RVU formula leaves at $0."""
        units = units if units > 0 else 0.0
        if code[:1] == "0" and is_anesthesia(code):
            anes = self.anesthesia(code, mods, units, release)
            if anes is not None:
                return anes.payment, anes.explanation
        if not payment and (priced is None or priced.status_code in UNPAID_STATUSES):
            return self.drug(index, code, mods, units, dos)
        return None

    def drug(
        self, index: int, code: str, mods: tuple[str, ...], units: float, dos: dt.date | None
    ) -> Priced | None:
        price = self._drug_price(code, self.pinned or dos) if self._drug_price is not None else None
        if price is None:
            return None
        found = drug_payment(price, mods, units, dos)
        if found.stale:
            self.stale_drugs.append((index, price.label))
        return found.payment, found.explanation

    def anesthesia(
        self, code: str, mods: tuple[str, ...], minutes: float, release: ReleaseChoice
    ) -> AnesthesiaPayment | None:
        key = (code, mods, minutes, release.release_id)
        if key not in self._anes:
            self._anes[key] = self._anesthesia(code, mods, minutes, release)
        return self._anes[key]

    def _anesthesia(
        self, code: str, mods: tuple[str, ...], minutes: float, release: ReleaseChoice
    ) -> AnesthesiaPayment | None:
        found = self._anes_base(code) if self._anes_base is not None else None
        cf = anesthesia_cf(self.locality, self.qpp, release.release_id)
        if found is None or cf is None:
            return None
        return anesthesia_payment(found[0], found[1], minutes, cf[0], cf[1], mods)
