"""How a code's work RVU compares with the other codes of its CPT category.

Definition (chosen so that it reproduces the reference figures for 20983 in RVU26C: 44th percentile among
Surgery codes, median 8.00, highest 106.19):
- members: the rows of the same release with a blank modifier (one row per code, the global service;
  26/TC/53 rows would count a code twice) and a work RVU above zero (codes that carry physician work; a
  code with no work, e.g. a supply, has no place in a work ranking), whatever their status code;
- percentile: the share of members with a lower work RVU, rounded to a whole number (20983: 2,509 of
  5,734 = 43.8 -> 44);
- median: the middle member's work RVU (the upper middle one when the count is even, so the figure is a
  real code's value: 8.00 for Surgery, where the two middle values are 7.99 and 8.00);
- max: the highest work RVU in the category.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from rvucheck.refdata.types import CategoryStats, RvuRow

# (name, first, last) for the numeric CPT Category I ranges.
NUMERIC_RANGES: tuple[tuple[str, int, int], ...] = (
    ("Anesthesia", 100, 1999),
    ("Surgery", 10004, 69990),
    ("Radiology", 70010, 79999),
    ("Pathology and Laboratory", 80047, 89398),
    ("Medicine", 90281, 99199),
    ("Evaluation and Management", 99202, 99499),
    ("Medicine", 99500, 99607),
)


def category_of(hcpcs: str) -> str:
    code = hcpcs.strip().upper()
    if len(code) != 5:
        return "Other"
    if code[0].isalpha():
        return "HCPCS Level II"
    if code[4] == "F":
        return "Category II"
    if code[4] == "T":
        return "Category III"
    if code[4] in "UM":  # PLA (####U) and MAAA (####M) codes sit in the Pathology and Laboratory section
        return "Pathology and Laboratory"
    if not code.isdigit():
        return "Other"
    number = int(code)
    for name, first, last in NUMERIC_RANGES:
        if first <= number <= last:
            return name
    return "Other"


# The members: one row per code (blank modifier) with physician work.
MEMBERS_SQL = "SELECT hcpcs, work_rvu FROM rvu WHERE modifier = '' AND work_rvu > 0"


def category_values(members: Iterable[tuple[str, float]]) -> dict[str, list[float]]:
    """Sorted work RVUs of each category's members ((hcpcs, work RVU) pairs from MEMBERS_SQL)."""
    by_category: dict[str, list[float]] = {}
    for hcpcs, work in members:
        by_category.setdefault(category_of(hcpcs), []).append(work)
    for values in by_category.values():
        values.sort()
    return by_category


def category_stats(by_category: dict[str, list[float]], row: RvuRow) -> CategoryStats | None:
    """`by_category`: `category_values()` of the row's release."""
    name = category_of(row.hcpcs)
    values = by_category.get(name)
    if not values:
        return None
    lower = bisect.bisect_left(values, row.work_rvu)
    percentile = round(100 * lower / len(values))
    median = values[len(values) // 2]
    return CategoryStats(name=name, percentile=percentile, median=median, max=values[-1], count=len(values))
