"""Frequency limits: a code billed again for the same patient before its interval has passed.

The limits are data (each rule's params: the codes, the codes that count as the earlier service, the
scope, the window and the source); this module only knows how to measure the interval of each scope.
Earlier lines are this run's and the history the run was given (the audit's earlier months), for every
provider: Medicare counts a beneficiary's services, whoever billed them. A repeat on the same day is the
duplicate-line and MUE rules' business, not a frequency limit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import LINKS_LINES, STAKE, Hit, Kind, params_schema

CODE = {"type": "string", "pattern": "^[0-9A-Z]{5}$"}
SCOPES = ("lifetime", "full_months", "calendar_month", "days")

LIMIT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["codes", "scope", "source"],
    "properties": {
        "codes": {"type": "array", "minItems": 1, "items": CODE, "description": "the codes limited"},
        "after": {
            "type": "array",
            "items": CODE,
            "description": "the codes that count as the earlier service (default: `codes`)",
        },
        "scope": {
            "enum": list(SCOPES),
            "description": "lifetime: once ever; full_months: `window` full months must pass after the "
            "month of the earlier service; calendar_month: once per calendar month; days: `window` days",
        },
        "window": {"type": "integer", "minimum": 1, "maximum": 120},
        "limit": {"type": "string", "description": "the limit in words, for the message"},
        "source": {"type": "string", "minLength": 1, "description": "where the limit is written"},
    },
}

FREQUENCY_PARAMS = params_schema(
    {"limits": {"type": "array", "minItems": 1, "items": LIMIT}, "stake": STAKE}, required=("limits",)
)


def _month_index(day: int) -> int:
    date = dt.date.fromordinal(day)
    return date.year * 12 + date.month


def too_soon(scope: str, window: int, earlier: int, later: int) -> bool:
    """Whether a service on ordinal day `later` comes too soon after one on `earlier` (earlier < later)."""
    if scope == "lifetime":
        return True
    if scope == "days":
        return later - earlier < window
    months = _month_index(later) - _month_index(earlier)
    if scope == "calendar_month":
        return months == 0
    return months - 1 < window  # full_months: the whole months between the two months


def _by_code(facts: Sequence[LineFacts], codes: frozenset[str]) -> dict[str, list[LineFacts]]:
    """The linked lines (run and history) of these codes, by code: one pass over the run per rule."""
    found: dict[str, list[LineFacts]] = defaultdict(list)
    for fact in [f for f in facts if f.code in codes]:
        if fact.linked:
            found[fact.code].append(fact)
    return found


def frequency_limit(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A code billed for a patient before its frequency limit allows (this run and the history)."""
    stake = float(params.get("stake", 1.0))
    limits = params["limits"]
    by_code = _by_code(ctx.facts, frozenset(c for x in limits for c in (*x["codes"], *x.get("after", ()))))
    for limit in limits:
        after = limit.get("after") or limit["codes"]
        scope, window = limit["scope"], int(limit.get("window", 1))
        earlier: dict[str, list[LineFacts]] = defaultdict(list)
        for code in after:
            for other in by_code.get(code, ()):
                earlier[other.patient].append(other)
        for code in limit["codes"]:
            for fact in by_code.get(code, ()):
                if fact.history or fact.patient not in earlier:
                    continue
                hits = [
                    o.day
                    for o in earlier[fact.patient]
                    if o.day < fact.day and too_soon(scope, window, o.day, fact.day)
                ]
                if hits:
                    last = max(hits)
                    seen = next(o for o in earlier[fact.patient] if o.day == last)
                    values = {"seen_code": seen.code, "seen_dos": dt.date.fromordinal(last).isoformat()}
                    text = {"limit": limit.get("limit", scope), "source": limit["source"]}
                    yield Hit(fact.position, "hcpcs", {**values, **text}, stake)


KINDS = (
    Kind(
        "frequency_limit",
        frequency_limit,
        ("seen_code", "seen_dos", "limit", "source"),
        FREQUENCY_PARAMS,
        needs=LINKS_LINES,
    ),
)
