"""Global surgery kinds: E/M and procedures around a procedure's global period (same physician).

Windows follow the procedure's GLOB DAYS: 000 = the day of surgery, 010 = the day and 10 days after,
090 = the day before, the day, and 90 days after (Claims Processing Manual ch. 12, §40.1). History lines
(earlier months) count as the procedure that opened a window; only this run's lines are reported.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts, same_physician
from rvucheck.engine.kinds.base import (
    CODE_LIST,
    LINKS_LINES,
    Hit,
    Kind,
    global_days_list,
    modifier_list,
    params_schema,
)

POSTOP_DAYS = {"010": 10, "090": 90}
NO_WINDOW_MODIFIERS = modifier_list(
    description="procedures billed with these modifiers open no post-operative window of their own "
    "(78: return to the OR)"
)


def _day(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def _procedures_near(
    ctx: Context,
    fact: LineFacts,
    global_days: frozenset[str],
    before: int,
    after: int,
    no_window: frozenset[str] = frozenset(),
) -> list[LineFacts]:
    """Procedures with one of `global_days` by the same physician, dated fact.day-before..fact.day+after
    (leaving out procedures billed with a `no_window` modifier: they open no global period of their own),
    in date order."""
    group = ctx.procedures_by_patient.get(fact.patient)
    if not group:
        return []
    days = ctx.procedure_days[fact.patient]  # in date order: only the window's slice is looked at
    start = bisect_left(days, fact.day - before)
    end = bisect_right(days, fact.day + after, start)
    if start == end:
        return []
    return [
        other
        for other in group[start:end]
        if other.position != fact.position
        and other.row is not None
        and other.row.global_days in global_days
        and not (no_window and other.mods & no_window)
        and same_physician(fact, other)
    ]


def _em_without(params: Mapping[str, Any], modifiers: frozenset[str], ctx: Context) -> list[LineFacts]:
    """This run's E/M lines of patients with a procedure, billed without one of `modifiers` and not listed
    in `exempt_codes`. E/M add-ons (ZZZ: 99292, 99415) are left out: they follow their base E/M's modifier."""
    exempt = frozenset(params.get("exempt_codes", ()))
    if "em_near_procedures" not in ctx.memo:  # shared by the rules of this module
        procedures = ctx.procedures_by_patient
        ctx.memo["em_near_procedures"] = [
            fact
            for fact in ctx.run_em
            if fact.patient in procedures and (fact.row is None or fact.row.global_days != "ZZZ")
        ]
    candidates: list[LineFacts] = ctx.memo["em_near_procedures"]
    return [fact for fact in candidates if fact.code not in exempt and not fact.mods & modifiers]


EM_WITH_PROCEDURE_PARAMS = params_schema(
    {
        "global_days": global_days_list(),
        "modifiers": modifier_list(1),
        "days_before": {"type": "integer", "minimum": 0, "maximum": 1},
        "exempt_codes": CODE_LIST,
    },
    required=("global_days", "modifiers"),
)


