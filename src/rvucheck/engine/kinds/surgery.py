"""Surgery payment-indicator kinds: multiple-procedure ranking and the endoscopic base."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context
from rvucheck.engine.kinds.base import LINKS_LINES, Hit, Kind, indicator_list, modifier_list, params_schema

MULTIPLE_PROCEDURE_PARAMS = params_schema({"indicators": indicator_list()}, required=("indicators",))
MULTIPLE_PROCEDURE_FIELDS = ("rank", "primary", "indicator_value")


def secondary_procedure_without_51(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A lower-ranked procedure of the day (by payment) with MULT PROC `indicators`, without modifier 51."""
    indicators = frozenset(params["indicators"])
    for fact in ctx.run_facts:
        row = fact.row
        if fact.rank <= 1 or "51" in fact.mods or row is None or row.mult_proc not in indicators:
            continue
        primary = next(
            (
                o.code
                for o in ctx.same_day_physician(fact)
                if o.rank == 1 and o.row and o.row.mult_proc in indicators
            ),
            "",
        )
        values = {"rank": fact.rank, "primary": primary, "indicator_value": row.mult_proc}
        yield Hit(fact.position, "modifiers", values)


def primary_procedure_with_51(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Modifier 51 on the highest-paid procedure of the day (rank 1) with MULT PROC `indicators`."""
    indicators = frozenset(params["indicators"])
    # A primary with 51 has modifiers: only the lines with 51 are looked at.
    for fact in ctx.run_with_any(frozenset({"51"})):
        row = fact.row
        if (
            fact.rank == 1
            and "51" in fact.mods
            and row is not None
            and row.mult_proc in indicators
            and fact.linked  # the day's other procedures are known only for a line with patient and date
        ):
            values = {"rank": 1, "primary": fact.code, "indicator_value": row.mult_proc}
            yield Hit(fact.position, "modifiers", values)


ENDOSCOPIC_BASE_PARAMS = params_schema({"unless_modifiers": modifier_list()})


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


KINDS = (
    Kind(
        "secondary_procedure_without_51",
        secondary_procedure_without_51,
        MULTIPLE_PROCEDURE_FIELDS,
        MULTIPLE_PROCEDURE_PARAMS,
        needs=LINKS_LINES,
    ),
    Kind(
        "primary_procedure_with_51",
        primary_procedure_with_51,
        MULTIPLE_PROCEDURE_FIELDS,
        MULTIPLE_PROCEDURE_PARAMS,
        needs=LINKS_LINES,
    ),
    Kind("endoscopic_base", endoscopic_base, ("endoscopy",), ENDOSCOPIC_BASE_PARAMS, needs=LINKS_LINES),
)
