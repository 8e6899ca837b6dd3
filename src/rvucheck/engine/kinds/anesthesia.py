"""Anesthesia time (CPT 00100-01999): Medicare pays (base units + time units) x the anesthesia CF, so a line
whose time is missing or impossible cannot be priced. Which times are, is decided once, by the pricing
function's `anesthesia.time_problem` (refdata.pricing): the rule reports what the price left out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import Hit, Kind, params_schema
from rvucheck.refdata.pricing.anesthesia import (
    IMPLAUSIBLE,
    MAX_MINUTES,
    NOT_REPORTED,
    is_anesthesia,
    time_problem,
)

PROBLEMS = {"not_reported": NOT_REPORTED, "implausible": IMPLAUSIBLE}
ANESTHESIA_TIME_PARAMS = params_schema(
    {
        "problem": {
            "enum": sorted(PROBLEMS),
            "description": "not_reported: a blank units cell or 1 (no anesthesia takes a minute); "
            f"implausible: 0 minutes or more than {MAX_MINUTES:,} (24 hours)",
        }
    },
    required=("problem",),
)


def anesthesia_time(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """An anesthesia line whose minutes (the units field, as on a CMS claim) cannot be priced."""
    wanted = PROBLEMS[params["problem"]]
    for fact in ctx.run_facts:
        if fact.code[:1] != "0" or not is_anesthesia(fact.code):
            continue
        minutes = fact.line.units
        problem = time_problem(fact.code, minutes, fact.mods)
        if problem.startswith(wanted):
            yield Hit(fact.position, "units", {"minutes": f"{minutes:,g}", "time": _reported(fact)})


def _reported(fact: LineFacts) -> str:
    """How the export gave the time: no units column at all, or a units cell of that value."""
    line = fact.line
    if line.columns and line.column_of("units") is None:
        return "the export has no units column, where the minutes go"
    if line.units == 1:
        return "the units cell is blank or 1 (one minute: almost surely units, not minutes)"
    return f"the units cell says {line.units:,g} minutes"


KINDS = (Kind("anesthesia_time", anesthesia_time, ("minutes", "time"), ANESTHESIA_TIME_PARAMS),)
