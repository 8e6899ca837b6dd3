"""Cell values as evidence of what a column holds: HCPCS-shaped codes, dates, Luhn-valid NPIs, ICD-shaped
codes. Used to find the code column when no header names it (the mapping then says "found by its values").
Reads a sample (the first rows under the header), never the whole sheet: header matching runs once per sheet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rvucheck.read.assign import ColumnMap
from rvucheck.read.cells import BadValue, clean_text, parse_date

SAMPLE_ROWS = 200
MIN_VALUES = 2  # fewer filled cells than this say nothing
MIN_SHARE = 0.8
_HCPCS = re.compile(r"^(\d{5}|\d{4}[FTUM]|[A-CEGHJ-MP-V]\d{4})$")
_ICD = re.compile(r"^([A-TV-Z]\d[0-9A-Z]\.?[0-9A-Z]{0,4}|V\d{2}\.?\d{0,2}|E\d{3}\.?\d?|\d{3}\.?\d{0,2})$")


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value).upper()


def is_hcpcs(value: object) -> bool:
    text = _text(value)
    return bool(_HCPCS.match(text[:5])) and (len(text) == 5 or text[5] in " -")


def is_npi(value: object) -> bool:
    """Ten digits passing the NPI check digit (Luhn over the 80840 prefix)."""
    text = _text(value)
    if len(text) != 10 or not text.isdigit():
        return False
    digits = [int(d) for d in "80840" + text]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def is_icd(value: object) -> bool:
    return bool(_ICD.match(_text(value)))


def is_date(value: object) -> bool:
    try:
        return parse_date(value) is not None
    except BadValue:
        return False


TESTS = {"hcpcs": is_hcpcs, "dos": is_date, "provider_npi": is_npi, "diagnoses": is_icd}


def share(rows: Sequence[Sequence[object]], column: int, test: str) -> tuple[float, int]:
    """(share of the filled sample cells of `column` that pass `test`, how many were filled)."""
    values = [
        row[column] for row in rows[:SAMPLE_ROWS] if column < len(row) and row[column] not in (None, "")
    ]
    if not values:
        return 0.0, 0
    return sum(1 for v in values if TESTS[test](v)) / len(values), len(values)


def find_code_column(
    rows: Sequence[Sequence[object]], column_map: ColumnMap, width: int
) -> tuple[int, str] | None:
    """The column whose sampled values are HCPCS codes, among the columns no header claimed; with the
    evidence text. Five-digit ICD-9 codes and ZIP codes look like CPT codes too: ties go to the leftmost."""
    taken = set(column_map.single.values()) | {i for cols in column_map.multi.values() for i in cols}
    best: tuple[float, int, int] | None = None
    for column in range(width):
        if column in taken:
            continue
        fraction, filled = share(rows, column, "hcpcs")
        if filled >= MIN_VALUES and fraction >= MIN_SHARE and (best is None or fraction > best[0]):
            best = (fraction, column, filled)
    if best is None:
        return None
    return best[1], f"found by its values: {best[0]:.0%} of {best[2]} sampled cells are HCPCS-shaped codes"


def settle_ties(rows: Sequence[Sequence[object]], column_map: ColumnMap) -> ColumnMap:
    """Columns whose headers name a field (two "Date" columns; a "CPT" column of descriptions beside a "Code"
    column of codes): between equal headers, the one whose sampled values fit (dates, HCPCS codes, NPIs)
    wins, leftmost on equal shares; a header whose values do not fit at all gives way to a weaker header
    whose values do."""
    single, evidence = dict(column_map.single), dict(column_map.evidence)
    for name, ranked in column_map.ties.items():
        if name not in TESTS or single.get(name) != ranked[0][0]:
            continue
        fits = {column: share(rows, column, name) for column, _score in ranked}
        top = ranked[0][1]
        equal = [column for column, score in ranked if score == top]
        chosen = max(equal, key=lambda c: (fits[c][0], -c))
        note = f"{evidence[name]}; chosen over an equal header by its values"
        if fits[chosen][1] >= MIN_VALUES and fits[chosen][0] < 0.2:  # its values are not this field's
            fitting = [c for c, _s in ranked if fits[c][1] >= MIN_VALUES and fits[c][0] >= MIN_SHARE]
            if fitting:
                note = (
                    f"found by its values over column {chosen + 1}, whose header names it but not its values"
                )
                chosen = fitting[0]
        if chosen != ranked[0][0]:
            single[name] = chosen
            evidence[name] = f"{note} ({fits[chosen][0]:.0%} fit)"
    return replace(column_map, single=single, evidence=evidence, ties={})
