"""E/M modifier policy and place of service: modifiers by code type, 25 with nothing else that day, G2211
with a 25-modified visit, E/M families at the wrong place of service, contradictory telehealth modifiers."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import CODE_LIST, LINKS_LINES, Hit, Kind, modifier_list, params_schema

POS_LIST: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string", "pattern": "^[0-9]{2}$"},
}


def _codes(params: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(code) for code in params.get(key, ()))


MODIFIER_BY_CODE_TYPE_PARAMS = params_schema(
    {
        "modifiers": modifier_list(1),
        "on": {"enum": ["em", "not_em"], "description": "the code type the modifiers do not belong on"},
        "exempt_codes": CODE_LIST,
    },
    required=("modifiers", "on"),
)


def modifier_by_code_type(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """One of `modifiers` on an E/M code (`on: em`) or on a code that is not an E/M (`on: not_em`),
    leaving out `exempt_codes`."""
    modifiers = frozenset(params["modifiers"])
    on_em = params["on"] == "em"
    exempt = _codes(params, "exempt_codes")
    for fact in ctx.run_with_any(modifiers):
        found = fact.mods & modifiers
        if found and fact.em == on_em and fact.code not in exempt:
            yield Hit(fact.position, "modifiers", {"modifier": ", ".join(sorted(found))}, 1.0)


EM_MODIFIER_ALONE_PARAMS = params_schema(
    {
        "modifiers": modifier_list(1),
        "not_services": {**CODE_LIST, "description": "codes that are no other service of the day (add-ons)"},
    },
    required=("modifiers",),
)


def em_modifier_alone(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """An E/M with one of `modifiers` (25) and no other service that day by the same physician (codes in
    `not_services`, E/M add-ons such as G2211, do not count)."""
    modifiers = frozenset(params["modifiers"])
    not_services = _codes(params, "not_services")
    for fact in _modified_visits(ctx, modifiers):
        found = fact.mods & modifiers
        if not any(_others(ctx, fact, not_services)):
            yield Hit(fact.position, "modifiers", {"modifier": ", ".join(sorted(found))}, 0.0)


def _modified_visits(ctx: Context, modifiers: frozenset[str]) -> list[LineFacts]:
    """This run's E/M lines with a patient and a date carrying one of `modifiers` (shared within a run)."""
    key = f"em_policy.visits.{sorted(modifiers)}"
    found: list[LineFacts] | None = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = [
            f for f in ctx.run_with_modifiers if f.em and f.mods & modifiers and f.linked
        ]
    return found


def _others(ctx: Context, fact: LineFacts, leave_out: frozenset[str]) -> Iterator[bool]:
    """For each line of the patient's day by the same physician: whether it is another service."""
    for other in ctx.same_day_physician(fact):
        yield other.code != fact.code and other.code not in leave_out


EM_ADDON_WITH_MODIFIER_PARAMS = params_schema(
    {
        "addon": {"type": "string", "pattern": "^[0-9A-Z]{5}$"},
        "modifiers": modifier_list(1),
        "qualifying_codes": {**CODE_LIST, "minItems": 1},
        "qualifying_patterns": {
            "type": "array",
            "items": {"type": "string", "format": "regex"},
            "description": "regular expressions a qualifying code matches in full (vaccine products)",
        },
        "qualifying_from": {
            "type": "string",
            "format": "date",
            "description": "dates of service before this one: no service qualifies",
        },
    },
    required=("addon", "modifiers", "qualifying_codes"),
)


