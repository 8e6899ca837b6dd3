"""Kinds about the code itself: its shape, its presence in the date's release, its status code."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context
from rvucheck.engine.kinds.base import DATE, LINKS_LINES, STAKE, Hit, Kind, modifier_list, params_schema
from rvucheck.engine.kinds.paid_elsewhere import CLASS_IDS, in_classes

PLAUSIBLE_CODE = re.compile(r"[0-9A-Z]{5}")


def release_order(release_id: str) -> tuple[int, str]:
    """RVU25D -> (25, "D"): CMS release ids sort by year, then quarter letter."""
    tail = release_id.upper().removeprefix("RVU")
    return (int(tail[:2]) if tail[:2].isdigit() else 0, tail[2:])


CODE_FORMAT_PARAMS = params_schema(
    {
        "patterns": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "string", "minLength": 1},
            "description": "name -> regular expression a valid code matches in full",
        }
    },
    required=("patterns",),
)


def code_format(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """The code does not have the shape of a CPT or HCPCS Level II code."""
    patterns = [re.compile(p) for p in params["patterns"].values()]
    names = ", ".join(params["patterns"])
    valid: dict[str, bool] = {}
    for fact in ctx.run_facts:
        ok = valid.get(fact.code)
        if ok is None:
            ok = valid[fact.code] = any(p.fullmatch(fact.code) for p in patterns)
        if not ok:
            yield Hit(fact.position, "hcpcs", {"pattern_names": names}, 1.0)


CODE_IN_RELEASE_PARAMS = params_schema(
    {
        "patterns": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "minLength": 1},
            "description": "regular expressions: only codes matching one of them are checked",
        },
        "exempt_classes": {**CLASS_IDS, "description": "code classes another rule reports (ST09, ST10)"},
    }
)


def code_unknown(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A well-formed code that no installed release lists.

    `patterns` (optional): only codes of these shapes.
    """
    return _code_in_release("unknown", params, ctx)


def code_deleted(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A well-formed code listed only in releases older than the one in effect on the date of service."""
    return _code_in_release("deleted", params, ctx)


def code_not_yet(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A well-formed code listed only in newer releases: billed before it took effect."""
    return _code_in_release("not_yet", params, ctx)


def _code_in_release(wanted: str, params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Codes missing from the release in effect on their date, whose state ("unknown", "deleted",
    "not_yet") is `wanted`."""
    # Optional: only codes of these shapes (HCPCS Level II drugs, supplies and lab codes are valid codes
    # that the PFS need not list, so "unknown" means something else for them than for a CPT code).
    shapes = [re.compile(p) for p in params.get("patterns", ())]
    exempt = frozenset(params.get("exempt_classes", ()))
    known: dict[str, str | None] = {}
    for fact in ctx.run_facts:
        if (
            fact.row is not None
            or fact.release is None
            or not fact.release.release_id
            or not PLAUSIBLE_CODE.fullmatch(fact.code)
            or (shapes and not any(p.fullmatch(fact.code) for p in shapes))
            or in_classes(ctx, fact, exempt)
        ):
            continue
        if fact.code not in known:
            known[fact.code] = ctx.ref.known_code(fact.code)
        listed_in = known[fact.code]
        if listed_in is None:
            state = "unknown"
        elif release_order(listed_in) < release_order(fact.release.release_id):
            state = "deleted"
        else:
            state = "not_yet"
        if state == wanted:
            yield Hit(fact.position, "hcpcs", {"listed_in": listed_in or "no installed release"}, 1.0)


STATUS_CODE_PARAMS = params_schema(
    {
        "statuses": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[A-Z]$"},
            "additionalProperties": {"type": "string", "minLength": 3},
        },
        "unless_modifiers": modifier_list(),
        "stake": STAKE,
        "exempt_codes": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9A-Z]{5}$"},
            "description": "codes whose status is expected (e.g. 99024, reported on purpose at $0)",
        },
        "exempt_classes": {**CLASS_IDS, "description": "code classes another rule reports (ST09, ST10)"},
    },
    required=("statuses",),
)


def status_code(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """The PFS status code of the line's code is one of `statuses` (status -> what it means)."""
    statuses: Mapping[str, str] = params["statuses"]
    unless = frozenset(params.get("unless_modifiers", ()))
    exempt = frozenset(params.get("exempt_codes", ()))
    exempt_classes = frozenset(params.get("exempt_classes", ()))
    stake = float(params.get("stake", 0.0))
    for status, meaning in statuses.items():
        for fact in ctx.run_by_status.get(status, ()):
            if (
                not (unless and fact.mods & unless)
                and fact.code not in exempt
                and not in_classes(ctx, fact, exempt_classes)
            ):
                yield Hit(fact.position, "hcpcs", {"status": status, "meaning": meaning}, stake)


STATUS_ONLY_SERVICE_PARAMS = params_schema(
    {
        "statuses": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[A-Z]$"}},
        "payable_statuses": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": "^[A-Z]$"},
        },
    },
    required=("statuses", "payable_statuses"),
)


def status_only_service(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A code paid only when it is the physician's only payable service that day (status T) is billed
    beside another payable service."""
    statuses = frozenset(params["statuses"])
    payable = frozenset(params["payable_statuses"])
    for status in sorted(statuses):
        for fact in ctx.run_by_status.get(status, ()):
            # "Billed on the same date by the same provider" (PFS status T): the exact provider, not
            # the group-and-specialty sense of the global surgery rules.
            others = [
                o.code
                for o in ctx.same_day_physician(fact)
                if o.position != fact.position
                and o.physician == fact.physician
                and o.row is not None
                and o.row.status_code in payable
            ]
            if others:
                yield Hit(fact.position, "hcpcs", {"status": status, "other_code": others[0]}, 1.0)


KINDS = (
    Kind("code_format", code_format, ("pattern_names",), CODE_FORMAT_PARAMS),
    Kind("code_unknown", code_unknown, ("listed_in",), CODE_IN_RELEASE_PARAMS),
    Kind("code_deleted", code_deleted, ("listed_in",), CODE_IN_RELEASE_PARAMS, needs=frozenset({DATE})),
    Kind("code_not_yet", code_not_yet, ("listed_in",), CODE_IN_RELEASE_PARAMS, needs=frozenset({DATE})),
    Kind("status_code", status_code, ("status", "meaning"), STATUS_CODE_PARAMS),
    Kind(
        "status_only_service",
        status_only_service,
        ("status", "other_code"),
        STATUS_ONLY_SERVICE_PARAMS,
        needs=LINKS_LINES,
    ),
)
