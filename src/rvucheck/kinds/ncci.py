"""NCCI kinds: procedure-to-procedure pairs, medically unlikely edits, add-on code edits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.kinds import Hit, kind
from rvucheck.kinds.context import Context, LineFacts
from rvucheck.refdata.types import Mue

CONTRACTOR_DEFINED = "CCCCC"


@kind("ncci_ptp", fields=("column1", "column2", "modifier_indicator", "rationale", "column1_row"))
def ncci_ptp(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A column 2 code billed with its column 1 code (same patient, date, provider) and not bypassed.

    Modifier indicator 0: never bypassed. 1: bypassed by a distinct-service modifier (59/X{EPSU}) on
    either line, by different anatomic modifiers, or by a global-surgery modifier where NCCI allows it
    (25/57 on an E/M column 2 code; 24/58/78/79/91 on the column 2 code). 9 edits never apply.
    """
    indicator = params["modifier_indicator"]
    distinct = frozenset(params.get("distinct_modifiers", ()))
    anatomic = frozenset(params.get("anatomic_modifiers", ()))
    em_modifiers = frozenset(params.get("em_modifiers", ()))
    other_modifiers = frozenset(params.get("global_modifiers", ()))
    for group, edits in ctx.ptp_groups:
        for edit in edits:
            if edit.modifier_indicator != indicator:
                continue
            firsts = [f for f in group if f.code == edit.column1]
            for second in (f for f in group if f.code == edit.column2 and not f.history):
                first = firsts[0]
                if indicator == "1" and any(
                    _bypassed(first, second, distinct, anatomic, em_modifiers, other_modifiers)
                    for first in firsts
                ):
                    continue
                values = {
                    "column1": edit.column1,
                    "column2": edit.column2,
                    "modifier_indicator": edit.modifier_indicator,
                    "rationale": edit.rationale,
                    "column1_row": first.line.source.row,
                }
                yield Hit(second.position, "hcpcs" if indicator == "0" else "modifiers", values, 1.0)


def _bypassed(
    first: LineFacts,
    second: LineFacts,
    distinct: frozenset[str],
    anatomic: frozenset[str],
    em_modifiers: frozenset[str],
    other_modifiers: frozenset[str],
) -> bool:
    if (first.mods | second.mods) & distinct:
        return True
    first_sites, second_sites = first.mods & anatomic, second.mods & anatomic
    if second_sites and first_sites and not first_sites & second_sites:
        return True
    if second.em and second.mods & em_modifiers:
        return True
    return bool(second.mods & other_modifiers)


MAI_MEANINGS_DEFAULT = {
    "1": "line edit",
    "2": "date of service edit: policy",
    "3": "date of service edit: clinical",
}


@kind("mue", fields=("mue", "mai", "mai_meaning", "billed", "rationale"))
def mue(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Units above the code's MUE: per line for MAI 1, per patient, date and provider for MAI 2 and 3."""
    mais = frozenset(params["mai"])
    meanings = {**MAI_MEANINGS_DEFAULT, **params.get("mai_meanings", {})}
    for mai in sorted(mais):
        entries = ctx.run_mues.get(mai, [])
        if mai == "1":
            for fact, edit in entries:
                if fact.line.units > edit.units:
                    yield _mue_hit(fact, edit.units, mai, meanings, fact.line.units, edit.rationale)
            continue
        # Date-of-service edits: units summed per patient, date, provider and code.
        per_day: dict[tuple[str, int, str, str], list[tuple[LineFacts, Mue]]] = {}
        for entry in entries:
            fact = entry[0]
            per_day.setdefault((fact.patient, fact.day, fact.physician, fact.code), []).append(entry)
        for group in per_day.values():
            billed = sum(fact.line.units for fact, _ in group)
            last, edit = group[-1]
            if billed > edit.units:
                yield _mue_hit(last, edit.units, mai, meanings, billed, edit.rationale)


def _mue_hit(
    fact: LineFacts, limit: int, mai: str, meanings: Mapping[str, str], billed: float, why: str
) -> Hit:
    excess = billed - limit
    units = fact.line.units
    stake = min(1.0, excess / units) if units > 0 else 0.0
    values = {
        "mue": limit,
        "mai": mai,
        "mai_meaning": meanings.get(mai, mai),
        "billed": int(billed) if float(billed).is_integer() else billed,
        "rationale": why,
    }
    return Hit(fact.position, "units", values, round(stake, 4))


@kind("addon_primary", fields=("primaries",))
def addon_primary(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """An add-on code without an eligible primary code the same day by the same physician.

    Eligible primaries come from the NCCI add-on code edits; where CMS leaves them to contractors
    (type 2/3, "CCCCC"), any other service counts. Codes missing from the AOC file fall back on the PFS
    global days: a ZZZ code needs some other non-ZZZ service that day (`zzz_fallback`).
    """
    fallback = bool(params.get("zzz_fallback", True))
    quarters = ctx.quarters
    # Most codes are not add-ons: remember per (code, quarter) and skip them with one dict lookup.
    not_addon: set[tuple[str, str]] = set()
    for fact in ctx.run_facts:
        key = (fact.code, quarters[fact.day])
        if key in not_addon:
            continue
        primaries = ctx.aoc_primaries(fact) if fact.code else None
        if primaries is None and not (fallback and fact.global_days == "ZZZ"):
            if fact.row is None or fact.row.global_days != "ZZZ":
                not_addon.add(key)
            continue
        if primaries is None and not (fallback and fact.global_days == "ZZZ"):
            continue
        others = [o for o in ctx.same_day_physician(fact) if o.position != fact.position]
        if primaries is None or CONTRACTOR_DEFINED in primaries or not primaries:
            ok = any(o.global_days != "ZZZ" and o.code != fact.code for o in others)
            listed = "any primary service"
        else:
            ok = any(o.code in primaries for o in others)
            listed = ", ".join(sorted(primaries)[:8]) + (" ..." if len(primaries) > 8 else "")
        if not ok:
            yield Hit(fact.position, "hcpcs", {"primaries": listed}, 1.0)
