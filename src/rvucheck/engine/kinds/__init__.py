"""The closed table of check kinds: small generator functions that a rule file parameterises.

Like jsonschema's keyword vocabulary: a name maps to a plain function `check(params, ctx)` that yields
`Hit`s (line index, field at fault, message values). Rule files pick a kind by name and give its params;
the rule loader validates the params against the kind's own schema (`Kind.params`) before a run.

The table is written out here: adding a kind means adding it to its module's `KINDS` tuple, and adding a
module means listing it below. Nothing registers itself as a side effect of being imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from rvucheck.engine.kinds import (
    anesthesia,
    bilateral,
    codes,
    diagnoses,
    em_policy,
    excludes1,
    frequency,
    global_period,
    hygiene,
    lab_ncd,
    mce,
    modifiers,
    ncci,
    notes,
    paid_elsewhere,
    surgery,
    therapy,
    timing,
)
from rvucheck.engine.kinds.base import COMMON_FIELDS, Check, Hit, Kind

__all__ = ["COMMON_FIELDS", "KINDS", "Check", "Hit", "Kind"]

_MODULES = (
    codes,
    diagnoses,
    em_policy,
    excludes1,
    frequency,
    mce,
    lab_ncd,
    global_period,
    hygiene,
    modifiers,
    ncci,
    paid_elsewhere,
    surgery,
    bilateral,
    therapy,
    anesthesia,
    timing,
    notes,
)


def _table() -> dict[str, Kind]:
    table: dict[str, Kind] = {}
    for module in _MODULES:
        for kind in module.KINDS:
            if kind.name in table:
                raise ValueError(f"kind {kind.name!r} is defined twice ({module.__name__})")
            table[kind.name] = kind
    return table


KINDS: Mapping[str, Kind] = MappingProxyType(_table())
