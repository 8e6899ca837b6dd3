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
from typing import Any, Literal

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import CODE_LIST, Hit, Kind, params_schema
from rvucheck.engine.linking import DIAGNOSES
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
Judged = dict[
    tuple[str, ...], list[tuple[int, str, str]]
]  # dx tuple -> its (position, code, state) not billable
Entry = tuple[DxCodeSet, Judged] | Literal[False]


def dx_missing(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A line without any diagnosis code."""
    exempt = frozenset(params.get("exempt_codes", ()))
    for codes, facts in ctx.run_by_diagnoses.items():  # a few hundred distinct diagnosis tuples
        if any(d.strip() for d in codes):
            continue
        for fact in facts:
            if fact.code not in exempt:
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
    distinct diagnosis tuples and a month a few code sets, so each (tuple, code set) is judged once: per line,
    two dictionary hits (its date's set, its tuple in that set). Lines not judged, or judged by a stand-in
    set, are kept for `code_set_notes`."""
    if "dx_problems" not in ctx.memo:
        ref = ctx.ref
        tables: dict[str, Judged] = {}
        by_day: dict[int, Entry] = {-1: False}  # LineFacts.day: the date's ordinal (-1 undated), a cheap key
        has_codes: dict[tuple[str, ...], bool] = {}
        found: list[Problem] = []
        aside: dict[int, list[Any]] = {}  # day -> [first line, lines]: not judged, or by a stand-in set
        for fact in ctx.run_facts:
            codes = fact.line.diagnoses
            if not codes:
                continue
            entry = by_day.get(fact.day)
            if entry is None:
                entry = by_day[fact.day] = _entry(ref, fact.line.dos, tables)
            if not entry or entry[0].stand_in:
                noted = has_codes.get(codes)
                if noted is None:
                    noted = has_codes[codes] = any(code.strip() for code in codes)
                if noted:
                    tally = aside.get(fact.day)
                    if tally is None:
                        aside[fact.day] = [fact, 1]
                    else:
                        tally[1] += 1
                if not entry:
                    continue  # undated, or no installed set covers the date: not judged
            code_set, table = entry
            problems = table.get(codes)
            if problems is None:
                problems = table[codes] = [
                    (position, code, state)
                    for position, code in enumerate(codes, start=1)
                    if code.strip() and (state := ref.dx_state(code, fact.line.dos)) != "billable"
                ]
            if problems:
                found += [(fact, *problem, code_set) for problem in problems]
        ctx.memo.update(dx_problems=found, dx_aside=aside, dx_sets_by_day=by_day)
    every: list[Problem] = ctx.memo["dx_problems"]
    return every


def _entry(ref: ReferenceData, dos: dt.date | None, tables: dict[str, Judged]) -> Entry:
    """The code set of a date and the judged tuples of that set (shared by all its dates); False when the
    date has no set."""
    code_set = ref.dx_code_set(dos) if dos else None
    return (code_set, tables.setdefault(code_set.key, {})) if code_set else False


def code_set_notes(ctx: Context, kinds: Set[str]) -> list[Finding]:
    """One run-level note when the run judges diagnosis codes (one of `kinds` is a code-set kind) and lines
    with diagnoses are undated, have dates no installed code set covers, or were judged by a stand-in set."""
    if not kinds & CODE_SET_KINDS:
        return []
    _dx_problems(ctx)
    by_day: dict[int, Entry] = ctx.memo["dx_sets_by_day"]
    groups: dict[tuple[str, str], list[tuple[LineFacts, int]]] = {}  # (set name, stand-in FY) or unjudged
    for first, count in ctx.memo["dx_aside"].values():
        entry = by_day[first.day]
        kind = (entry[0].name, entry[0].stand_in) if entry else ("", "undated" if first.day < 0 else "")
        groups.setdefault(kind, []).append((first, count))
    parts = [
        f"diagnosis codes on {_lines(group)} {_dated(group)} were judged by {name}, the newest installed: "
        f"the {stand_in} ICD-10-CM code set is not installed"
        for (name, stand_in), group in groups.items()
        if name
    ]
    undated, uncovered = groups.get(("", "undated"), []), groups.get(("", ""), [])
    missing = [f"{_lines(undated)} without a date of service"] if undated else []
    if uncovered:
        missing.append(f"{_lines(uncovered)} {_dated(uncovered)}, which no installed code set covers")
    if missing:
        parts.append(
            f"diagnosis codes not checked on {' and '.join(missing)} (a code is judged by the code set in "
            "force on its date: ICD-10-CM by fiscal year from October 1, ICD-9-CM before 2015-10-01)"
        )
    if not parts:
        return []
    first = min(fact for group in groups.values() for fact, _count in group)
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


def _dated(days: Sequence[tuple[LineFacts, int]]) -> str:
    dates = sorted(fact.line.dos for fact, _count in days if fact.line.dos)
    return f"dated {dates[0]}" if len(dates) == 1 else f"dated {dates[0]} to {dates[-1]}"


def _lines(days: Sequence[tuple[LineFacts, int]]) -> str:
    lines = sum(count for _fact, count in days)
    return f"{lines:,} line{'s' if lines != 1 else ''}"


DX_CODE_FIELDS = ("dx_code", "position", "code_set", "dos_year")
CODE_SET_KINDS = frozenset({"dx_invalid", "dx_header", "dx_other_system"})
KINDS = (
    Kind("dx_missing", dx_missing, (), DX_MISSING_PARAMS, needs=frozenset({DIAGNOSES})),
    Kind("dx_invalid", dx_invalid, DX_CODE_FIELDS, params_schema()),
    Kind("dx_header", dx_header, DX_CODE_FIELDS, params_schema()),
    Kind("dx_other_system", dx_other_system, DX_CODE_FIELDS, DX_OTHER_PARAMS),
)
