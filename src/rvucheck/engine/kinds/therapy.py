"""Outpatient therapy: the discipline modifier (GP/GO/GN) and the KX threshold per patient per year.

Always-therapy codes are read from the fee schedule itself: MULT PROC indicator 5 marks the codes the
therapy multiple-procedure payment reduction applies to, which are the codes CMS's annual therapy code
list calls "always therapy" (CMS's list itself is not installed here). Sometimes-therapy codes, the
therapist specialties and the yearly KX thresholds are the rules' params, each with its source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import LINKS_LINES, STAKE, Hit, Kind, modifier_list, params_schema

CODE = {"type": "string", "pattern": "^[0-9A-Z]{5}$"}

THERAPY_DISCIPLINE_PARAMS = params_schema(
    {
        "discipline_modifiers": modifier_list(1, "GP, GO, GN: physical, occupational, speech therapy"),
        "mult_proc": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9]$"},
            "description": "MULT PROC indicators of always-therapy codes (5)",
        },
        "codes": {"type": "array", "items": CODE, "description": "sometimes-therapy codes"},
        "specialties": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9A-Z]{2}$"},
            "description": "with `codes`: only lines of these provider specialties (therapists)",
        },
        "stake": STAKE,
    },
    required=("discipline_modifiers",),
)


def therapy_discipline(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A therapy code without its discipline modifier (GP, GO or GN)."""
    wanted = frozenset(params["discipline_modifiers"])
    mult_proc = frozenset(params.get("mult_proc", ()))
    codes = frozenset(params.get("codes", ()))
    specialties = frozenset(params.get("specialties", ()))
    stake = float(params.get("stake", 1.0))
    for fact in ctx.run_facts:
        if fact.mods & wanted:
            continue
        always = fact.row is not None and fact.row.mult_proc in mult_proc
        if always or (fact.code in codes and (not specialties or fact.line.specialty in specialties)):
            yield Hit(fact.position, "modifiers", {"modifier": "/".join(sorted(wanted))}, stake)


THRESHOLD_PARAMS = params_schema(
    {
        "thresholds": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[0-9]{4}$"},
            "additionalProperties": {"type": "number", "minimum": 0},
            "description": "calendar year -> the KX threshold in dollars",
        },
        "buckets": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": modifier_list(1),
            "description": "name -> the discipline modifiers whose lines add up to one threshold",
        },
        "modifier": {"type": "string", "pattern": "^[0-9A-Z]{2}$"},
        "stake": STAKE,
    },
    required=("thresholds", "buckets", "modifier"),
)


def _bucket(fact: LineFacts, buckets: Mapping[str, frozenset[str]]) -> str:
    return next((name for name, mods in buckets.items() if fact.mods & mods), "")


def allowed(fact: LineFacts) -> float:
    """The line's payment; a history line (not priced by the engine) by its national fee schedule amount
    (total RVUs x conversion factor x units, no GPCI)."""
    if fact.payment is not None:
        return fact.payment
    row = fact.row
    if row is None:
        return 0.0
    total = row.total_rvu_facility if fact.facility else row.total_rvu_nonfacility
    return total * row.conversion_factor * fact.line.units


def therapy_threshold(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Therapy lines past the year's KX threshold for the patient without the KX modifier."""
    thresholds = {int(year): float(amount) for year, amount in params["thresholds"].items()}
    buckets = {name: frozenset(mods) for name, mods in params["buckets"].items()}
    kx: str = params["modifier"]
    stake = float(params.get("stake", 1.0))
    every = frozenset().union(*buckets.values())
    tallies: dict[tuple[str, str, int], list[LineFacts]] = defaultdict(list)
    for fact in [f for f in ctx.facts if f.mods & every]:
        if fact.linked and fact.line.dos is not None and fact.line.dos.year in thresholds:
            tallies[(fact.patient, _bucket(fact, buckets), fact.line.dos.year)].append(fact)
    for (_, bucket, year), lines in tallies.items():
        total = 0.0
        for fact in sorted(lines, key=lambda f: (f.day, f.history is False, f.position)):
            total += allowed(fact)
            if total > thresholds[year] and kx not in fact.mods and not fact.history:
                values = {"threshold": f"{thresholds[year]:,.2f}", "year": year, "total": f"{total:,.2f}"}
                yield Hit(fact.position, "modifiers", {**values, "bucket": bucket}, stake)


KINDS = (
    Kind("therapy_discipline", therapy_discipline, ("modifier",), THERAPY_DISCIPLINE_PARAMS),
    Kind(
        "therapy_threshold",
        therapy_threshold,
        ("threshold", "year", "total", "bucket"),
        THRESHOLD_PARAMS,
        needs=LINKS_LINES,
    ),
)