def em_addon_with_modifier(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """The `addon` (G2211) billed with an E/M carrying one of `modifiers` (25) the same day by the same
    physician, where a service of that day other than the E/M and the add-on is not in `qualifying_codes`."""
    addon = params["addon"]
    modifiers = frozenset(params["modifiers"])
    qualifying = _codes(params, "qualifying_codes")
    patterns = [re.compile(p) for p in params.get("qualifying_patterns", ())]
    start = dt.date.fromisoformat(params["qualifying_from"]).toordinal() if "qualifying_from" in params else 0
    reported: set[int] = set()
    for visit in _modified_visits(ctx, modifiers):
        day = ctx.same_day_physician(visit)
        addons = [o for o in day if o.code == addon and not o.history and o.position not in reported]
        if not addons:
            continue
        others = {o.code for o in day if not o.em and o.code != addon}
        if visit.day >= start:
            others = {c for c in others - qualifying if not any(p.fullmatch(c) for p in patterns)}
        if not others:
            continue
        blocking = sorted(others)
        values = {
            "em_code": visit.code,
            "em_row": visit.line.source.row,
            "others": ", ".join(blocking[:6]) + (" ..." if len(blocking) > 6 else ""),
        }
        for fact in addons:
            reported.add(fact.position)
            yield Hit(fact.position, "hcpcs", values, 1.0)


CODE_POS_PARAMS = params_schema(
    {
        "codes": {**CODE_LIST, "minItems": 1, "description": "E/M codes (99202-99499)"},
        "family": {"type": "string", "minLength": 3, "description": "what the codes are, for the message"},
        "allowed_pos": POS_LIST,
        "forbidden_pos": POS_LIST,
    },
    required=("codes", "family"),
)


def code_pos(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """One of `codes` (E/M codes) billed at a place of service in `forbidden_pos`, or outside
    `allowed_pos`. A line with no place of service, or no date (an error of its own), is not judged."""
    codes = _codes(params, "codes")
    allowed = frozenset(params.get("allowed_pos", ()))
    forbidden = frozenset(params.get("forbidden_pos", ()))
    for (code, raw_pos), facts in _em_by_code_pos(ctx).items():
        pos = raw_pos.strip().zfill(2) if raw_pos.strip() else ""
        if code not in codes or not pos:
            continue
        if pos in forbidden or (allowed and pos not in allowed):
            for fact in facts:
                yield Hit(fact.position, "pos", {"family": params["family"]}, 1.0)


def _em_by_code_pos(ctx: Context) -> dict[tuple[str, str], list[LineFacts]]:
    """This run's dated E/M lines by code and place of service as written: one pass shared by the
    place-of-service rules of a run (a month has a few hundred distinct pairs)."""
    found: dict[tuple[str, str], list[LineFacts]] | None = ctx.memo.get("em_policy.em_by_code_pos")
    if found is None:
        found = ctx.memo["em_policy.em_by_code_pos"] = defaultdict(list)
        for fact in ctx.run_em:
            found[fact.code, fact.line.pos].append(fact)
    return found


MODIFIER_CONFLICT_PARAMS = params_schema(
    {
        "pairs": {
            "type": "array",
            "minItems": 1,
            "items": {**modifier_list(), "minItems": 2, "maxItems": 2},
        },
        "meanings": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    required=("pairs",),
)


def modifier_conflict(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Two modifiers of one of `pairs` on one line: they say contradictory things about the service."""
    pairs = [frozenset(pair) for pair in params["pairs"]]
    meanings: Mapping[str, str] = params.get("meanings", {})
    for fact in ctx.run_with_modifiers:
        for pair in pairs:
            if pair <= fact.mods:
                first, second = sorted(pair)
                values = {
                    "first": first,
                    "second": second,
                    "first_meaning": meanings.get(first, first),
                    "second_meaning": meanings.get(second, second),
                }
                yield Hit(fact.position, "modifiers", values, 1.0)
                break


KINDS = (
    Kind("modifier_by_code_type", modifier_by_code_type, ("modifier",), MODIFIER_BY_CODE_TYPE_PARAMS),
    Kind("em_modifier_alone", em_modifier_alone, ("modifier",), EM_MODIFIER_ALONE_PARAMS, needs=LINKS_LINES),
    Kind(
        "em_addon_with_modifier",
        em_addon_with_modifier,
        ("em_code", "em_row", "others"),
        EM_ADDON_WITH_MODIFIER_PARAMS,
        needs=LINKS_LINES,
    ),
    Kind("code_pos", code_pos, ("family",), CODE_POS_PARAMS),
    Kind(
        "modifier_conflict",
        modifier_conflict,
        ("first", "second", "first_meaning", "second_meaning"),
        MODIFIER_CONFLICT_PARAMS,
    ),
)
