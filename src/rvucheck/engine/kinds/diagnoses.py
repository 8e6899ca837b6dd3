"""Diagnosis kinds: missing ICD-10-CM codes, codes that are not valid or not billable.

Validity comes from the simple-icd-10-cm package's code list (one ICD-10-CM code-set update, the one the
installed package ships), kept in the reference data store at install (`ReferenceData.dx_state`): a code
valid in another fiscal year may be judged differently.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import CODE_LIST, Hit, Kind, params_schema
from rvucheck.engine.linking import DIAGNOSES

DX_MISSING_PARAMS = params_schema({"exempt_codes": CODE_LIST})


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


def dx_invalid(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A diagnosis that is not an ICD-10-CM code."""
    return _dx_in_state("invalid", ctx)


def dx_header(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A diagnosis that is an ICD-10-CM category with subcodes (a header), not a billable code."""
    return _dx_in_state("header", ctx)


def _dx_in_state(wanted: str, ctx: Context) -> Iterator[Hit]:
    for fact, position, code, state in _dx_problems(ctx):
        if state == wanted:
            values = {"dx_code": code.strip().upper(), "position": position}
            yield Hit(fact.position, "diagnoses", values, 1.0)


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


DX_CODE_FIELDS = ("dx_code", "position")
KINDS = (
    Kind("dx_missing", dx_missing, (), DX_MISSING_PARAMS, needs=frozenset({DIAGNOSES})),
    Kind("dx_invalid", dx_invalid, DX_CODE_FIELDS, params_schema()),
    Kind("dx_header", dx_header, DX_CODE_FIELDS, params_schema()),
)
