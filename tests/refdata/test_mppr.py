"""Multiple-procedure payment rules of a patient's day, to the cent, on the installed RVU26C (national,
2026-07-15). Each rule is recomputed from a CMS or published example; the arithmetic is in each docstring.
Sources: PFS Relative Value File documentation (RVU25D.pdf, "Multiple Procedure (Modifier 51)",
indicators 2-7) and Medicare Claims Processing Manual ch. 12 s. 40.6."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rvucheck.engine import runner as engine
from rvucheck.model import CellRef, ChargeLine, LineResult
from rvucheck.refdata.pricing.components import global_test_components
from rvucheck.rules.ruleset import Ruleset
from rvucheck.settings import Settings

DOS = dt.date(2026, 7, 15)
SETTINGS = Settings(today=dt.date(2026, 12, 31))


def results(ref: Any, *codes: str, pos: str = "22") -> list[LineResult]:
    """Each line's result in one patient's day with one physician."""
    lines = [
        ChargeLine(
            source=CellRef("Charges", n),
            hcpcs=code.split("-")[0],
            modifiers=tuple(code.split("-")[1:]),
            dos=DOS,
            patient="P1",
            provider="DR1",
            pos=pos,
        )
        for n, code in enumerate(codes, start=2)
    ]
    return list(engine.run(lines, ref, Ruleset(()), SETTINGS).results)


def day(ref: Any, *codes: str, pos: str = "22") -> list[tuple[float | None, str]]:
    return [(r.payment, r.line.hcpcs) for r in results(ref, *codes, pos=pos)]


def payments(ref: Any, *codes: str, pos: str = "22") -> list[float | None]:
    return [p for p, _c in day(ref, *codes, pos=pos)]


def test_one_endoscopy_family_is_collapsed(ref) -> None:  # type: ignore[no-untyped-def]
    """CMS's example (Claims Processing Manual ch. 12 s. 40.6, multiple endoscopy; RVU file MULT PROC 3):
    a colonoscopy with a biopsy (45380) and a snare polypectomy (45385), base 45378. "Rather than paying
    100 percent for the highest valued procedure (45385) and 50 percent for the next (45380), pay the full
    value of the higher valued endoscopy (45385), plus the difference between the next highest endoscopy
    (45380) and the base endoscopy (45378)." RVU26C national facility: 45385 $223.45; 45380 $177.69 -
    45378 $164.67 = $13.02 (not 50% = $88.85). The base billed alone beside them is included: $0."""
    assert payments(ref, "45380", "45385") == [13.02, 223.45]
    assert payments(ref, "45378", "45380") == [0.0, 177.69]
    # the rule does not apply to a single endoscopy: full fee
    assert payments(ref, "45380") == [177.69]


def test_endoscopies_of_other_families_and_other_surgery_rank_as_one_procedure(ref) -> None:  # type: ignore[no-untyped-def]
    """Issue 11: 43239 (EGD biopsy, base 43235) billed with 45380 (base 45378) or with 49505 (hernia
    repair) is NOT paid "43239 minus 43235" ($123.58 - $110.56 = $13.02): 43235 was not billed. Different
    families rank under the standard rule (RVU file MULT PROC 3: "apply the multiple endoscopy rules to a
    family before ranking the family with the other procedures"): 45380 $177.69 at 100%, 43239 at 50% =
    $61.79; with 49505 ($508.03 at 100%) the same $61.79."""
    assert payments(ref, "43239", "45380") == [61.79, 177.69]
    assert payments(ref, "43239", "49505") == [61.79, 508.03]


def test_mixed_surgical_day_every_line_to_the_cent(ref) -> None:  # type: ignore[no-untyped-def]
    """49505 + the colonoscopy family {45385, 45380} + the EGD family {43239, 43235}, facility, national.
    Families first: colon 45385 $223.45 + (45380 $177.69 - 45378 $164.67) = $236.47; EGD 43239 $123.58 +
    (43235 - 43235) = $123.58. Ranked as procedures: 49505 $508.03 (100%), colon family 2nd (50%): 45385
    $223.45 x 50% = $111.725 -> $111.73, 45380 $13.02 x 50% = $6.51; EGD family 3rd (50%): 43239 $61.79,
    43235 $0 (included in 43239)."""
    got = day(ref, "43235", "45380", "49505", "43239", "45385")
    assert got == [(0.0, "43235"), (6.51, "45380"), (508.03, "49505"), (61.79, "43239"), (111.73, "45385")]


def test_cardiovascular_mppr_ranks_by_tc_and_cuts_tc_25_percent(ref) -> None:  # type: ignore[no-untyped-def]
    """RVU file MULT PROC 6: "25% reduction of the second highest and subsequent procedures to the TC of
    diagnostic cardiovascular services", ranked by the TC fee (as for indicator 4). RVU26C national:
    93306 global $196.73 (TC $129.26, PC $67.47); 93880 global $189.05 (TC $151.64, PC $37.41). By TC
    93880 is first ($189.05); 93306 pays $67.47 + $129.26 x 75% = $164.415 -> $164.42 (ranking by the
    global fee would have paid $196.73 + $37.41 + $113.73 = $347.87 instead of $353.47)."""
    assert payments(ref, "93306", "93880", pos="11") == [164.42, 189.05]
    assert payments(ref, "93306", pos="11") == [196.73]


def test_global_test_only_code_reduces_only_its_technical_part(ref) -> None:  # type: ignore[no-untyped-def]
    """Issue 11: 93000 (PC/TC indicator 4) = 93005 (TC, $7.01) + 93010 (PC, $8.35) = $15.36. A second
    93000 the same day: $8.35 + $7.01 x 75% = $13.6075 -> $13.61, not $15.36 x 75% = $11.52."""
    assert payments(ref, "93000", "93000", pos="11") == [15.36, 13.61]
    # 93005 is technical only (PC/TC 3): below 93306 (TC $129.26) it pays $7.01 x 75% = $5.2575 -> $5.26
    assert payments(ref, "93005", "93306", pos="11") == [5.26, 196.73]


def test_global_test_components_add_up_on_the_installed_release(ref) -> None:  # type: ignore[no-untyped-def]
    """Every pair in data/global_tests.toml: the global code's RVUs equal its TC and PC codes' together
    (RVU file: "the total RVUs for global procedure only codes equals the sum ...")."""
    for code, (tcs, pcs) in global_test_components().items():
        whole = ref.rvu(code)
        assert whole.pctc_indicator == "4", code
        parts = [ref.rvu(c) for c in (*tcs, *pcs)]
        assert [p.pctc_indicator for p in parts] == ["3"] * len(tcs) + ["2"] * len(pcs), code
        total = round(sum(p.total_rvu_nonfacility for p in parts), 2)
        assert total == whole.total_rvu_nonfacility, code


def test_imaging_mppr_tc_50_pc_5_percent(ref) -> None:  # type: ignore[no-untyped-def]
    """RVU file MULT PROC 4: rank by the TC fee, TC of the lower ones 50%, PC 5% (same physician, from
    2017). 74177 CT abd/pelvis (TC $216.44) ranks above 70551 MRI brain (TC $127.59); 70551 pays
    $67.80 x 95% + $127.59 x 50% = $64.41 + $63.795 = $128.205 -> $128.21."""
    assert payments(ref, "70551", "74177", pos="11") == [128.21, 300.27]


def test_ophthalmology_mppr_tc_20_percent(ref) -> None:  # type: ignore[no-untyped-def]
    """RVU file MULT PROC 7: 20% off the TC of the second and later. 92250 (TC $16.70) ranks above 92134
    (TC $15.03, PC $17.70): 92134 pays $17.70 + $15.03 x 80% = $29.724 -> $29.72."""
    assert payments(ref, "92134", "92250", pos="11") == [29.72, 37.07]


def test_rank_reduction_and_basis_per_line(ref) -> None:  # type: ignore[no-untyped-def]
    """The mixed day above: each line says its rank, the dollars the rule took off and which rule."""
    got = {r.line.hcpcs: r for r in results(ref, "43235", "45380", "49505", "43239", "45385")}
    assert [(c, got[c].rank, got[c].reduction) for c in ("49505", "45385", "45380", "43239", "43235")] == [
        ("49505", 1, 0.0),
        ("45385", 2, 111.72),  # $223.45 - $111.73
        ("45380", 3, 171.18),  # $177.69 - $6.51
        ("43239", 4, 61.79),  # $123.58 - $61.79
        ("43235", 5, 110.56),  # the base, included in 43239
    ]
    assert got["49505"].basis == ""
    assert "family of base 45378" in got["45380"].basis and "rank 2" in got["45380"].basis
    assert got["45385"].basis.startswith("51 multiple procedure, rank 2, indicator 3")
    assert "$223.45 -> $111.73, -$111.72" in got["45385"].basis
    assert "is the base of an endoscopy of its family" in got["43235"].basis


def test_annotated_copy_explains_the_cut(ref, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The annotated copy's Findings cell of a reduced line names its rank, the cut and the rule; a line
    paid in full says nothing about payment."""
    from rvucheck.annotate.plan import build_annotations
    from rvucheck.model import Report, SheetLayout
    from rvucheck.report.summary import summarize

    lines = results(ref, "45380", "45385")
    report = Report(results=tuple(lines))
    layout = SheetLayout(sheet="Charges", header_row=1, headers=("HCPCS",), totals_rows=())
    plan = build_annotations(layout, report, summarize(report))
    texts = {row: values[-1] for row, values in plan.rows.items()}
    assert str(texts[2]).startswith("payment: rank 2, -$164.67 (multiple endoscopy, family of base 45378")
    assert texts[3] == ""


def test_code_explain_cites_each_rule(ref) -> None:  # type: ignore[no-untyped-def]
    """`rvucheck code CODE --explain`: the code's multiple-procedure and global-package rules, each with
    its CMS source; without --explain no `payment_rules`."""
    from rvucheck.cli.code import render
    from rvucheck.refdata.code_page import lookup

    egd = lookup(ref, "43239", explain=True)
    (rule,) = egd["payment_rules"]
    assert "ENDO BASE 43235" in rule["applies"] and "minus the base" in rule["applies"]
    cited = "PFS Relative Value File documentation (RVU25D.pdf), MULT PROC indicator 3"
    assert rule["source"].startswith(cited)
    assert "ch. 12 s. 40.6" in rule["source"]
    chest = lookup(ref, "35820", explain=True)["payment_rules"]
    assert [r["rule"] for r in chest] == [
        "multiple procedures (MULT PROC 2)",
        "global package split and modifier 78",
    ]
    assert "intra-operative share 84%" in chest[1]["applies"]
    ecg = lookup(ref, "93000", explain=True)["payment_rules"]
    assert "TC at 75%" in ecg[0]["applies"]
    therapy = lookup(ref, "97110", explain=True)["payment_rules"][0]
    assert "every other unit with its PE at 50%" in therapy["applies"] and "ch. 5" in therapy["source"]
    assert "payment_rules" not in lookup(ref, "43239")
    assert "source: PFS Relative Value File" in render(egd)


def therapy_day(ref: Any, *billed: tuple[str, float, str, str], group_column: bool) -> Any:
    """One patient's therapy day: (code, units, provider, group) per line, national non-facility."""
    columns = (("patient", 1), ("dos", 2), ("provider", 3), ("diagnoses", 4), ("hcpcs", 5))
    columns += (("group", 6),) if group_column else ()
    lines = [
        ChargeLine(
            source=CellRef("Charges", n),
            hcpcs=code,
            units=units,
            dos=DOS,
            patient="P1",
            provider=provider,
            group=group if group_column else "",  # the reader fills it only from a group column
            pos="11",
            diagnoses=("M54.50",),
            columns=columns,
        )
        for n, (code, units, provider, group) in enumerate(billed, start=2)
    ]
    return engine.run(lines, ref, Ruleset(()), SETTINGS)


def test_therapy_mppr_per_unit_across_providers_of_one_group(ref) -> None:  # type: ignore[no-untyped-def]
    """Therapy MPPR (RVU file MULT PROC 5: "subject to 50% of the practice expense component"; CMS
    Pub. 100-04 ch. 5: the MPPR "applies to multiple units as well as multiple procedures. Full payment is
    made for the unit or procedure with the highest PE payment"), per patient per day across PT/OT/SLP and
    the group's providers. RVU26C national, CF $33.4009:
    97530 (PE 0.60) unit $35.07, PE halved (0.44 + 0.30 + 0.01) x CF = $25.05;
    97110 (PE 0.41) $29.06 / halved (0.45 + 0.205 + 0.01) x CF = $22.2116 -> $22.21;
    97140 (PE 0.39) halved (0.43 + 0.195 + 0.01) x CF = $21.2096 -> $21.21.
    97530 x2 (DR1) + 97110 x1 (DR2) + 97140 x3 (DR1), no group column (one group, RD10):
    97530 $35.07 + $25.05 = $60.12; 97110 $22.21; 97140 3 x $21.21 = $63.63.
    With a group column putting DR2 in another group, 97110 is that group's only unit: $29.06 in full."""
    billed = (("97530", 2.0, "DR1", "G1"), ("97110", 1.0, "DR2", "G2"), ("97140", 3.0, "DR1", "G1"))
    one_group = therapy_day(ref, *billed, group_column=False)
    assert [(r.payment, r.rank, r.reduction) for r in one_group.results] == [
        (60.12, 1, 10.02),  # $70.14 - $60.12
        (22.21, 2, 6.85),
        (63.63, 3, 19.53),  # $83.16 - $63.63
    ]
    assert "highest-PE unit in full ($35.07)" in one_group.results[0].basis
    assert [f.rule for f in one_group.run_findings if f.rule == "RD10"] == ["RD10"]
    by_group = therapy_day(ref, *billed, group_column=True)
    assert [r.payment for r in by_group.results] == [60.12, 29.06, 63.63]
    assert not [f for f in by_group.run_findings if f.rule == "RD10"]


def test_therapy_mppr_single_line_units_and_single_unit(ref) -> None:  # type: ignore[no-untyped-def]
    """One line, 3 units of 97110: $29.06 + 2 x $22.21 = $73.48 (not 3 x $29.06 = $87.18); one unit alone
    is paid in full and no RD10 is said."""
    three = therapy_day(ref, ("97110", 3.0, "DR1", ""), group_column=False)
    assert [(r.payment, r.rank, r.reduction) for r in three.results] == [(73.48, 1, 13.7)]
    one = therapy_day(ref, ("97110", 1.0, "DR1", ""), group_column=False)
    assert [(r.payment, r.reduction) for r in one.results] == [(29.06, 0.0)]
    assert not [f for f in one.run_findings if f.rule == "RD10"]
