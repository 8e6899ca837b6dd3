"""Kinds about modifiers: valid codes, modifiers a PFS indicator forbids, PC/TC split billing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context
from rvucheck.engine.kinds.base import (
    LINKS_LINES,
    STAKE,
    Hit,
    Kind,
    indicator_list,
    modifier_list,
    params_schema,
)

# RvuRow fields a rule may test (PPRRVU indicator columns).
INDICATORS = ("pctc_indicator", "mult_proc", "bilat_surg", "asst_surg", "co_surg", "team_surg", "global_days")


MODIFIER_VALID_PARAMS = params_schema({"extra": modifier_list()})


def modifier_valid(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A modifier that is not a CPT or HCPCS Level II modifier (the table in data/modifiers.toml, with the
    ambulance origin/destination pairs) nor one of the rule's `extra` ones."""
    extra = {str(m).upper() for m in params.get("extra", ())}
    known: dict[str, bool] = {}
    for fact in ctx.run_with_modifiers:
        for modifier in sorted(fact.mods - extra):
            ok = known.get(modifier)
            if ok is None:
                ok = known[modifier] = ctx.ref.modifier(modifier) is not None
            if not ok:
                yield Hit(fact.position, "modifiers", {"modifier": modifier}, 1.0)


MODIFIER_INDICATOR_PARAMS = params_schema(
    {
        "modifiers": modifier_list(1),
        "indicator": {"enum": list(INDICATORS)},
        "values": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "string", "minLength": 3},
        },
        "stake": STAKE,
    },
    required=("modifiers", "indicator", "values"),
)


def modifier_indicator(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """One of `modifiers` on a code whose PFS `indicator` has one of the listed `values`."""
    modifiers = frozenset(params["modifiers"])
    indicator: str = params["indicator"]
    values: Mapping[str, str] = params["values"]
    stake = float(params.get("stake", 0.0))
    for fact in ctx.run_with_any(modifiers):
        found = fact.mods & modifiers
        if not found or fact.row is None:
            continue
        value = getattr(fact.row, indicator)
        if value in values:
            yield Hit(
                fact.position,
                "modifiers",
                {"modifier": ", ".join(sorted(found)), "indicator_value": value, "meaning": values[value]},
                stake,
            )


# PC/TC indicators whose codes split into a professional (26) and a technical (TC) component.
PCTC_INDICATORS = indicator_list(description='default ["1"]')
PCTC_IN_FACILITY_PARAMS = params_schema(
    {
        "indicators": PCTC_INDICATORS,
        "pos": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9]{2}$"},
            "description": "places of service where the hospital is paid the technical component",
        },
    },
    required=("pos",),
)


def pctc_global_in_facility(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """The global service (no 26/TC) of a code with a split PC/TC indicator billed in a facility POS (`pos`),
    where the facility is paid the technical component."""
    indicators = frozenset(params.get("indicators", ("1",)))
    pos = frozenset(params["pos"])
    for fact in ctx.run_facts:
        row = fact.row
        if row is None or row.pctc_indicator not in indicators or fact.mods & {"26", "TC"}:
            continue
        if fact.line.pos.strip().zfill(2) not in pos:
            continue
        professional = ctx.ref.rvu(fact.code, "26", fact.line.dos)
        stake = 0.0
        if professional and row.total_rvu_facility > 0:
            stake = max(0.0, 1 - professional.total_rvu_facility / row.total_rvu_facility)
        yield Hit(fact.position, "modifiers", {}, round(stake, 4))


TC = frozenset({"TC"})


def pctc_tc_in_facility(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """The technical component billed by the physician for a hospital patient (POS in `pos`), which the
    hospital is paid for."""
    indicators = frozenset(params.get("indicators", ("1",)))
    pos = frozenset(params["pos"])
    for fact in ctx.run_with_any(TC):
        row = fact.row
        if "TC" not in fact.mods or row is None or row.pctc_indicator not in indicators:
            continue
        if fact.line.pos.strip().zfill(2) in pos:
            yield Hit(fact.position, "modifiers", {}, 1.0)


PCTC_BOTH_COMPONENTS_PARAMS = params_schema({"indicators": PCTC_INDICATORS})


def pctc_both_components(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """26 and TC on separate lines for the same code, patient, date and physician, where the global is
    payable (not for a hospital patient)."""
    indicators = frozenset(params.get("indicators", ("1",)))
    for fact in ctx.run_with_any(TC):
        if "TC" not in fact.mods or fact.row is None or fact.row.pctc_indicator not in indicators:
            continue
        if fact.facility:  # for a hospital patient the global is not payable to the physician (PC03/PC05)
            continue
        for other in ctx.same_day_physician(fact):
            if other.code == fact.code and "26" in other.mods and other.position != fact.position:
                yield Hit(fact.position, "modifiers", {"other_row": other.line.source.row})
                break


KINDS = (
    Kind("modifier_valid", modifier_valid, ("modifier",), MODIFIER_VALID_PARAMS),
    Kind(
        "modifier_indicator",
        modifier_indicator,
        ("modifier", "indicator_value", "meaning"),
        MODIFIER_INDICATOR_PARAMS,
    ),
    Kind("pctc_global_in_facility", pctc_global_in_facility, (), PCTC_IN_FACILITY_PARAMS),
    Kind(
        "pctc_both_components",
        pctc_both_components,
        ("other_row",),
        PCTC_BOTH_COMPONENTS_PARAMS,
        needs=LINKS_LINES,
    ),
    Kind("pctc_tc_in_facility", pctc_tc_in_facility, (), PCTC_IN_FACILITY_PARAMS),
)