def em_with_procedure(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """An E/M on the day of (or `days_before` the day of) a procedure with one of `global_days`, without
    one of `modifiers` on the E/M."""
    global_days = frozenset(params["global_days"])
    modifiers = frozenset(params["modifiers"])
    days_before = int(params.get("days_before", 0))
    dated = ctx.procedure_dates
    for fact in _em_without(params, modifiers, ctx):
        # The E/M may be on the procedure day or up to `days_before` days before it.
        if (fact.patient, fact.day) not in dated and not (
            days_before and (fact.patient, fact.day + 1) in dated  # days_before is 0 or 1 (its schema)
        ):
            continue  # most E/M days have no procedure at all: a set lookup, no window search
        for procedure in _procedures_near(ctx, fact, global_days, 0, days_before):
            values = {
                "procedure": procedure.code,
                "procedure_global": procedure.row.global_days if procedure.row else "",
                "procedure_dos": _day(procedure.day),
                "needed": "/".join(sorted(modifiers)),
            }
            yield Hit(fact.position, "modifiers", values, 1.0)
            break


EM_IN_POSTOP_PARAMS = params_schema(
    {
        "global_days": global_days_list(tuple(POSTOP_DAYS)),
        "modifiers": modifier_list(1),
        "exempt_codes": CODE_LIST,
        "no_window_modifiers": NO_WINDOW_MODIFIERS,
    },
    required=("global_days", "modifiers"),
)


def em_in_postop(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """An E/M by the surgeon inside a procedure's post-operative days, without one of `modifiers`."""
    global_days = frozenset(params["global_days"])
    modifiers = frozenset(params["modifiers"])
    no_window = frozenset(params.get("no_window_modifiers", ()))
    longest = max(POSTOP_DAYS.get(g, 0) for g in global_days)
    for fact in _em_without(params, modifiers, ctx):
        for procedure in _procedures_near(ctx, fact, global_days, longest, -1, no_window):
            days = POSTOP_DAYS.get(procedure.global_days, 0)
            if procedure.day < fact.day <= procedure.day + days and not procedure.mods & {"54", "56"}:
                yield Hit(fact.position, "modifiers", _window_values(procedure, days, modifiers), 1.0)
                break


PROCEDURE_IN_POSTOP_PARAMS = params_schema(
    {
        "global_days": global_days_list(tuple(POSTOP_DAYS)),
        "procedure_global_days": global_days_list(),
        "modifiers": modifier_list(1),
        "no_window_modifiers": NO_WINDOW_MODIFIERS,
    },
    required=("global_days", "procedure_global_days", "modifiers"),
)


def procedure_in_postop(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Another procedure by the surgeon inside a procedure's post-operative days without one of
    `modifiers` (58 staged, 78 return to the OR, 79 unrelated)."""
    global_days = frozenset(params["global_days"])
    procedure_days = frozenset(params["procedure_global_days"])
    modifiers = frozenset(params["modifiers"])
    no_window = frozenset(params.get("no_window_modifiers", ()))
    longest = max(POSTOP_DAYS.get(g, 0) for g in global_days)
    for fact in ctx.run_facts:
        if fact.row is None or fact.row.global_days not in procedure_days or fact.mods & modifiers:
            continue
        for procedure in _procedures_near(ctx, fact, global_days, longest, -1, no_window):
            days = POSTOP_DAYS.get(procedure.global_days, 0)
            if procedure.day < fact.day <= procedure.day + days:
                yield Hit(fact.position, "modifiers", _window_values(procedure, days, modifiers), 1.0)
                break


def _window_values(procedure: LineFacts, days: int, modifiers: frozenset[str]) -> dict[str, Any]:
    return {
        "procedure": procedure.code,
        "procedure_dos": _day(procedure.day),
        "global_days": procedure.global_days,
        "window_end": _day(procedure.day + days),
        "needed": "/".join(sorted(modifiers)),
    }


SPLIT_CARE_WITHOUT_GLOBAL_PARAMS = params_schema(
    {"modifiers": modifier_list(1), "global_days": global_days_list()},
    required=("modifiers", "global_days"),
)


def split_care_without_global(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A split global care modifier (54 surgery only, 55 post-op only, 56 pre-op only) on a code whose
    global period is not one of `global_days`."""
    split = frozenset(params["modifiers"])
    allowed = frozenset(params["global_days"])
    for fact in ctx.run_with_modifiers:
        found = fact.mods & split
        if found and fact.row is not None and fact.row.global_days not in allowed:
            values = {"parts": ", ".join(sorted(found)), "global_days": fact.row.global_days}
            yield Hit(fact.position, "modifiers", values, 1.0)


SPLIT_CARE_SAME_PHYSICIAN_PARAMS = params_schema({"modifiers": modifier_list(1)}, required=("modifiers",))


def split_care_same_physician(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """One physician billed 54 and 55 (or all three split-care parts) for the same procedure and patient:
    that is the global package, to be billed without modifiers."""
    split = frozenset(params["modifiers"])
    window = max(POSTOP_DAYS.values()) + 1
    for fact in ctx.run_with_modifiers:
        if not fact.mods & split:
            continue
        parts = set(fact.mods & split)
        for other in ctx.by_patient.get(fact.patient, ()):
            if (
                other.position != fact.position
                and other.code == fact.code
                and abs(other.day - fact.day) <= window
                and same_physician(fact, other)
                and (other.position < fact.position or other.history)
            ):
                parts |= other.mods & split
        if {"54", "55"} <= parts:
            values = {"parts": ", ".join(sorted(parts)), "global_days": fact.global_days}
            yield Hit(fact.position, "modifiers", values)


WINDOW_FIELDS = ("procedure", "procedure_dos", "global_days", "window_end", "needed")
SPLIT_CARE_FIELDS = ("parts", "global_days")
KINDS = (
    Kind(
        "em_with_procedure",
        em_with_procedure,
        ("procedure", "procedure_global", "procedure_dos", "needed"),
        EM_WITH_PROCEDURE_PARAMS,
        needs=LINKS_LINES,
    ),
    Kind("em_in_postop", em_in_postop, WINDOW_FIELDS, EM_IN_POSTOP_PARAMS, needs=LINKS_LINES),
    Kind(
        "procedure_in_postop",
        procedure_in_postop,
        WINDOW_FIELDS,
        PROCEDURE_IN_POSTOP_PARAMS,
        needs=LINKS_LINES,
    ),
    Kind(
        "split_care_without_global",
        split_care_without_global,
        SPLIT_CARE_FIELDS,
        SPLIT_CARE_WITHOUT_GLOBAL_PARAMS,
    ),
    Kind(
        "split_care_same_physician",
        split_care_same_physician,
        SPLIT_CARE_FIELDS,
        SPLIT_CARE_SAME_PHYSICIAN_PARAMS,
        needs=LINKS_LINES,
    ),
)
