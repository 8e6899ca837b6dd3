"""Bilateral surgery kinds: a procedure billed the way its PFS BILAT SURG indicator does not pay.

Indicator 1: a bilateral procedure is one line with 50 and 1 unit, paid at 150%. Indicator 2: the code's
RVUs already describe both sides. Indicator 3: each side is paid in full (Claims Processing Manual ch. 12,
§40.7).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import LINKS_LINES, Hit, Kind, indicator_list, params_schema

BILATERAL_PARAMS = params_schema({"indicators": indicator_list()}, required=("indicators",))
TWO_LINES = "as RT and LT on two lines"
ONE_LINE = "with RT and LT on one line"


def _lines_with(
    params: Mapping[str, Any], candidates: Sequence[LineFacts]
) -> Iterator[tuple[LineFacts, str]]:
    """The candidate lines whose code has one of the rule's bilateral `indicators`, with that indicator."""
    indicators = frozenset(params["indicators"])
    for fact in candidates:
        if fact.row is not None and fact.row.bilat_surg in indicators:
            yield fact, fact.row.bilat_surg


def _right_side_line(ctx: Context, fact: LineFacts) -> LineFacts | None:
    """For an LT-only line, the RT-only line of the same code the same day by the same physician."""
    if "LT" not in fact.mods or "RT" in fact.mods:
        return None
    for other in ctx.same_day_physician(fact):
        if other.code == fact.code and "RT" in other.mods and "LT" not in other.mods:
            return other
    return None


def bilateral_sides_on_two_lines(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """RT and LT on two lines of the same code (same patient, date, physician) where the indicator wants
    one line with 50."""
    for fact, indicator in _lines_with(params, ctx.run_with_modifiers):
        other = _right_side_line(ctx, fact)
        if other is not None:
            values = {
                "indicator_value": indicator,
                "other_row": other.line.source.row,
                "billed_as": TWO_LINES,
            }
            yield Hit(fact.position, "modifiers", values)


def bilateral_units_with_50(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Modifier 50 with more than one unit."""
    for fact, indicator in _lines_with(params, ctx.run_with_modifiers):
        if "50" in fact.mods and fact.line.units > 1:
            yield Hit(fact.position, "units", {"indicator_value": indicator})


def bilateral_both_sides_without_50(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """No 50, but RT and LT on one line or more than one unit (indicator 1: a bilateral procedure is one
    line with 50 and 1 unit, paid at 150%)."""
    for fact, indicator in _lines_with(params, ctx.run_facts):
        units = fact.line.units
        both_sides = "RT" in fact.mods and "LT" in fact.mods
        if "50" not in fact.mods and (both_sides or units > 1):
            billed_as = ONE_LINE if both_sides else f"with {_units(units)} units"
            yield Hit(fact.position, "units", {"indicator_value": indicator, "billed_as": billed_as})


def bilateral_sides_on_bilateral_code(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """RT and LT (one line or two) on a code whose RVUs already describe both sides (indicator 2)."""
    for fact, indicator in _lines_with(params, ctx.run_with_modifiers):
        values: dict[str, Any] = {"indicator_value": indicator, "other_row": "", "billed_as": ONE_LINE}
        if "RT" in fact.mods and "LT" in fact.mods:
            yield Hit(fact.position, "modifiers", values, 0.0)
            continue
        other = _right_side_line(ctx, fact)
        if other is not None:
            # The second side is not paid at all.
            values.update(other_row=other.line.source.row, billed_as=TWO_LINES)
            yield Hit(fact.position, "modifiers", values, 1.0)


def bilateral_side_with_50(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """An RT or LT line of a code also billed with 50 that day: the side is billed twice."""
    for fact, indicator in _lines_with(params, ctx.run_with_modifiers):
        if "50" in fact.mods or not fact.mods & {"RT", "LT"}:
            continue
        for other in ctx.same_day_physician(fact):
            if other.code == fact.code and other.position != fact.position and "50" in other.mods:
                values = {"indicator_value": indicator, "other_row": other.line.source.row}
                yield Hit(fact.position, "modifiers", values, 1.0)
                break


def _units(units: float) -> int | float:
    return int(units) if float(units).is_integer() else units


KINDS = (
    Kind(
        "bilateral_sides_on_two_lines",
        bilateral_sides_on_two_lines,
        ("indicator_value", "other_row", "billed_as"),
        BILATERAL_PARAMS,
        needs=LINKS_LINES,
    ),
    Kind("bilateral_units_with_50", bilateral_units_with_50, ("indicator_value",), BILATERAL_PARAMS),
    Kind(
        "bilateral_both_sides_without_50",
        bilateral_both_sides_without_50,
        ("indicator_value", "billed_as"),
        BILATERAL_PARAMS,
    ),
    Kind(
        "bilateral_sides_on_bilateral_code",
        bilateral_sides_on_bilateral_code,
        ("indicator_value", "other_row", "billed_as"),
        BILATERAL_PARAMS,
        links=LINKS_LINES,  # RT and LT on one line is judged alone; on two lines it needs the patient's day
    ),
    Kind(
        "bilateral_side_with_50",
        bilateral_side_with_50,
        ("indicator_value", "other_row"),
        BILATERAL_PARAMS,
        needs=LINKS_LINES,
    ),
)
