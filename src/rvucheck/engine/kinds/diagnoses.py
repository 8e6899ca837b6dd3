"""Diagnosis kinds: missing ICD-10-CM codes, codes that are not valid or not billable.

Validity comes from the simple-icd-10-cm package's code list (one ICD-10-CM code-set update, the one the
installed package ships), kept in the reference data store at install (`ReferenceData.dx_state`): a code
valid in another fiscal year may be judged differently.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds import Hit, kind


@kind("dx_missing", fields=())
def dx_missing(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A line without any ICD-10-CM diagnosis code."""
    exempt = frozenset(params.get("exempt_codes", ()))
    blank: dict[tuple[str, ...], bool] = {}  # lines share a few hundred distinct diagnosis tuples
    for fact in ctx.run_facts:
        codes = fact.line.diagnoses
        missing = blank.get(codes)
        if missing is None:
            missing = blank[codes] = not any(d.strip() for d in codes)
        if missing and fact.code not in exempt:
            yield Hit(fact.position, "diagnoses", {}, 1.0)


@kind("dx_code", fields=("dx_code", "position"))
def dx_code(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A diagnosis that is `invalid` (not an ICD-10-CM code) or a `header` (a category with subcodes,
    not billable), per `check`."""
    wanted = params["check"]
    for fact, position, code, state in _dx_problems(ctx):
        if state == wanted:
            yield Hit(
                fact.position, "diagnoses", {"dx_code": code.strip().upper(), "position": position}, 1.0
            )


def _dx_problems(ctx: Context) -> list[tuple[LineFacts, int, str, str]]:
    """Every non-billable diagnosis of the run (computed once for the DX rules). Lines share a few hundred
    distinct diagnosis tuples, so each tuple is judged once."""
    if "dx_problems" not in ctx.memo:
        by_tuple: dict[tuple[str, ...], list[tuple[int, str, str]]] = {}
        found = []
        for fact in ctx.run_facts:
            codes = fact.line.diagnoses
            problems = by_tuple.get(codes)
            if problems is None:
                problems = by_tuple[codes] = [
                    (position, code, state)
                    for position, code in enumerate(codes, start=1)
                    if code.strip() and (state := ctx.ref.dx_state(code)) != "billable"
                ]
            if problems:
                found += [(fact, *problem) for problem in problems]
        ctx.memo["dx_problems"] = found
    return ctx.memo["dx_problems"]
