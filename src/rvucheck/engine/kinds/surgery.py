"""Surgery payment-indicator kinds: bilateral billing, multiple-procedure ranking, endoscopic base."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context
from rvucheck.engine.kinds import Hit, kind


@kind("bilateral_billing", fields=("indicator_value", "other_row", "billed_as"))
def bilateral_billing(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Bilateral surgery billed the way the BILAT SURG indicator does not pay.

    `check: sides_on_two_lines`: RT and LT on two lines of the same code (same patient, date, physician)
    where the indicator wants one line with 50. `check: units_with_50`: 50 with more than one unit.
    `check: both_sides_without_50`: no 50, but RT and LT on one line or more than one unit (indicator 1:
    a bilateral procedure is one line with 50 and 1 unit, paid at 150%). `check: both_sides_of_bilateral
    _code`: RT and LT (one line or two) on a code whose RVUs already describe both sides (indicator 2).
    `check: side_with_50`: an RT or LT line of a code also billed with 50 that day: the side is billed twice.
    """
    indicators = frozenset(params["indicators"])
    check = params["check"]
    candidates = ctx.run_facts if check == "both_sides_without_50" else ctx.run_with_modifiers
    for fact in candidates:
        row = fact.row
        if row is None or row.bilat_surg not in indicators:
            continue
        mods, units = fact.mods, fact.line.units
        values: dict[str, Any] = {"indicator_value": row.bilat_surg, "other_row": "", "billed_as": ""}
        if check == "units_with_50":
            if "50" in mods and units > 1:
                yield Hit(fact.position, "units", values)
            continue
        both_sides = "RT" in mods and "LT" in mods
        if check == "both_sides_without_50":
            if "50" not in mods and (both_sides or units > 1):
                billed_as = "with RT and LT on one line" if both_sides else f"with {_units(units)} units"
                yield Hit(fact.position, "units", {**values, "billed_as": billed_as})
            continue
        if check == "both_sides_of_bilateral_code" and both_sides:
            yield Hit(fact.position, "modifiers", {**values, "billed_as": "with RT and LT on one line"}, 0.0)
            continue
        if check == "side_with_50":
            if "50" in mods or not mods & {"RT", "LT"}:
                continue
            for other in ctx.same_day_physician(fact):
                if other.code == fact.code and other.position != fact.position and "50" in other.mods:
                    values = {**values, "other_row": other.line.source.row, "billed_as": ""}
                    yield Hit(fact.position, "modifiers", values, 1.0)
                    break
            continue
        if "LT" not in mods or "RT" in mods:
            continue
        for other in ctx.same_day_physician(fact):
            if other.code == fact.code and "RT" in other.mods and "LT" not in other.mods:
                row_of_other = other.line.source.row
                values = {**values, "other_row": row_of_other, "billed_as": "as RT and LT on two lines"}
                # Indicator 2: the second side is not paid at all.
                stake = 1.0 if check == "both_sides_of_bilateral_code" else 0.0
                yield Hit(fact.position, "modifiers", values, stake)
                break


def _units(units: float) -> int | float:
    return int(units) if float(units).is_integer() else units


@kind("multiple_procedure", fields=("rank", "primary", "indicator_value"))
def multiple_procedure(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Modifier 51 that does not follow the payment ranking of procedures with MULT PROC `indicators`.

    `check: secondary_without_51`: a lower-ranked procedure without 51. `check: primary_with_51`: the
    highest-paid procedure of the day (rank 1) carries 51.
    """
    indicators = frozenset(params["indicators"])
    check = params["check"]
    # Secondary procedures have rank > 1; a primary with 51 has modifiers: skip everything else early.
    candidates = ctx.run_with_modifiers if check == "primary_with_51" else ctx.run_facts
    for fact in candidates:
        if check != "primary_with_51" and fact.rank == 1:
            continue
        row = fact.row
        if row is None or row.mult_proc not in indicators:
            continue
        if check == "primary_with_51":
            if fact.rank == 1 and "51" in fact.mods:
                yield Hit(
                    fact.position,
                    "modifiers",
                    {"rank": 1, "primary": fact.code, "indicator_value": row.mult_proc},
                )
            continue
        if fact.rank > 1 and "51" not in fact.mods:
            primary = next(
                (
                    o.code
                    for o in ctx.same_day_physician(fact)
                    if o.rank == 1 and o.row and o.row.mult_proc in indicators
                ),
                "",
            )
            yield Hit(
                fact.position,
                "modifiers",
                {"rank": fact.rank, "primary": primary, "indicator_value": row.mult_proc},
            )


@kind("endoscopic_base", fields=("endoscopy",))
def endoscopic_base(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A diagnostic base endoscopy billed with an endoscopy of its own family (ENDO BASE) the same day:
    the base is included in the other endoscopy's payment."""
    unless = frozenset(params.get("unless_modifiers", ()))
    # Start from the (few) endoscopies that name a base code, then look for the base in their group.
    reported: set[int] = set()
    for endoscopy in ctx.run_facts:
        base = endoscopy.row.endo_base if endoscopy.row is not None else ""
        if not base:
            continue
        for fact in ctx.same_day_physician(endoscopy):
            if (
                fact.code == base
                and not fact.history
                and fact.position not in reported
                and not fact.mods & unless
            ):
                reported.add(fact.position)
                yield Hit(fact.position, "hcpcs", {"endoscopy": endoscopy.code}, 1.0)
