"""Modifier adjustments (Claims Processing Manual ch. 12) on real RVU26C rows, each figure derived here
from the row's own values so the test states the rule, not just a remembered number."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rvucheck.refdata.pricing import pricer
from rvucheck.refdata.types import Adjusted, RvuRow


def adjust_line(ref: Any, row: RvuRow, modifiers: tuple[str, ...], **where: Any) -> Adjusted:
    """One unit of `row` billed with `modifiers`, through the one pricer (rank, locality, facility, qpp);
    a 26/TC row given here is priced from itself."""
    mods = pricer.normalise_modifiers(modifiers)
    own = pricer.RowChoice(row, row, ()) if row.modifier else None
    choice = own or pricer.choose_rows(ref, row.release, row.hcpcs, mods)
    return pricer.adjusted(ref, choice, mods, **where)


def cents(value: float | Decimal) -> float:
    return float(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_bilateral_indicator_1_pays_150_percent(ref) -> None:  # type: ignore[no-untyped-def]
    row = ref.rvu("20983")
    assert row.bilat_surg == "1"
    adjusted = adjust_line(ref, row, ("50",))
    assert adjusted.payment == 7358.88 == cents(4905.92 * 1.5)
    assert adjusted.work_rvu == 10.07  # 6.71 x 1.5 = 10.065
    assert adjusted.factor == 1.5
    assert any("150%" in step for step in adjusted.explanation)


def test_assistant_rules(ref) -> None:  # type: ignore[no-untyped-def]
    blocked = adjust_line(ref, ref.rvu("20983"), ("80",))  # assistant indicator 1: statutory restriction
    assert (blocked.payment, blocked.work_rvu) == (0.0, 0.0)
    chole = ref.rvu("47562")
    assert chole.asst_surg == "2"
    full = ref.payment(chole, facility=True)
    assert adjust_line(ref, chole, ("80",), facility=True).payment == cents(
        Decimal(repr(full)) * Decimal("0.16")
    )
    assert adjust_line(ref, chole, ("AS",), facility=True).payment == cents(
        Decimal(repr(full)) * Decimal("0.136")
    )
    assert adjust_line(ref, chole, ("AS",), facility=True).work_rvu == cents(
        Decimal(repr(chole.work_rvu)) * Decimal("0.136")
    )


def test_multiple_procedure_rank(ref) -> None:  # type: ignore[no-untyped-def]
    row = ref.rvu("20983")  # indicator 2
    second = adjust_line(ref, row, ("51",), rank=2)
    assert second.payment == cents(4905.92 * 0.5) == 2452.96
    assert adjust_line(ref, row, (), rank=1).payment == 4905.92


def test_co_surgery_and_global_split(ref) -> None:  # type: ignore[no-untyped-def]
    knee = ref.rvu("27447")
    assert knee.co_surg == "1"
    full = ref.payment(knee, facility=True)
    assert adjust_line(ref, knee, ("62",), facility=True).payment == cents(
        Decimal(repr(full)) * Decimal("0.625")
    )
    chole = ref.rvu("47562")
    share = Decimal(repr(chole.pre_op)) + Decimal(repr(chole.intra_op))
    surgical_only = adjust_line(ref, chole, ("54",), facility=True)
    assert surgical_only.payment == cents(Decimal(repr(ref.payment(chole, facility=True))) * share)
    post_only = adjust_line(ref, chole, ("55",), facility=True)
    assert post_only.payment == cents(
        Decimal(repr(ref.payment(chole, facility=True))) * Decimal(repr(chole.post_op))
    )
    assert adjust_line(ref, ref.rvu("20983"), ("62",)).payment == 0.0  # co-surgery indicator 0: not permitted


def test_pc_tc_and_53_rows(ref) -> None:  # type: ignore[no-untyped-def]
    mri = ref.rvu("70551")
    tc = adjust_line(ref, mri, ("TC",))
    assert tc.payment == ref.payment(ref.rvu("70551", "TC"))
    assert tc.work_rvu == 0.0
    pc = adjust_line(ref, mri, ("26",))
    assert pc.work_rvu == ref.rvu("70551", "26").work_rvu
    colonoscopy = adjust_line(ref, ref.rvu("45378"), ("53",))
    assert colonoscopy.payment == ref.payment(ref.rvu("45378", "53"))


def test_imaging_mppr_cuts_tc_half_and_pc_five_percent(ref) -> None:  # type: ignore[no-untyped-def]
    mri = ref.rvu("70551")
    assert mri.mult_proc == "4"
    pc = Decimal(repr(ref.payment(ref.rvu("70551", "26"))))
    tc = Decimal(repr(ref.payment(ref.rvu("70551", "TC"))))
    second = adjust_line(ref, mri, (), rank=2)
    assert second.payment == cents(pc * Decimal("0.95") + tc * Decimal("0.5"))
    assert adjust_line(ref, ref.rvu("70551", "TC"), (), rank=2).payment == cents(tc * Decimal("0.5"))


def test_endoscopy_subtracts_its_base(ref) -> None:  # type: ignore[no-untyped-def]
    egd_biopsy = ref.rvu("43239")
    assert (egd_biopsy.mult_proc, egd_biopsy.endo_base) == ("3", "43235")
    own = Decimal(repr(ref.payment(egd_biopsy, facility=True)))
    base = Decimal(repr(ref.payment(ref.rvu("43235"), facility=True)))
    below_top = adjust_line(ref, egd_biopsy, (), endoscopy=True, facility=True)
    assert below_top.payment == cents(own - base) == 13.02
    # ranked 2nd as one procedure (another family, or any other surgery): the standard 50%, no base
    assert adjust_line(ref, egd_biopsy, ("51",), rank=2, facility=True).payment == cents(own / 2) == 61.79


def test_therapy_mppr_halves_practice_expense(ref) -> None:  # type: ignore[no-untyped-def]
    row = ref.rvu("97110")
    assert row.mult_proc == "5"
    expected = (
        Decimal(repr(row.work_rvu))
        + Decimal(repr(row.pe_rvu_nonfacility)) * Decimal("0.5")
        + Decimal(repr(row.mp_rvu))
    ) * Decimal("33.4009")
    second = adjust_line(ref, row, (), rank=2)
    assert second.payment == cents(expected)
    assert second.work_rvu == row.work_rvu


def test_team_and_reduced_are_carrier_priced(ref) -> None:  # type: ignore[no-untyped-def]
    team_row = next(r for r in ref.rows("RVU26C").values() if r.team_surg == "2" and r.status_code == "A")
    team = adjust_line(ref, team_row, ("66",), facility=True)
    assert team.payment == ref.payment(team_row, facility=True)
    assert any("carrier priced" in step for step in team.explanation)
    reduced = adjust_line(ref, ref.rvu("20983"), ("52",))
    assert any("contractor" in step for step in reduced.explanation)


def test_locality_adjusted(ref) -> None:  # type: ignore[no-untyped-def]
    sf = ref.locality("01112-05")
    row = ref.rvu("20983")
    assert adjust_line(ref, row, ("50",), locality=sf).payment == cents(
        Decimal(repr(ref.payment(row, sf))) * Decimal("1.5")
    )


def test_modifier_78_pays_the_intra_operative_share(ref) -> None:  # type: ignore[no-untyped-def]
    """Claims Processing Manual ch. 12 s. 40.4 (return to the OR for a complication, modifier 78): the
    contractor pays the intra-operative share of the global package. CPT Assistant Sept. 2010's example:
    44140 on March 1, then 35820-78 (chest wall exploration) on March 15. On RVU26C, 35820 (global 090,
    pre 0.09 / intra 0.84 / post 0.07) has a national fee of $1,870.78: with 78 it pays
    $1,870.78 x 0.84 = $1,571.4552 -> $1,571.46; billed without 78 it pays the full $1,870.78."""
    row = ref.rvu("35820")
    assert (row.pre_op, row.intra_op, row.post_op) == (0.09, 0.84, 0.07)
    returned = adjust_line(ref, row, ("78",), facility=True)
    assert returned.payment == 1571.46
    assert returned.work_rvu == cents(row.work_rvu * 0.84)
    assert any("intra-operative share" in step for step in returned.explanation)
    assert adjust_line(ref, row, (), facility=True).payment == 1870.78
    # a code without global-package shares (XXX) keeps its fee, with the reason said
    ecg = adjust_line(ref, ref.rvu("93000"), ("78",))
    assert ecg.payment == 15.36
    assert any("no global-package shares" in step for step in ecg.explanation)
