"""TH03 at and around the KX threshold of 2025 ($2,410) and 2026 ($2,480), on the real fee schedule: the
line that takes the patient's PT/SLP year past the threshold needs KX; up to the threshold it does not."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from rvucheck.engine.runner import run
from rvucheck.model import CellRef, ChargeLine
from rvucheck.rules.ruleset import load_all, select_rules
from rvucheck.settings import Settings

SETTINGS = Settings(today=dt.date(2026, 12, 31))
RULES = select_rules(load_all(), Settings(select=("TH03",)))


def _pt(row: int, on: dt.date, *modifiers: str) -> ChargeLine:
    """One 97110 unit by a physical therapist (one line a day: no therapy MPPR between them)."""
    return ChargeLine(source=CellRef("Charges", row), hcpcs="97110", modifiers=("GP", *modifiers), units=1.0,
                      dos=on, provider="PT1", patient="P1", diagnoses=("M25.561",), pos="11")  # fmt: skip


def _history(year: int, visits: int) -> list[ChargeLine]:
    first = dt.date(year, 1, 2)
    return [_pt(1000 + n, first + dt.timedelta(days=n)) for n in range(visits)]


@pytest.mark.parametrize(("year", "threshold"), [(2025, 2410.0), (2026, 2480.0)])
def test_the_year_threshold_is_crossed_by_the_line_that_passes_it(
    ref: Any, year: int, threshold: float
) -> None:
    assert {int(y): float(v) for y, v in next(iter(RULES)).params["thresholds"].items()}[year] == threshold
    today = dt.date(year, 11, 2)
    fee = run([_pt(2, today)], ref, RULES, SETTINGS).results[0].payment
    assert fee and 15 < fee < 60  # one unit of 97110 that year, national, non-facility
    below = math.floor(threshold / fee)  # visits whose fees stay at or under the threshold
    assert below * fee <= threshold < (below + 1) * fee

    def findings(history_visits: int, *modifiers: str) -> list[Any]:
        lines = [_pt(2, today, *modifiers)]
        report = run(lines, ref, RULES, SETTINGS, history=_history(year, history_visits))
        return [f for f in report.findings if f.rule == "TH03"]

    assert findings(below - 1) == []  # this line brings the year to below * fee: not above the threshold
    crossed = findings(below)  # this line takes it to (below + 1) * fee: above
    assert len(crossed) == 1 and f"KX threshold of {threshold:,.2f}" in crossed[0].message
    reached = float(crossed[0].message.split(f"therapy in {year} reaches ")[1].split(" ")[0].replace(",", ""))
    assert threshold < reached < threshold + fee + 1  # (below + 1) visits, each priced by its own date
    assert findings(below, "KX") == []  # KX attests medical necessity above the threshold
