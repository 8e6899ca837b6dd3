"""Surgery payment-indicator kinds: bilateral billing, multiple-procedure ranking, endoscopic base."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.kinds import Hit, kind
from rvucheck.kinds.context import Context


@kind("bilateral_billing", fields=("indicator_value", "other_row"))
def bilateral_billing(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Bilateral surgery billed the way the BILAT SURG indicator does not pay.

    `check: sides_on_two_lines`: RT and LT on two lines of the same code (same patient, date, physician)
    where the indicator wants one line with 50. `check: units_with_50`: 50 with more than one unit.
    """
    indicators = frozenset(params["indicators"])
    check = params["check"]
    for fact in ctx.run_with_modifiers:
        row = fact.row
        if row is None or row.bilat_surg not in indicators:
            continue
        if check == "units_with_50":
            if "50" in fact.mods and fact.line.units > 1:
                yield Hit(fact.position, "units", {"indicator_value": row.bilat_surg, "other_row": ""})
            continue
        if "LT" not in fact.mods or "RT" in fact.mods:
            continue
        for other in ctx.same_day_physician(fact):
            if other.code == fact.code and "RT" in other.mods and "LT" not in other.mods:
                values = {"indicator_value": row.bilat_surg, "other_row": other.line.source.row}
                yield Hit(fact.position, "modifiers", values)
                break


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
