"""Modifier-adjusted payment and credited work RVU, per Medicare Claims Processing Manual ch. 12 (s. 40 ff.)
and the PFS indicator documentation (RVU25D.pdf, PF26PB.pdf).

The row comes decided (`pricer.choose_rows` picks the 26/TC/53 rows). Order of the steps follows the
manual: bilateral (50) before multiple procedures (51 / rank), then co-surgery (62), team (66), assistant
(80/81/82/AS), reduced (52) and the global-package split (54/55/56). The credited work RVU follows the
same factors, except where a rule only cuts practice expense or the technical component (therapy and
imaging MPPR).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from rvucheck.refdata.pricing.components import component_rows
from rvucheck.refdata.pricing.formula import CENT, formula, gpci_of
from rvucheck.refdata.types import Adjusted, Locality, PricingData, RvuRow

ASSISTANT = {"80": Decimal("0.16"), "81": Decimal("0.16"), "82": Decimal("0.16"), "AS": Decimal("0.136")}
# Technical-component reductions of the 2nd and later procedures, by multiple procedure indicator.
TC_MPPR = {"4": Decimal("0.50"), "6": Decimal("0.25"), "7": Decimal("0.20")}
PC_MPPR_IMAGING = Decimal("0.05")
# Services furnished in whole or in part by a physical (CQ) or occupational (CO) therapy assistant: 85%
# of the fee schedule amount from CY2022 (Bipartisan Budget Act of 2018 s.53107; 42 CFR 410.59, 410.60).
THERAPY_ASSISTANT = {"CQ": Decimal("0.85"), "CO": Decimal("0.85")}


@dataclass
class _State:
    ref: PricingData
    row: RvuRow
    locality: Locality | None
    facility: bool
    qpp: bool
    amount: Decimal = Decimal(0)
    work_factor: Decimal = Decimal(1)
    steps: list[str] = field(default_factory=list)

    def fee(self, row: RvuRow) -> Decimal:
        return Decimal(repr(self.ref.fee(row, self.locality, self.facility, self.qpp).amount))

    def scale(self, factor: Decimal, why: str, work: bool = True) -> None:
        self.amount *= factor
        if work:
            self.work_factor *= factor
        self.steps.append(f"{why}: x {_pct(factor)}")


def _pct(factor: Decimal) -> str:
    return f"{(factor * 100).normalize():f}%"


def adjust(
    ref: PricingData,
    row: RvuRow,
    modifiers: tuple[str, ...],
    rank: int = 1,
    locality: Locality | None = None,
    facility: bool = False,
    qpp: bool = False,
    row_notes: tuple[str, ...] = (),
    *,
    endoscopy: bool = False,
) -> Adjusted:
    """One unit of `row` (the row the pricer chose) after the payment modifiers and the rank;
    `row_notes` (why that row) follow the full-fee step in the explanation. `endoscopy`: the line is
    an endoscopy below the highest of its family (same endoscopic base) that day, so it pays its value
    minus the base's before its family's `rank` applies (RVU file, MULT PROC 3)."""
    mods = tuple(m.strip().upper() for m in modifiers if m and m.strip())
    state = _State(ref, row, locality, facility, qpp)
    state.steps.extend(row_notes)
    full = state.fee(state.row)
    state.amount = full
    where = "facility" if facility else "non-facility"
    state.steps.insert(
        0,
        f"{state.row.hcpcs}{'-' + state.row.modifier if state.row.modifier else ''} "
        f"full {where} fee ${full:,.2f}",
    )
    if "50" in mods:
        _bilateral(state)
    if endoscopy:
        _endoscopy(state)
    if rank > 1 or "51" in mods:
        _multiple(state, max(rank, 2) if "51" in mods and rank == 1 else rank)
    if "62" in mods:
        _co_surgery(state)
    if "66" in mods:
        _team(state)
    for mod in mods:
        if mod in ASSISTANT:
            _assistant(state, mod)
    for mod in mods:
        if mod in THERAPY_ASSISTANT:
            state.scale(THERAPY_ASSISTANT[mod], f"{mod} furnished by a therapy assistant")
    if "52" in mods:
        state.steps.append(
            "52 reduced services: the contractor sets the reduction from the documentation; "
            "shown at the full fee, the most it can pay"
        )
    for mod, shares, what in (
        ("54", ("pre_op", "intra_op"), "surgical care only: pre-operative + intra-operative shares"),
        ("55", ("post_op",), "post-operative management only: post-operative share"),
        ("56", ("pre_op",), "pre-operative management only: pre-operative share"),
        (
            "78",
            ("intra_op",),
            "unplanned return to the operating room in the global period: intra-operative share "
            "(RVU file INTRA OP percentage; Claims Processing Manual ch. 12 s. 40.4)",
        ),
    ):
        if mod in mods:
            _split(state, mod, shares, what)
    amount = state.amount.quantize(CENT, rounding=ROUND_HALF_UP)
    work = (Decimal(repr(state.row.work_rvu)) * state.work_factor).quantize(CENT, rounding=ROUND_HALF_UP)
    factor = float(amount / full) if full else 0.0
    state.steps.append(f"payment ${amount:,.2f}, credited work RVU {work}")
    return Adjusted(float(amount), float(work), round(factor, 6), tuple(state.steps))


def _bilateral(state: _State) -> None:
    indicator = state.row.bilat_surg
    if indicator == "1":
        state.scale(Decimal("1.5"), "50 bilateral, indicator 1: 150% of one side for both sides")
    elif indicator == "3":
        state.scale(Decimal(2), "50 bilateral, indicator 3: 100% for each side")
    elif indicator == "2":
        state.steps.append("50 bilateral, indicator 2: the RVUs already cover both sides, 100% (no increase)")
    elif indicator == "0":
        state.steps.append(
            "50 bilateral, indicator 0: the bilateral adjustment does not apply; both sides "
            "together are paid at most 100% of one"
        )
    else:
        state.steps.append(f"50 bilateral, indicator {indicator}: the concept does not apply")


def _multiple(state: _State, rank: int) -> None:
    indicator = state.row.mult_proc
    label = f"51 multiple procedure, rank {rank}, indicator {indicator}"
    if indicator in ("1", "2"):
        cut = Decimal("0.25") if indicator == "1" and rank >= 3 else Decimal("0.50")
        state.scale(cut, f"{label}: 100% for the highest, then {_pct(cut)}")
        if rank > 5:
            state.steps.append(
                "ranks beyond the fifth are priced by report (documentation to the contractor)"
            )
    elif indicator == "3":
        state.scale(
            Decimal("0.50"),
            f"{label}: an endoscopy family (or one endoscopy) ranked with the day's other procedures, "
            "standard 50%",
        )
    elif indicator in TC_MPPR:
        _tc_reduction(state, label, TC_MPPR[indicator])
    elif indicator == "5":
        pe = state.row.pe_rvu_facility if state.facility else state.row.pe_rvu_nonfacility
        gpci = gpci_of(
            state.ref.localities(state.row.release).get(state.locality.key) if state.locality else None
        )
        cf = state.ref.conversion_factor(state.row.release, state.qpp)
        state.amount = formula(state.row.work_rvu, pe * 0.5, state.row.mp_rvu, gpci, cf)
        state.steps.append(f"{label}: therapy MPPR, practice expense paid at 50% (work and MP in full)")
    elif indicator == "0":
        state.steps.append(f"{label}: no multiple-procedure reduction")
    else:
        state.steps.append(f"{label}: the concept does not apply")


def _endoscopy(state: _State) -> None:
    """A lower endoscopy of its family: its value minus the base's; the base itself billed beside an
    endoscopy of its family is included in that one (RVU file, MULT PROC 3)."""
    base_code = state.row.endo_base
    if not base_code:
        state.scale(
            Decimal(0),
            f"multiple endoscopy: {state.row.hcpcs} is the base of an endoscopy of its family billed the "
            "same day, its payment is included in that one's",
        )
        return
    base = state.ref.row(state.row.release, base_code)
    if base is None:
        state.steps.append(f"multiple endoscopy: base {base_code} has no fee-schedule row, no reduction")
        return
    base_fee = state.fee(base)
    before = state.amount
    state.amount = max(before - base_fee, Decimal(0))
    work_left = max(state.row.work_rvu - base.work_rvu, 0.0)
    state.work_factor = (
        (Decimal(repr(work_left)) / Decimal(repr(state.row.work_rvu))) if state.row.work_rvu else Decimal(0)
    )
    state.steps.append(
        f"multiple endoscopy, family of base {base_code}: below the family's highest, pays its fee less "
        f"the base's (${before:,.2f} - ${base_fee:,.2f})"
    )


def _tc_reduction(state: _State, label: str, cut: Decimal) -> None:
    """Imaging (4), cardiovascular (6), ophthalmology (7) MPPR: cut the TC; imaging also cuts the PC 5%.
    A global service pays its professional part (its -26 row, or a global-test-only code's PC codes)
    and its technical part reduced; a service whose parts are not known is reduced as technical."""
    pc_cut = PC_MPPR_IMAGING if state.row.mult_proc == "4" else Decimal(0)
    keep_tc, keep_pc = 1 - cut, 1 - pc_cut
    if state.row.modifier == "TC" or state.row.pctc_indicator == "3":
        state.scale(keep_tc, f"{label}: technical component reduced {_pct(cut)}", work=False)
    elif state.row.modifier == "26":
        state.scale(keep_pc, f"{label}: professional component reduced {_pct(pc_cut)}")
    else:
        parts = component_rows(state.ref, state.row)
        if parts is None:
            state.scale(keep_tc, f"{label}: technical service reduced {_pct(cut)}", work=False)
            return
        tc = sum((state.fee(r) for r in parts[0]), Decimal(0))
        pc = sum((state.fee(r) for r in parts[1]), Decimal(0))
        state.amount = pc * keep_pc + tc * keep_tc
        state.work_factor *= keep_pc
        names = "+".join(r.hcpcs + ("-" + r.modifier if r.modifier else "") for r in parts[0])
        state.steps.append(
            f"{label}: PC ${pc:,.2f} x {_pct(keep_pc)} + TC ({names}) ${tc:,.2f} x {_pct(keep_tc)} "
            "(2nd and later service of the day)"
        )


def _co_surgery(state: _State) -> None:
    indicator = state.row.co_surg
    if indicator in ("1", "2"):
        state.scale(Decimal("0.625"), f"62 co-surgeon, indicator {indicator}: 62.5% to each surgeon")
        if indicator == "1":
            state.steps.append("co-surgery indicator 1: documentation of medical necessity required")
    elif indicator == "0":
        state.scale(Decimal(0), "62 co-surgeon, indicator 0: co-surgeons not permitted, not payable")
    else:
        state.steps.append(f"62 co-surgeon, indicator {indicator}: the concept does not apply")


def _team(state: _State) -> None:
    indicator = state.row.team_surg
    if indicator in ("1", "2"):
        state.steps.append(
            f"66 team surgery, indicator {indicator}: carrier priced (by report); shown at the full fee"
        )
    elif indicator == "0":
        state.scale(Decimal(0), "66 team surgery, indicator 0: team surgeons not permitted, not payable")
    else:
        state.steps.append(f"66 team surgery, indicator {indicator}: the concept does not apply")


def _assistant(state: _State, mod: str) -> None:
    indicator = state.row.asst_surg
    share = ASSISTANT[mod]
    who = "non-physician assistant (85% of 16%)" if mod == "AS" else "assistant at surgery"
    if indicator == "1":
        state.scale(Decimal(0), f"{mod} {who}, indicator 1: statutory restriction, assistant not payable")
    elif indicator == "0":
        state.scale(share, f"{mod} {who}, indicator 0: {_pct(share)}, only with documentation of necessity")
    elif indicator == "2":
        state.scale(share, f"{mod} {who}, indicator 2: {_pct(share)}")
    else:
        state.steps.append(f"{mod} {who}, indicator {indicator}: the concept does not apply")


def _split(state: _State, mod: str, shares: tuple[str, ...], what: str) -> None:
    total = sum((Decimal(repr(getattr(state.row, s))) for s in shares), Decimal(0))
    if state.row.pre_op + state.row.intra_op + state.row.post_op == 0:
        state.steps.append(
            f"{mod}: {state.row.hcpcs} has no global-package shares (global {state.row.global_days})"
        )
        return
    state.scale(total, f"{mod} {what}")
