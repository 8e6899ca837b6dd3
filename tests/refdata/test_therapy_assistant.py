"""CQ/CO (therapy assistant) lines are paid at 85% of the fee schedule amount (issue 12 item 3)."""

from __future__ import annotations

from pathlib import Path

from rvucheck.model import CellRef, ChargeLine
from rvucheck.session import Session


def _line(row: int, mods: tuple[str, ...]) -> ChargeLine:
    return ChargeLine(source=CellRef("S", row), hcpcs="97110", modifiers=mods, patient=f"P{row}", pos="11")


def test_cq_and_co_pay_85_percent_and_gp_alone_the_full_fee(data_dir: Path) -> None:
    report = Session.open(data_dir).check([_line(2, ("GP",)), _line(3, ("GP", "CQ")), _line(4, ("GO", "CO"))])
    full, cq, co = (r.payment for r in report.results)
    assert full is not None and full > 0 and cq is not None and co is not None
    assert abs(cq - round(full * 0.85, 2)) <= 0.01 and abs(co - cq) <= 0.01
    assert report.results[1].credited_work_rvu == round((report.results[0].credited_work_rvu or 0) * 0.85, 2)
