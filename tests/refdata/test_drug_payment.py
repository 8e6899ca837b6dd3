"""Part B drugs paid from CMS's ASP payment-limit file (refdata.pricing.drugs): the line's payment, JW/JZ,
the quarter named, RD13 when the date of service is outside it; on the real installed ASP 2025Q4 file.

Worked example (CMS "JW and JZ Modifier Policy FAQs"; Claims Processing Manual ch. 17 sec. 40): from a
single-dose container, Medicare pays the administered dose and, on its own JW line, the discarded rest.
Recomputed with onabotulinumtoxinA J0585 (1 unit), a 200-unit vial, 155 units given and 45 discarded, at the
ASP 2025Q4 limit of $6.497 per unit: 155 x 6.497 = 1007.035 -> $1,007.04 (JZ would say nothing was
discarded: same price); 45 x 6.497 = 292.365 -> $292.37 (JW). Bevacizumab J9035 (10 MG) at $73.201: a 400 mg
dose = 40 units x 73.201 = $2,928.04.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rvucheck.engine import runner as engine
from rvucheck.model import Report
from rvucheck.refdata.pricing.drugs import drug_payment
from rvucheck.refdata.types import DrugPrice
from rvucheck.rules.cases import case_line
from rvucheck.rules.ruleset import load_ruleset
from rvucheck.settings import Settings

Q4 = (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def check(raw: list[dict[str, Any]], ref: Any) -> Report:
    lines = [case_line(r, "Charges", i) for i, r in enumerate(raw)]
    settings = Settings(select=("ST",), today=dt.date(2026, 12, 31))
    return engine.run(lines, ref, load_ruleset(settings), settings)


def test_botox_administered_and_discarded_lines_are_paid_to_the_cent(ref: Any) -> None:
    report = check(
        [
            {"hcpcs": "J0585", "modifiers": ["JZ"], "units": 155, "dos": "2025-11-03"},
            {"hcpcs": "J0585", "modifiers": ["JW"], "units": 45, "dos": "2025-11-03"},
            {"hcpcs": "J9035", "units": 40, "dos": "2025-11-04", "patient": "P2"},
        ],
        ref,
    )
    assert [r.payment for r in report.results] == [1007.04, 292.37, 2928.04]
    assert not any(f.rule == "RD13" for f in report.run_findings)  # every date is in the file's quarter


def test_a_fee_schedule_service_is_not_priced_from_the_asp_file(ref: Any) -> None:
    # 99213: the RVU25D national 2025 fee; J9999 (not otherwise classified): status E and no ASP limit
    report = check([{"hcpcs": "99213", "dos": "2025-11-03"}, {"hcpcs": "J9999", "dos": "2025-11-03"}], ref)
    assert report.results[0].payment == 88.95
    assert report.results[1].payment == 0.0  # not an ASP-priced code: no price invented


def test_a_date_outside_the_quarter_is_priced_and_noted_once(ref: Any) -> None:
    report = check(
        [
            {"hcpcs": "J9035", "units": 40, "dos": "2026-02-03"},
            {"hcpcs": "J3301", "units": 4, "dos": "2026-02-03"},
        ],
        ref,
    )
    assert [r.payment for r in report.results] == [2928.04, 3.38]  # 4 x 0.844 = 3.376 -> 3.38
    (note,) = [f for f in report.run_findings if f.rule == "RD13"]
    assert note.severity == "warning" and note.source.row == report.results[0].line.source.row
    assert "2 Part B drug lines are dated outside the quarter" in note.message
    assert "ASP 2025Q4 (2 lines)" in note.message


def test_jw_jz_explained_and_stale_flag_both_ways() -> None:
    price = DrugPrice("J0585", "1 UNIT", 6.497, "ASP 2025Q4", *Q4)
    given = drug_payment(price, ("JZ",), 155, dt.date(2025, 11, 3))
    wasted = drug_payment(price, ("JW",), 45, dt.date(2025, 11, 3))
    assert (given.payment, wasted.payment) == (1007.04, 292.37)
    assert given.explanation[0].startswith("Part B drug: ASP payment limit $6.497 per 1 UNIT x 155 units")
    assert "JZ: no amount was discarded" in given.explanation and not given.stale
    assert any(step.startswith("JW: the amount discarded") for step in wasted.explanation)
    both = drug_payment(price, ("JW", "JZ"), 1, None)
    assert any("cannot both be true" in step for step in both.explanation) and not both.stale
    late = drug_payment(price, (), 1, dt.date(2026, 1, 1))
    early = drug_payment(price, (), 1, dt.date(2025, 9, 30))
    assert late.stale and early.stale and late.payment == 6.50  # 6.497 -> 6.50
