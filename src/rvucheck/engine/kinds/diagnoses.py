"""Diagnosis kinds: missing codes, codes not in the code set in force on the line's date, category headers,
and codes of the other ICD system (ICD-9 after 2015-10-01, ICD-10 before).

The code set in force comes from the reference data (`ReferenceData.dx_code_set`): the ICD-10-CM update of
the date's fiscal year (from October 1), ICD-9-CM before 2015-10-01; the newest installed set stands in for
the fiscal year after it. Lines without a date and lines whose date no installed set covers are not judged (a
code cannot be judged by a set not known to be in force: MIMIC's undated lines carry ICD-9 codes); the run
says so once (`code_set_notes`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence, Set
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import CODE_LIST, Hit, Kind, params_schema
from rvucheck.model import Finding
from rvucheck.refdata.types import DxCodeSet, ReferenceData

UNCOVERED_DATES_RULE = "RD09"  # a run-level data note, like RD02 (NCCI data older than the dates)
DX_MISSING_PARAMS = params_schema({"exempt_codes": CODE_LIST})
SYSTEMS = ("ICD-9-CM", "ICD-10-CM")
DX_OTHER_PARAMS = params_schema(
    {"found": {"enum": list(SYSTEMS), "description": "the system of the codes this rule reports"}},
    required=("found",),
)

Problem = tuple[LineFacts, int, str, str, DxCodeSet]  # line, position, code as written, state, set in force


def dx_missing(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A line without any diagnosis code."""
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
    """A diagnosis that is not a code of the code set in force on the line's date."""
    return _dx_in_state("invalid", ctx)


def dx_header(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A diagnosis that is a category with subcodes (a header) in the code set in force: not billable."""
    return _dx_in_state("header", ctx)


def dx_other_system(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A diagnosis of the other ICD system than the one in force on the line's date."""
    found = params["found"]
    for hit, code_set in _hits("other", ctx):
        if code_set.system != found:  # an ICD-9 code is "other" under an ICD-10-CM set
            yield hit


def _dx_in_state(wanted: str, ctx: Context) -> Iterator[Hit]:
    for hit, _code_set in _hits(wanted, ctx):
        yield hit


def _hits(wanted: str, ctx: Context) -> Iterator[tuple[Hit, DxCodeSet]]:
    for fact, position, code, state, code_set in _dx_problems(ctx):
        if state == wanted:
            values = {
                "dx_code": code.strip().upper(),
                "position": position,
                "code_set": code_set.name,
                "dos_year": fact.line.dos.year if fact.line.dos else "?",
            }
            yield Hit(fact.position, "diagnoses", values, 1.0), code_set


def _dx_problems(ctx: Context) -> list[Problem]:
    """Every non-billable diagnosis of the run (computed once for the DX rules). Lines share a few hundred
    distinct diagnosis tuples and a month a few code sets, so each (tuple, code set) is judged once."""
    if "dx_problems" not in ctx.memo:
        ref = ctx.ref
        sets: dict[dt.date | None, DxCodeSet | None] = {}
        judged: dict[tuple[tuple[str, ...], str], list[tuple[int, str, str]]] = {}
        found: list[Problem] = []
        for fact in ctx.run_facts:
            codes = fact.line.diagnoses
            if not codes:
                continue
            dos = fact.line.dos
            if dos is None:
                continue  # no date, no code set known to be in force: not judged (code_set_notes says so)
            code_set = sets[dos] if dos in sets else sets.setdefault(dos, ref.dx_code_set(dos))
            if code_set is None:
                continue  # no installed set covers the date: not judged (code_set_notes says so once)
            problems = judged.get((codes, code_set.key))
            if problems is None:
                problems = judged[codes, code_set.key] = [
                    (position, code, state)
                    for position, code in enumerate(codes, start=1)
                    if code.strip() and (state := ref.dx_state(code, dos)) != "billable"
                ]
            found += [(fact, *problem, code_set) for problem in problems]
        ctx.memo["dx_problems"] = found
    every: list[Problem] = ctx.memo["dx_problems"]
    return every


def code_set_notes(facts: Sequence[LineFacts], ref: ReferenceData, kinds: Set[str]) -> list[Finding]:
    """One run-level note when the run judges diagnosis codes (one of `kinds` is a code-set kind) and lines
    with diagnoses are undated, have dates no installed code set covers, or were judged by a stand-in set."""
    if not kinds & CODE_SET_KINDS:
        return []
    sets: dict[dt.date | None, DxCodeSet | None] = {None: None}
    undated: list[LineFacts] = []
    uncovered: list[LineFacts] = []
    stand_ins: dict[tuple[str, str], list[LineFacts]] = {}
    for fact in facts:
        dos = fact.line.dos
        if dos not in sets:
            sets[dos] = ref.dx_code_set(dos)
        code_set = sets[dos]
        if code_set is not None and not code_set.stand_in:
            continue
        if not any(code.strip() for code in fact.line.diagnoses):
            continue
        if code_set is not None:
            stand_ins.setdefault((code_set.name, code_set.stand_in), []).append(fact)
        else:
            (uncovered if dos else undated).append(fact)
    parts = [
        f"diagnosis codes on {_lines(group)} {_dated(group)} were judged by {name}, the newest installed: "
        f"the {stand_in} ICD-10-CM code set is not installed"
        for (name, stand_in), group in stand_ins.items()
    ]
    unjudged = [f"{_lines(undated)} without a date of service"] if undated else []
    if uncovered:
        unjudged.append(f"{_lines(uncovered)} {_dated(uncovered)}, which no installed ICD code set covers")
    if unjudged:
        parts.append(
            f"diagnosis codes not checked on {' and '.join(unjudged)} (a code is judged by the code set in "
            "force on its date: ICD-10-CM by fiscal year from October 1, ICD-9-CM before 2015-10-01)"
        )
    if not parts:
        return []
    first = min(fact for group in (undated, uncovered, *stand_ins.values()) for fact in group[:1])
    return [
        Finding(
            UNCOVERED_DATES_RULE,
            "warning",
            "; ".join(parts),
            first.line.source,  # the first such line in the file
            fix="Install CMS's ICD-10-CM code files of the fiscal years missing (rvucheck data install "
            "--from ZIP; `rvucheck data status` lists the code sets); map the date column (--map dos=...).",
        )
    ]


def _dated(facts: Sequence[LineFacts]) -> str:
    dates = sorted({fact.line.dos for fact in facts if fact.line.dos})
    return f"dated {dates[0]}" if len(dates) == 1 else f"dated {dates[0]} to {dates[-1]}"


def _lines(facts: Sequence[LineFacts]) -> str:
    return f"{len(facts):,} line{'s' if len(facts) != 1 else ''}"


DX_CODE_FIELDS = ("dx_code", "position", "code_set", "dos_year")
CODE_SET_KINDS = frozenset({"dx_invalid", "dx_header", "dx_other_system"})
KINDS = (
    Kind("dx_missing", dx_missing, (), DX_MISSING_PARAMS),
    Kind("dx_invalid", dx_invalid, DX_CODE_FIELDS, params_schema()),
    Kind("dx_header", dx_header, DX_CODE_FIELDS, params_schema()),
    Kind("dx_other_system", dx_other_system, DX_CODE_FIELDS, DX_OTHER_PARAMS),
)
