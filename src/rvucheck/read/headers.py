"""Column headers of real charge exports and claim files -> ChargeLine fields, read as a person reads them.

A header is cut into words and its abbreviations spelled out ("24D CPT/HCPCS", "CLM_LINE_HCPCS_CD",
"PROCEDURECODE", "Pt Acct #"); it names the field whose phrase it holds in full and none of whose `not` words
(vocabulary.toml: the vocabulary is data). Numbered headers ("Mod 2", "ICD9_DGNS_CD_3", CMS-1500 21A..21L)
feed the multi-column fields (modifiers, diagnoses) in their number order; a numbered code column
(HCPCS_CD_1..13) makes a wide claim layout (read/assign.py). Each field takes its best-scoring column.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from rvucheck.errors import InputFileError
from rvucheck.read.assign import MULTI_COLUMN_FIELDS, ColumnMap, ColumnSlot, HeaderMatch, assign

__all__ = ["MULTI_COLUMN_FIELDS", "ColumnMap", "ColumnSlot", "HeaderMatch"]

TIERS = {"item": 40, "best": 30, "good": 20, "weak": 10}
# words that add nothing to what a header names ("CLM_LINE_HCPCS_CD" names the code as "HCPCS" does)
_FILLER = frozenset(
    {"claim", "line", "of", "the", "and", "or", "item", "field", "box", "submitted", "billed"}
)
FIELD_ALIASES = {
    "code": "hcpcs",
    "cpt": "hcpcs",
    "dx": "diagnoses",
    "npi": "provider_npi",
    "mod": "modifiers",
}


def normalize_header(value: object) -> str:
    """'Date of Service:' -> 'date of service'; 'Claim #' -> 'claim'; 'CPT®/HCPCS' -> 'cpt hcpcs'."""
    text = str(value).replace("\xa0", " ").lower()
    text = re.sub(r"[#№]|\bno\.", " ", text)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


@dataclass(frozen=True)
class FieldWords:
    phrases: tuple[tuple[frozenset[str], int], ...]  # (words, score) most specific first
    blocked: tuple[frozenset[str], ...]
    demote: frozenset[str]


def _vocabulary() -> dict[str, Any]:
    text = resources.files("rvucheck.read").joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _load(data: dict[str, Any]) -> tuple[dict[str, tuple[str, ...]], dict[str, FieldWords], frozenset[str]]:
    words = {key: tuple(value.split()) for key, value in data["words"].items()}
    fields: dict[str, FieldWords] = {}
    known = set(data["known"]["words"]) | set(words)
    for name, spec in data["fields"].items():
        phrases = []
        for tier, score in TIERS.items():
            for phrase in spec.get(tier, ()):
                phrase_words = frozenset(phrase.split())
                known.update(phrase_words)
                phrases.append((phrase_words, score + len(phrase_words)))
        blocked = tuple(frozenset(p.split()) for p in spec.get("not", ()))
        known.update(w for b in blocked for w in b)
        fields[name] = FieldWords(
            tuple(sorted(phrases, key=lambda p: -p[1])), blocked, frozenset(spec.get("demote", ()))
        )
    for expansion in words.values():
        known.update(expansion)
    return words, fields, frozenset(w for w in known if not w.isdigit())


_DATA = _vocabulary()
ABBREVIATIONS, FIELDS, _KNOWN = _load(_DATA)
# field -> its phrases as written in vocabulary.toml, strongest tier first
SYNONYMS: dict[str, tuple[str, ...]] = {
    name: tuple(p for tier in TIERS for p in spec.get(tier, ())) for name, spec in _DATA["fields"].items()
}
_ITEM = re.compile(r"^(2[14])([a-l])$")
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")
_CODE_SET_NAMES = {("icd", "9"), ("icd", "10"), ("cpt", "4")}


def _split_run(token: str) -> list[str]:
    """'placeofservice' -> ['place', 'of', 'service'] when the run is made of known words, else [token]."""
    if token in _KNOWN or token in ABBREVIATIONS or len(token) < 5:
        return [token]
    best: list[list[str] | None] = [None] * (len(token) + 1)
    best[0] = []
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 14), end):
            head = best[start]
            piece = token[start:end]
            if head is None or len(piece) < 2 or (piece not in _KNOWN and piece not in ABBREVIATIONS):
                continue
            if best[end] is None or len(head) + 1 < len(best[end] or ()):
                best[end] = [*head, piece]
    return best[-1] or [token]


@lru_cache(maxsize=4096)
def header_words(value: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A header's words, spelled out, and its numbers: 'HCPCS_1_MDFR_CD' -> (hcpcs modifier code), (1,)."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(value).replace("\xa0", " "))
    out: list[str] = []
    numbers: list[int] = []
    previous = ""
    for raw in normalize_header(text).split():
        item = _ITEM.match(raw)
        if item and item.group(1) == "21":  # CMS-1500 item 21A..21L: diagnoses 1..12
            out.append("diagnosis")
            numbers.append(ord(item.group(2)) - ord("a") + 1)
        elif item:
            out.append(raw)
        elif raw.isdigit() or _ORDINAL.match(raw):
            if (previous, raw) not in _CODE_SET_NAMES:  # "ICD 10", "CPT 4" name a code set, not a column
                numbers.append(int(re.sub(r"\D", "", raw)))
        else:
            for part in re.findall(r"[a-z]+|\d+", raw) if raw not in _KNOWN else [raw]:
                if part.isdigit():  # "HCPCS1MDFRCD", "DIAGNOSIS1": a number inside a run of words
                    if (previous, part) not in _CODE_SET_NAMES:
                        numbers.append(int(part))
                    continue
                for piece in _split_run(part):
                    out.extend(ABBREVIATIONS.get(piece, (piece,)))
                previous = part
            continue
        previous = raw
    return tuple(out), tuple(numbers)


@lru_cache(maxsize=4096)
def classify(value: str) -> HeaderMatch | None:
    """The field a header names, with how strongly, or None ('CPT_NUMBER', 'Dx Pointer', 'To' name none)."""
    words, numbers = header_words(value)
    if not words:
        return None
    present = frozenset(words)
    best: HeaderMatch | None = None
    for name, spec in FIELDS.items():
        if any(block <= present for block in spec.blocked):
            continue
        matched = next(((w, s) for w, s in spec.phrases if w <= present), None)
        if matched is None:
            continue
        phrase, points = matched
        score = float(points)
        if present & spec.demote:
            score = min(score, TIERS["weak"] + len(phrase))
        explained = {w for p, _s in spec.phrases for w in p} | _FILLER
        score -= 0.5 * len(present - explained)
        score += 1 if "line" in present else 0  # a line's value over its claim's
        if numbers and name not in MULTI_COLUMN_FIELDS:
            score -= 1  # "procedure_date_3" is less the date of service than "claim_line_start_date"
        if best is None or score > best.score:
            best = HeaderMatch(name, score, numbers[-1] if numbers else 0, words)
    return best


def field_of_header(value: object) -> str | None:
    """The ChargeLine field a header cell names ('CPT/HCPCS' -> 'hcpcs', 'Mod 2' -> 'modifiers'), or None."""
    hit = classify(str(value)) if value not in (None, "") else None
    return hit.field if hit else None


def map_headers(
    cells: Sequence[object],
    overrides: Mapping[str, str | Sequence[str]] | None = None,
    above: Sequence[object] | None = None,
) -> ColumnMap:
    """Map one header row. `above`: the row over it, when it labels groups of columns ("Service" over
    "From | To"). `overrides` (field -> header text) win over the vocabulary."""
    labels = _labels(above, len(cells))
    matches: dict[int, HeaderMatch] = {}
    for index, cell in enumerate(cells):
        text = str(cell).strip() if cell not in (None, "") else ""
        if not text:
            continue
        hit = classify(text)
        if labels[index] and _wordy(cell):
            joined = classify(f"{labels[index]} {text}")
            if joined is not None and (hit is None or joined.score > hit.score):
                hit = joined
        if hit is not None:
            matches[index] = hit
    column_map = assign(matches)
    return _override(column_map, cells, overrides) if overrides else column_map


def _wordy(cell: object) -> bool:
    """A header-like cell (words), not a value that a label above would turn into a header ('99213')."""
    return isinstance(cell, str) and re.fullmatch(r"[A-Za-z][A-Za-z .#/&()-]*", cell.strip()) is not None


def _labels(above: Sequence[object] | None, width: int) -> list[str]:
    """The label over each column, a label running right over blank cells (a merged group header). Only a
    row of several labels counts: one title cell over the table labels nothing."""
    out = [""] * width
    if not above or sum(1 for c in above if isinstance(c, str) and c.strip()) < 2:
        return out
    current = ""
    for index in range(width):
        cell = above[index] if index < len(above) else ""
        if isinstance(cell, str) and cell.strip():
            current = cell.strip()
        elif cell not in (None, ""):
            current = ""
        out[index] = current
    return out


def _override(
    column_map: ColumnMap, cells: Sequence[object], overrides: Mapping[str, str | Sequence[str]]
) -> ColumnMap:
    normalized = [normalize_header(c) if c not in (None, "") else "" for c in cells]
    single, multi = dict(column_map.single), dict(column_map.multi)
    evidence = dict(column_map.evidence)
    for raw_field, wanted in overrides.items():
        name = canonical_field(raw_field)
        names = [wanted] if isinstance(wanted, str) else list(wanted)
        indexes = []
        for header in names:
            target = normalize_header(header)
            if target not in normalized:
                raise KeyError(header)
            indexes.append(normalized.index(target))
        taken = set(indexes)  # a column given to a field by --map is no longer another field's
        single = {f: i for f, i in single.items() if i not in taken}
        multi = {f: c for f, c in ((f, tuple(i for i in c if i not in taken)) for f, c in multi.items()) if c}
        if name in MULTI_COLUMN_FIELDS:
            multi[name] = tuple(indexes)
        else:
            single[name] = indexes[0]
        evidence[name] = "--map / [columns]"
    slots = column_map.slots if "hcpcs" not in overrides else ()
    return ColumnMap(single=single, multi=multi, slots=slots, evidence=evidence)


def canonical_field(name: str) -> str:
    """A field name as the user may type it in --map (case-insensitive, aliases allowed)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = FIELD_ALIASES.get(key, key)
    if key not in FIELDS:
        raise InputFileError(
            f"--map {name}=...: unknown field '{name}'; use one of {', '.join(sorted(FIELDS))}"
        )
    return key


def has_code_column(column_map: ColumnMap) -> bool:
    return column_map.has_code_column()
