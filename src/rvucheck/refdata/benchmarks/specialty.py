"""Medicare specialty codes: the CMS Provider and Supplier Taxonomy Crosswalk and the one-row-per-code list.

Two files, known by their header:
- `Medicare_Provider_and_Supplier_Taxonomy_Crosswalk_<Month>_<Year>.csv`: MEDICARE SPECIALTY CODE, MEDICARE
  PROVIDER/SUPPLIER TYPE DESCRIPTION, PROVIDER TAXONOMY CODE, PROVIDER TAXONOMY DESCRIPTION (one row per
  code x taxonomy; footnote markers such as `87[3]`, trailing spaces, one taxonomy cell spread over lines);
- `medicare_specialty_codes.csv` (specialty_code, description): one row per code.

Names are derived from the crosswalk the same way the one-per-code list was made (footnotes stripped, distinct
descriptions joined with " | ", and a description that is another code's own name dropped: CMS lists taxonomy
207WX0108X, Physician/Ophthalmology, under 19 as well as 18).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

CROSSWALK_HEADER = [
    "medicare specialty code",
    "medicare provider/supplier type description",
    "provider taxonomy code",
]
CODES_HEADER = ["specialty_code", "description"]
_FOOTNOTE = re.compile(r"\[\d+\]")
# PUF provider types and everyday names that differ from the crosswalk wording
ALIASES = {
    "family medicine": "08",
    "clinical psychologist": "68",
    "cardiology": "06",
    "critical care": "81",
    "intensivist": "81",
    "oral surgery": "19",
    "pediatrics": "37",
    "obgyn": "16",
    "ob gyn": "16",
}


def clean(text: str) -> str:
    return " ".join(_FOOTNOTE.sub("", text).split())


def name_key(text: str) -> str:
    """Comparable form of a specialty name: lower case, no "Physician/" prefix, punctuation as spaces."""
    text = _FOOTNOTE.sub("", text).lower().replace("physician/", " ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def is_crosswalk(header: list[str]) -> bool:
    return header[:3] == CROSSWALK_HEADER


def is_codes_list(header: list[str]) -> bool:
    return header[:2] == CODES_HEADER


def read_crosswalk(path: Path) -> list[tuple[str, str, str, str]]:
    """(specialty code, provider type description, taxonomy code, taxonomy description), cleaned."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            cells = [*cells, "", "", "", ""][:4]
            code = clean(cells[0])
            if not code:
                continue
            rows.append((code, clean(cells[1]), clean(cells[2]), clean(cells[3])))
    return rows


def read_codes_list(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return {clean(cells[0]): cells[1].strip() for cells in reader if cells and cells[0].strip()}


def names_from_crosswalk(rows: Iterable[tuple[str, str, str, str]]) -> dict[str, str]:
    descriptions: dict[str, list[str]] = {}
    for code, description, _, _ in rows:
        found = descriptions.setdefault(code, [])
        if description and description not in found:
            found.append(description)
    sole_names = {names[0]: code for code, names in descriptions.items() if len(names) == 1}
    out = {}
    for code, names in descriptions.items():
        kept = [n for n in names if len(names) == 1 or sole_names.get(n, code) == code]
        out[code] = " | ".join(kept)
    return out


def name_index(names: dict[str, str]) -> dict[str, str]:
    """Name key -> specialty code, for every description of every code and the parts of "X (Y)" names.
    When two codes share a name (62 and 68, "Psychologist, Clinical") the lower code wins."""
    index: dict[str, str] = {}
    for code in sorted(names, reverse=True):  # lower codes are written last, so they win
        for name in names[code].split(" | "):
            keys = {name_key(name)}
            if match := re.match(r"(.*)\((.*)\)\s*$", name):
                keys |= {name_key(match[1]), name_key(match[2])}
            for key in keys:
                if key:
                    index[key] = code
    for alias, code in ALIASES.items():
        if code in names:
            index.setdefault(alias, code)
    return index
