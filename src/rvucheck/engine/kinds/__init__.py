"""The closed registry of check kinds: small generator functions that a rule file parameterises.

Like jsonschema's keyword vocabulary: a name maps to a plain function `check(params, ctx)` that yields
`Hit`s (line index, field at fault, message values). Rule files pick a kind by name and give its params;
the params are validated against `rvucheck/schemas/kind.<name>.json` before a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rvucheck.engine.context import Context

# Values every message template may use, filled in by the engine from the line itself.
COMMON_FIELDS: tuple[str, ...] = ("code", "modifiers", "units", "dos", "pos", "row", "release")


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding as a kind reports it; the engine turns it into a Finding with the rule's text.

    `stake` is the share of the line's payment and credited wRVU that the problem puts at risk
    (1.0 = the line will be denied, 0.0 = nothing computable).
    """

    index: int
    field: str
    values: Mapping[str, Any]
    stake: float = 0.0


Check = Callable[[Mapping[str, Any], "Context"], Iterable[Hit]]


@dataclass(frozen=True)
class Kind:
    name: str
    check: Check
    fields: tuple[str, ...]
    summary: str


KINDS: dict[str, Kind] = {}


def kind(name: str, fields: tuple[str, ...] = ()) -> Callable[[Check], Check]:
    """Register a check function under `name`; `fields` are the message values its hits provide."""

    def register(check: Check) -> Check:
        if name in KINDS:
            raise ValueError(f"kind {name!r} registered twice")
        summary = (check.__doc__ or "").strip().splitlines()[0] if check.__doc__ else name
        KINDS[name] = Kind(name=name, check=check, fields=fields, summary=summary)
        return check

    return register


# Importing the kind modules fills KINDS (kept at the bottom: they import `kind` and `Hit` from here).
from rvucheck.engine.kinds import (  # noqa: E402, F401
    codes,
    diagnoses,
    global_period,
    hygiene,
    modifiers,
    ncci,
    surgery,
)
