"""Kinds about the code itself: its shape, its presence in the date's release, its status code."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context
from rvucheck.engine.kinds import Hit, kind

PLAUSIBLE_CODE = re.compile(r"[0-9A-Z]{5}")


def release_order(release_id: str) -> tuple[int, str]:
    """RVU25D -> (25, "D"): CMS release ids sort by year, then quarter letter."""
    tail = release_id.upper().removeprefix("RVU")
    return (int(tail[:2]) if tail[:2].isdigit() else 0, tail[2:])


@kind("code_format", fields=("pattern_names",))
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


@kind("code_in_release", fields=("listed_in",))
def code_in_release(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A well-formed code missing from the release in effect on the date of service.

    `when`: "unknown" (in no installed release), "deleted" (only in older releases), "not_yet" (only in
    newer releases: billed before it took effect). `patterns` (optional): only codes of these shapes.
    """
    when = params["when"]
    # Optional: only codes of these shapes (HCPCS Level II drugs, supplies and lab codes are valid codes
    # that the PFS need not list, so "unknown" means something else for them than for a CPT code).
    shapes = [re.compile(p) for p in params.get("patterns", ())]
    known: dict[str, str | None] = {}
    for fact in ctx.run_facts:
        if (
            fact.row is not None
            or fact.release is None
            or not fact.release.release_id
            or not PLAUSIBLE_CODE.fullmatch(fact.code)
            or (shapes and not any(p.fullmatch(fact.code) for p in shapes))
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
        if state == when:
            yield Hit(fact.position, "hcpcs", {"listed_in": listed_in or "no installed release"}, 1.0)


@kind("status_code", fields=("status", "meaning"))
def status_code(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """The PFS status code of the line's code is one of `statuses` (status -> what it means)."""
    statuses: Mapping[str, str] = params["statuses"]
    unless = frozenset(params.get("unless_modifiers", ()))
    exempt = frozenset(params.get("exempt_codes", ()))
    stake = float(params.get("stake", 0.0))
    for status, meaning in statuses.items():
        for fact in ctx.run_by_status.get(status, ()):
            if not (unless and fact.mods & unless) and fact.code not in exempt:
                yield Hit(fact.position, "hcpcs", {"status": status, "meaning": meaning}, stake)


@kind("status_only_service", fields=("status", "other_code"))
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
