"""Kinds about modifiers: valid codes, modifiers a PFS indicator forbids, PC/TC split billing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context
from rvucheck.engine.kinds import Hit, kind
from rvucheck.engine.kinds.modifier_codes import MODIFIERS

# RvuRow fields a rule may test (PPRRVU indicator columns).
INDICATORS = ("pctc_indicator", "mult_proc", "bilat_surg", "asst_surg", "co_surg", "team_surg", "global_days")


@kind("modifier_valid", fields=("modifier",))
def modifier_valid(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A modifier that is not a CPT or HCPCS Level II modifier (plus the rule's `extra` ones)."""
    valid = MODIFIERS.keys() | {str(m).upper() for m in params.get("extra", ())}
    for fact in ctx.run_with_modifiers:
        for modifier in sorted(fact.mods - valid):
            yield Hit(fact.position, "modifiers", {"modifier": modifier}, 1.0)


@kind("modifier_indicator", fields=("modifier", "indicator_value", "meaning"))
def modifier_indicator(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """One of `modifiers` on a code whose PFS `indicator` has one of the listed `values`."""
    modifiers = frozenset(params["modifiers"])
    indicator: str = params["indicator"]
    values: Mapping[str, str] = params["values"]
    stake = float(params.get("stake", 0.0))
    for fact in ctx.run_with_modifiers:
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


@kind("pctc_split", fields=("other_row",))
def pctc_split(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """PC/TC billing that does not match the setting.

    `check: global_in_facility`: the global service (no 26/TC) of a code with PC/TC indicator 1 in a
    facility POS, where the facility is paid the technical component; `check: both_components`: 26 and
    TC on separate lines for the same code, patient, date and physician, where the global is payable;
    `check: tc_in_facility`: the technical component billed by the physician for a hospital patient (POS
    in `pos`), which the hospital is paid for.
    """
    check = params["check"]
    indicators = frozenset(params.get("indicators", ("1",)))
    if check == "global_in_facility":
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
            yield Hit(fact.position, "modifiers", {"other_row": ""}, round(stake, 4))
        return
    if check == "tc_in_facility":
        pos = frozenset(params["pos"])
        for fact in ctx.run_with_modifiers:
            row = fact.row
            if "TC" not in fact.mods or row is None or row.pctc_indicator not in indicators:
                continue
            if fact.line.pos.strip().zfill(2) in pos:
                yield Hit(fact.position, "modifiers", {"other_row": ""}, 1.0)
        return
    for fact in ctx.run_with_modifiers:
        if "TC" not in fact.mods or fact.row is None or fact.row.pctc_indicator not in indicators:
            continue
        if fact.facility:  # for a hospital patient the global is not payable to the physician (PC03/PC05)
            continue
        for other in ctx.same_day_physician(fact):
            if other.code == fact.code and "26" in other.mods and other.position != fact.position:
                yield Hit(fact.position, "modifiers", {"other_row": other.line.source.row})
                break
