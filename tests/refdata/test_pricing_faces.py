"""One price per line on every face: the rules engine, `rvucheck code` (code_page.lookup) and the Excel
functions (RVU_PAYMENT, RVU) agree to the cent and price from the same fee-schedule row, over a grid of
codes with and without 26/TC/53 rows, every pricing modifier, both settings, two localities, QPP and two
releases, on the real installed CMS data. Anchors from CMS's own published values keep the faces from
agreeing on a wrong answer."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rvucheck.engine import runner as engine
from rvucheck.excel import udfs
from rvucheck.refdata.code_page import lookup
from rvucheck.rules.cases import case_line
from rvucheck.rules.ruleset import Ruleset
from rvucheck.settings import Settings

# 71046/88305: 26 and TC rows; 93000/20983/27447/43239/99213/97110: none; 45378: a 53 row
CODES = ("71046", "93000", "88305", "20983", "99213", "27447", "45378", "43239", "97110")
MODIFIERS = (
    *[(m,) for m in ("26", "TC", "53", "50", "51", "62", "66", "80", "82", "AS", "52", "54", "55", "56")],
    (),
    ("26", "TC"),
)
PLACES = ("11", "22")
DATES = {"RVU25D": "2025-11-14", "RVU26C": "2026-07-15"}
LOCALITIES = (None, "01112-05")
QPP = (False, True)


@pytest.fixture(scope="module")
def udf_data(data_dir: Path) -> Iterator[Path]:
    """The Excel functions read RVUCHECK_DATA, as in a user's Excel after `rvucheck data install`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RVUCHECK_DATA", str(data_dir))
        yield data_dir


def grid_lines() -> list[dict[str, Any]]:
    """One line per code x modifiers x POS x date, each its own patient (no multiple-procedure ranking)."""
    combos = itertools.product(CODES, MODIFIERS, PLACES, DATES.values())
    return [
        {"hcpcs": code, "modifiers": list(mods), "pos": pos, "dos": dos, "patient": f"P{n}"}
        for n, (code, mods, pos, dos) in enumerate(combos)
    ]


@pytest.fixture(scope="module")
def engine_prices(ref: Any) -> dict[tuple[Any, ...], Any]:
    """The engine's LineResult of every grid line, by (code, modifiers, pos, date, locality, qpp): one run
    per locality and QPP choice."""
    raw = grid_lines()
    lines = [case_line(r, "Charges", i) for i, r in enumerate(raw)]
    found = {}
    for locality, qpp in itertools.product(LOCALITIES, QPP):
        report = engine.run(lines, ref, Ruleset(()), Settings(locality=locality, qpp=qpp))
        for line, result in zip(raw, report.results, strict=True):
            key = (line["hcpcs"], tuple(line["modifiers"]), line["pos"], line["dos"], locality, qpp)
            found[key] = result
    return found


def expected_row_modifier(ref: Any, release: str, code: str, mods: tuple[str, ...]) -> str:
    """The documented choice (refdata/pricing/pricer.py), restated: 26+TC -> the global row; else the first
    of 26, TC, 53 billed that the code has a row for; else the global row."""
    if {"26", "TC"} <= set(mods):
        return ""
    return next((m for m in ("26", "TC", "53") if m in mods and ref.row(release, code, m)), "")


def page_payment(page: dict[str, Any]) -> tuple[float, float]:
    """(payment, credited work RVU) of the line as the code page prices it."""
    if "adjusted" in page:
        return page["adjusted"]["payment"], page["adjusted"]["work_rvu"]
    return page["setting"]["amount"], page["work_rvu"]


