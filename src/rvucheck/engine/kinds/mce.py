"""Diagnosis kinds from the Medicare Code Editor (MCE) tables (`ReferenceData.mce_flag`, `dx_age_conflict`):
a manifestation code listed first (MCE edit 6) and a diagnosis the patient's age rules out (MCE edit 4).

Both are silent when no MCE table is installed; the age edit judges only lines whose export gives the
patient's date of birth (with a date of service) or age. MCE's sex edit (5) has been deactivated by CMS since
2024-10-01 and is not carried over.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context
from rvucheck.engine.kinds.base import Hit, Kind, params_schema
from rvucheck.model import ChargeLine

AGE_GROUPS = {
    "newborn": "perinatal/newborn",
    "pediatric": "pediatric",
    "maternity": "maternity",
    "adult": "adult",
}


def dx_manifestation_first(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """The first-listed diagnosis is on the MCE's manifestation list on the line's date (any date for an
    undated line)."""
    ref = ctx.ref
    for codes, facts in ctx.run_by_diagnoses.items():  # a few hundred distinct diagnosis tuples
        first = next((code.strip().upper() for code in codes if code.strip()), "")
        if not first or not ref.mce_flag("manifestation", first, None):  # not one at any date
            continue
        for fact in facts:
            if ref.mce_flag("manifestation", first, fact.line.dos):
                yield Hit(fact.position, "diagnoses", {"dx_code": first}, 1.0)


def dx_age_conflict(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A diagnosis on an MCE age list (newborn 0, pediatric 0-17, maternity 9-64, adult 15-124) for a
    patient whose age on the date of service is outside it."""
    judged: dict[tuple[str, int, int], tuple[str, int, int] | None] = {}  # (code, age, day) -> conflict
    for fact in ctx.run_facts:
        line = fact.line
        if line.age is None and line.birth_date is None:
            continue
        age = age_on(line)
        if age is None:
            continue
        for position, written in enumerate(line.diagnoses, start=1):
            code = written.strip().upper()
            if not code:
                continue
            key = (code, age, fact.day)
            if key in judged:
                conflict = judged[key]
            else:
                conflict = judged[key] = ctx.ref.dx_age_conflict(code, age, line.dos)
            if conflict:
                group, low, high = conflict
                ages = f"age {low}" if low == high else f"ages {low}-{high}"
                values = {"dx_code": code, "position": position, "age": age, "group": AGE_GROUPS[group],
                          "ages": ages}  # fmt: skip
                yield Hit(fact.position, "diagnoses", values, 1.0)


def age_on(line: ChargeLine) -> int | None:
    """The patient's age in whole years on the date of service: from the date of birth when the line has it
    and a date of service, else the age the export gives. None when neither can be told (or the birth date
    is after the service)."""
    if line.birth_date is not None and line.dos is not None:
        born, on = line.birth_date, line.dos
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        return years if years >= 0 else None
    return line.age if line.birth_date is None else None


KINDS = (
    Kind("dx_manifestation_first", dx_manifestation_first, ("dx_code",), params_schema()),
    Kind(
        "dx_age_conflict", dx_age_conflict, ("dx_code", "position", "age", "group", "ages"), params_schema()
    ),
)
