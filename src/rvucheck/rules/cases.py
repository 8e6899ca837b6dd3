"""A rule file's test cases as engine input: small claims in, expected findings out.

Case lines are short on purpose; what they leave out gets these defaults: date of service 2026-07-15
(priced by RVU26C), patient P1, provider DR1, place of service 11, one unit, diagnosis M25.561.
Cases run against the real installed CMS data (tests/rules), and `rvucheck rules show` prints them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rvucheck.model import CellRef, ChargeLine

DEFAULTS: dict[str, Any] = {
    "dos": "2026-07-15",
    "patient": "P1",
    "provider": "DR1",
    "pos": "11",
    "units": 1,
    "dx": ["M25.561"],
}
CASE_TODAY = dt.date(2026, 12, 31)
FIRST_ROW = 2  # case line 0 is row 2 of sheet "case" (row 1 would be the header)


@dataclass(frozen=True)
class CaseInput:
    lines: tuple[ChargeLine, ...]
    history: tuple[ChargeLine, ...]
    today: dt.date
    locality: str | None
    expected: frozenset[tuple[str, int, str]]  # (rule, line index, field or "")


def case_input(case: Mapping[str, Any]) -> CaseInput:
    lines = tuple(case_line(raw, "case", i) for i, raw in enumerate(case.get("lines", ())))
    history = tuple(case_line(raw, "history", i) for i, raw in enumerate(case.get("history", ())))
    today = dt.date.fromisoformat(case["today"]) if case.get("today") else CASE_TODAY
    expected = frozenset((str(e["rule"]), int(e["line"]), str(e.get("field", ""))) for e in case["expect"])
    return CaseInput(lines, history, today, case.get("locality"), expected)


def case_line(raw: Mapping[str, Any], sheet: str, index: int) -> ChargeLine:
    data = {**DEFAULTS, **raw}
    modifiers = data.get("modifiers", ())
    if not isinstance(modifiers, Sequence) or isinstance(modifiers, str):
        modifiers = [modifiers]
    dos_text = str(data["dos"])
    return ChargeLine(
        source=CellRef(sheet, FIRST_ROW + index),
        hcpcs=str(data["hcpcs"]),
        modifiers=tuple(str(m) for m in modifiers),
        units=float(data["units"]),
        dos=dt.date.fromisoformat(dos_text) if dos_text else None,
        provider=str(data["provider"]),
        provider_npi=str(data.get("npi", "")),
        specialty=str(data.get("specialty", "")),
        group=str(data.get("group", "")),
        patient=str(data["patient"]),
        diagnoses=tuple(str(d) for d in data["dx"]),
        pos=str(data["pos"]).zfill(2),
        charge=data.get("charge"),
    )


def line_index(row: int) -> int:
    return row - FIRST_ROW