@pytest.mark.usefixtures("udf_data")
@pytest.mark.parametrize(("locality", "qpp"), list(itertools.product(LOCALITIES, QPP)))
def test_every_face_prices_every_line_alike(
    ref: Any, engine_prices: dict[tuple[Any, ...], Any], locality: str | None, qpp: bool
) -> None:
    checked = 0
    for code, mods, pos, (release, dos) in itertools.product(CODES, MODIFIERS, PLACES, DATES.items()):
        on = dt.date.fromisoformat(dos)
        case = (code, mods, pos, dos, locality, qpp)
        line = engine_prices[case]
        page = lookup(ref, code, mods, locality=locality, pos=pos, on=on, qpp=qpp)
        modifier_text = " ".join(mods) or None
        udf_payment = udfs.RVU_PAYMENT(code, modifier_text, locality, int(pos), on, qpp)
        udf_work = udfs.RVU(code, "work", modifier_text, on)
        total = "total_facility" if pos == "22" else "total_nonfacility"
        udf_total = udfs.RVU(code, total, modifier_text, on)
        payment, credited = page_payment(page)

        row_modifier = expected_row_modifier(ref, release, code, mods)
        assert (page["release"], line.release) == (release, release), case
        assert (page["hcpcs"], page["modifier"] or "") == (code, row_modifier), case
        assert line.payment == payment == udf_payment, case
        assert line.work_rvu == page["work_rvu"] == udf_work, case
        assert line.credited_work_rvu == credited, case
        assert line.total_rvu == page[total.replace("total", "total_rvu")] == udf_total, case
        checked += 1
    assert checked == len(CODES) * len(MODIFIERS) * len(PLACES) * len(DATES)


def one_line(engine_prices: dict[tuple[Any, ...], Any], code: str, *mods: str, pos: str = "11") -> Any:
    return engine_prices[code, mods, pos, DATES["RVU26C"], None, False]


@pytest.mark.usefixtures("udf_data")
def test_anchors_from_cms_published_values(engine_prices: dict[tuple[Any, ...], Any]) -> None:
    # PPRRVU2026_Jul_nonQPP: 20983 totals 146.88 / 9.06 x CF 33.4009
    assert one_line(engine_prices, "20983").payment == 4905.92 == udfs.RVU_PAYMENT("20983")
    assert one_line(engine_prices, "20983", pos="22").payment == 302.61
    assert one_line(engine_prices, "99213").work_rvu == 1.30 == udfs.RVU("99213", "work")
    # 20983 in RVU25D: work 6.88
    assert engine_prices["20983", (), "11", DATES["RVU25D"], None, False].work_rvu == 6.88
    # 71046: 26 row total 0.30 -> $10.02, TC row 0.69 -> $23.05; both together = the global row 0.99
    pc, tc = one_line(engine_prices, "71046", "26"), one_line(engine_prices, "71046", "TC")
    both = one_line(engine_prices, "71046", "26", "TC")
    assert (pc.payment, pc.work_rvu, tc.payment, tc.work_rvu) == (10.02, 0.21, 23.05, 0.0)
    assert (both.payment, both.work_rvu, both.total_rvu) == (33.07, 0.21, 0.99)
    assert udfs.RVU_PAYMENT("71046", "TC 26") == 33.07 and udfs.RVU("71046", "work", "TC 26") == 0.21
    # 45378-53 row: work 1.59, total non-facility 5.67 x 33.4009 = $189.38
    discontinued = one_line(engine_prices, "45378", "53")
    assert (discontinued.payment, discontinued.work_rvu) == (189.38, 1.59)
    # 50 on 20983 (bilateral indicator 1): 150% of $4,905.92
    assert one_line(engine_prices, "20983", "50").payment == 7358.88


@pytest.mark.usefixtures("udf_data")
def test_a_status_not_paid_separately(ref: Any) -> None:
    # 94150-TC, status B (bundled): every face pays $0, and the engine and the code page say why
    # (RVU_STATUS shows "B" beside the $0 in a sheet)
    line = case_line({"hcpcs": "94150", "modifiers": ["TC"], "dos": DATES["RVU26C"]}, "Charges", 0)
    (result,) = engine.run([line], ref, Ruleset(()), Settings()).results
    page = lookup(ref, "94150", ("TC",), pos="11", on=dt.date(2026, 7, 15))
    assert result.payment == page["adjusted"]["payment"] == 0.0
    assert page["adjusted"]["explanation"][-1] == "status B: not paid separately"
    assert result.credited_work_rvu == page["adjusted"]["work_rvu"] == 0.0
    udf_payment = udfs.RVU_PAYMENT("94150", "TC", None, 11, dt.date(2026, 7, 15))
    assert udf_payment == 0.0
    assert page["setting"]["amount"] == 22.71  # the setting's fee as CMS lists it, before the status rule
    assert udfs.RVU_STATUS("94150", "TC").startswith("B:")
