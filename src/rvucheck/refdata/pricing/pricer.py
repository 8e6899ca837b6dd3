"""The fee-schedule pricer: which fee-schedule row prices a line, and what the line pays from it.

Every face prices a line through `refdata.pricing.price.price` (the one pricing function, which also
prices anesthesia and Part B drugs); it asks here for lines the fee schedule prices, so a line has one
price wherever it is asked.

Which PPRRVU row (one row per HCPCS + modifier) prices a line:
- billed -26, -TC or -53, the code's own row of that modifier when CMS publishes one (26, then TC, then 53
  when a line carries more than one of them);
- billed -26 and -TC together, the global row (blank modifier): the professional and the technical
  component together are the whole service, and the global row is CMS's price of exactly that;
- billed a row modifier the code has no row for, the global row, "priced as billed" (the contractor decides
  whether it can be split or how much a discontinued procedure pays);
- a code CMS lists only as 26/TC/53 rows, its first such row.
`adjustments.adjust` then applies the payment modifiers and the multiple-procedure rank to that row. A
status Medicare does not pay separately (bundled, excluded, ...) pays $0 on every face, with a step
saying so. The no-add-in workbooks cannot call Python: their formulas (excel/workbook_data.py) spell the
same two choices (26 + TC -> global row; unpaid status -> $0) and a LibreOffice test holds them to these
answers. Pure: the reference data comes in as `PricingData`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rvucheck.refdata.pricing.adjustments import adjust
from rvucheck.refdata.types import Adjusted, Locality, PricingData, RvuRow

ROW_MODIFIERS = ("26", "TC", "53")  # modifiers CMS prices with a row of their own in the PPRRVU file
# Statuses Medicare does not pay separately: B bundled, I not valid for Medicare, N non-covered,
# X statutory exclusion, E excluded by regulation, P bundled/excluded, M measurement codes.
UNPAID_STATUSES = frozenset("BINXEPM")


@dataclass(frozen=True)
class RowChoice:
    """The rows of one code + modifiers in one release."""

    row: RvuRow | None  # the code's own row (blank modifier), for global days, status and indicators
    priced: RvuRow | None  # the row the line is paid from
    notes: tuple[str, ...]  # why that row, when it is not simply the row billed


@dataclass(frozen=True)
class LinePrice:
    """One line's price: the rows, its RVUs and payment times units, and how the payment was reached."""

    row: RvuRow | None
    priced: RvuRow
    work_rvu: float
    credited_work_rvu: float
    total_rvu: float
    payment: float  # $0 when the status is not paid separately
    explanation: tuple[str, ...]
    factor: float = 1.0  # overall fraction of the full fee paid per unit (the modifiers and rank)


def normalise_modifiers(modifiers: Iterable[str]) -> tuple[str, ...]:
    """Upper-case, without blanks or repeats, sorted: a line's answer never depends on how it lists them."""
    return tuple(sorted({m.strip().upper() for m in modifiers if m and m.strip()}))


def choose_rows(data: PricingData, release_id: str, code: str, mods: tuple[str, ...]) -> RowChoice:
    """The row that prices `code` billed with `mods` (normalised) in a release (see the module doc)."""
    own = data.row(release_id, code)
    billed = [m for m in ROW_MODIFIERS if m in mods]
    splittable = any(data.row(release_id, code, m) is not None for m in ("26", "TC"))
    if own is not None and "26" in billed and "TC" in billed and splittable:
        note = (
            f"modifiers 26 and TC together: the professional and technical components are the whole "
            f"service, priced from the global {own.hcpcs} row"
        )
        return RowChoice(own, own, (note,))
    priced = next((r for m in billed if (r := data.row(release_id, code, m)) is not None), None)
    row = own
    if priced is None:
        priced = own
        if own is None:  # listed only as component rows: report and price from the first of them
            row = priced = next(
                (r for m in ROW_MODIFIERS if (r := data.row(release_id, code, m)) is not None), None
            )
    if priced is None:
        return RowChoice(None, None, ())
    return RowChoice(row, priced, tuple(_row_notes(own, priced, billed)))


def _row_notes(own: RvuRow | None, priced: RvuRow, billed: list[str]) -> list[str]:
    notes = []
    if priced.modifier and priced.modifier in billed:
        notes.append(
            f"modifier {priced.modifier}: priced from CMS's own {priced.hcpcs}-{priced.modifier} row"
        )
    for mod in ("26", "TC"):
        if mod in billed and priced.modifier != mod and own is not None:
            notes.append(
                f"modifier {mod}: {own.hcpcs} has no {mod} row (PC/TC indicator {own.pctc_indicator}); "
                "it cannot be split, priced as billed"
            )
    if "53" in billed and priced.modifier != "53":
        notes.append(
            "53 discontinued procedure: no separate RVUs for this code; the contractor prices it "
            "(shown at the full fee)"
        )
    return notes


def adjusted(
    data: PricingData,
    choice: RowChoice,
    mods: tuple[str, ...],
    rank: int = 1,
    locality: Locality | None = None,
    facility: bool = False,
    qpp: bool = False,
    *,
    endoscopy: bool = False,
) -> Adjusted:
    """One unit of the line after the payment modifiers and its multiple-procedure rank (`endoscopy`:
    below the highest endoscopy of its family that day, see `adjustments.adjust`)."""
    if choice.priced is None:
        raise LookupError("no fee-schedule row prices this line")
    return adjust(data, choice.priced, mods, rank, locality, facility, qpp, choice.notes, endoscopy=endoscopy)


def line_price(
    choice: RowChoice, one_unit: Adjusted, units: float, facility: bool, first: Adjusted | None = None
) -> LinePrice:
    """The line's figures for `units` units, rounded to cents; unpaid statuses pay $0. `first`: the line's
    first unit is paid so and the others as `one_unit` (therapy MPPR: the day's highest-PE unit in full)."""
    priced = choice.priced
    if priced is None:
        raise LookupError("no fee-schedule row prices this line")
    total = priced.total_rvu_facility if facility else priced.total_rvu_nonfacility
    payment = round(one_unit.payment * units, 2)
    explanation = one_unit.explanation
    if first is not None and units > 1:
        payment = round(first.payment + one_unit.payment * (units - 1), 2)
        explanation = (
            *explanation,
            f"therapy MPPR: the day's highest-PE unit in full (${first.payment:,.2f}), the other "
            f"{units - 1:g} at ${one_unit.payment:,.2f}: ${payment:,.2f}",
        )
    if priced.status_code in UNPAID_STATUSES:
        payment = 0.0
        explanation = (*explanation, f"status {priced.status_code}: not paid separately")
    return LinePrice(
        choice.row,
        priced,
        round(priced.work_rvu * units, 2),
        round(one_unit.work_rvu * units, 2),
        round(total * units, 2),
        payment,
        explanation,
        one_unit.factor,
    )
