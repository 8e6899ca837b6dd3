"""ICD-10-CM Excludes1 pairs: two diagnoses of one line where an Excludes1 note over the one names the other
(`ReferenceData.dx_excludes1`, the notes of the installed tabular update).

Only lines the diagnosis code rules judge are judged: dated lines whose code set in force is ICD-10-CM, and
only their billable codes (an invalid or header code is DX02/DX03's finding, not a pair). One tabular's
notes are installed (the simple-icd-10-cm package's update); lines of another fiscal year are judged by
them too, and the run says so once (`excludes1_notes`, an RD09 note) when a pair was found on such a
line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Set
from typing import Any

from rvucheck.engine.context import Context
from rvucheck.engine.kinds.base import Hit, Kind, params_schema
from rvucheck.engine.kinds.diagnoses import UNCOVERED_DATES_RULE
from rvucheck.model import Finding
from rvucheck.refdata.types import ReferenceData

ICD10 = "ICD-10-CM"
KIND_NAME = "dx_excludes1"


def dx_excludes1(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A line with two billable diagnoses that an Excludes1 note of one of them names the other."""
    ref = ctx.ref
    source = ref.excludes1_source()
    if source is None:
        return
    sets: dict[int, str | None] = {}  # day -> the key of its ICD-10-CM set (None: not judged)
    judged: dict[tuple[tuple[str, ...], str], list[str]] = {}  # (diagnoses, set) -> pairs found
    other_years: list[Any] = []  # [first line, lines, first date, last date] with pairs, of another year
    for fact in ctx.run_facts:
        codes, dos = fact.line.diagnoses, fact.line.dos
        if len(codes) < 2 or dos is None:
            continue
        key = sets.get(fact.day, "")
        if key == "":
            code_set = ref.dx_code_set(dos)
            key = sets[fact.day] = code_set.key if code_set and code_set.system == ICD10 else None
        if key is None:
            continue
        pairs = judged.get((codes, key))
        if pairs is None:
            pairs = judged[(codes, key)] = _pairs(ref, codes, dos)
        if pairs and _fiscal_year(dos) != source[1]:
            if other_years:
                other_years[1:] = [other_years[1] + 1, min(other_years[2], dos), max(other_years[3], dos)]
            else:
                other_years[:] = [fact.line.source, 1, dos, dos]
        if pairs:
            yield Hit(fact.position, "diagnoses", {"pairs": "; ".join(pairs)}, 0.0)
    ctx.memo["excludes1_other_years"] = other_years


def _pairs(ref: ReferenceData, codes: tuple[str, ...], dos: dt.date) -> list[str]:
    """Each pair of the line's billable codes that an Excludes1 note joins, as "E11.9 with E10.9" (the notes
    first: few pairs are joined, so few codes need their state looked up)."""
    written: dict[str, str] = {}  # bare code -> as written (each code once)
    for text in codes:
        code = text.strip().upper()
        if code:
            written.setdefault(code.replace(".", ""), code)
    listed = list(written.items())
    return [
        f"{first} with {second}"
        for at, (a, first) in enumerate(listed)
        for b, second in listed[at + 1 :]
        if (ref.dx_excludes1(a, b) or ref.dx_excludes1(b, a))
        and ref.dx_state(first, dos) == "billable"
        and ref.dx_state(second, dos) == "billable"
    ]


def _fiscal_year(on: dt.date) -> int:
    return on.year + 1 if on.month >= 10 else on.year


def excludes1_notes(ctx: Context, kinds: Set[str]) -> list[Finding]:
    """One run-level note (RD09, info) when DX08 found pairs on lines of another fiscal year than the
    installed notes' (their own year's tabular is not installed)."""
    other_years: list[Any] = ctx.memo.get("excludes1_other_years", [])
    source = ctx.ref.excludes1_source()
    if KIND_NAME not in kinds or not other_years or source is None:
        return []
    name, fiscal_year = source
    first, count, low, high = other_years
    lines = f"{count:,} line{'s' if count != 1 else ''}"
    span = f"{low}" if low == high else f"{low} to {high}"
    return [
        Finding(
            UNCOVERED_DATES_RULE,
            "info",
            f"Excludes1 pairs (DX08) on {lines} dated {span} were found by the FY{fiscal_year} notes of "
            f"{name}, the only ones installed: their own fiscal year's notes may differ",
            first,
            fix="Nothing to do for most pairs (Excludes1 notes change little from year to year); a newer "
            "simple-icd-10-cm release brings a newer tabular (rvucheck data install stores it).",
        )
    ]


KINDS = (Kind(KIND_NAME, dx_excludes1, ("pairs",), params_schema()),)
