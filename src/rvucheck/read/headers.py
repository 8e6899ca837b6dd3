"""Column headers of real charge exports -> ChargeLine fields.

Practice-management systems name the same column many ways ("CPT", "Proc Code", "CPT/HCPCS", "Modifier 2",
"Dx 1", "ICD-10 Code 3"). Headers are compared case- and punctuation-insensitively; numbered headers
("Mod 2", "DX3") feed the multi-column fields (modifiers, diagnoses) in their number order.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from rvucheck.errors import InputFileError


def normalize_header(value: object) -> str:
    """'Date of Service:' -> 'date of service'; 'Claim #' -> 'claim'; 'CPT®/HCPCS' -> 'cpt hcpcs'."""
    text = str(value).replace("\xa0", " ").lower()
    text = re.sub(r"[#№]|\bno\.", " ", text)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def _load_synonyms() -> dict[str, tuple[str, ...]]:
    """field -> header synonyms from headers.toml: the vocabulary is data, shared with RVU_CHECK_RANGE's
    header row detection, and a practice's odd header is a one-line edit there."""
    text = resources.files("rvucheck.read").joinpath("headers.toml").read_text(encoding="utf-8")
    return {field: tuple(normalize_header(n) for n in names) for field, names in tomllib.loads(text).items()}


# field -> synonyms, most specific first (a lower index wins when two columns claim the same field).
SYNONYMS: dict[str, tuple[str, ...]] = _load_synonyms()
MULTI_COLUMN_FIELDS = frozenset({"modifiers", "diagnoses"})
FIELD_ALIASES = {
    "code": "hcpcs",
    "cpt": "hcpcs",
    "dx": "diagnoses",
    "npi": "provider_npi",
    "mod": "modifiers",
}

_LOOKUP: dict[str, tuple[str, int]] = {}
for _field, _names in SYNONYMS.items():
    for _rank, _name in enumerate(_names):
        _LOOKUP.setdefault(_name, (_field, _rank))
_NUMBERED = re.compile(r"^(.*?)\s*(\d{1,2})$")


def field_of_header(value: object) -> str | None:
    """The ChargeLine field a header cell names ('CPT/HCPCS' -> 'hcpcs', 'Mod 2' -> 'modifiers'), or None."""
    hit = _classify(normalize_header(value))
    return hit[0] if hit else None


def _classify(header: str) -> tuple[str, int, int] | None:
    """(field, rank, number) for a normalised header, or None. `number` orders Modifier 1..4, Dx1..12."""
    if not header:
        return None
    if header in _LOOKUP:
        field, rank = _LOOKUP[header]
        return field, rank, 0
    numbered = _NUMBERED.match(header)
    if numbered and numbered.group(1):
        base = numbered.group(1).strip()
        # "cpt4" is a code set name, not the 4th CPT column
        if base in _LOOKUP and _LOOKUP[base][0] in MULTI_COLUMN_FIELDS:
            field, rank = _LOOKUP[base]
            return field, rank, int(numbered.group(2))
    return None


@dataclass(frozen=True)
class ColumnMap:
    """Which 0-based column index holds each field (multi-column fields keep all their columns in order)."""

    single: dict[str, int]
    multi: dict[str, tuple[int, ...]]

    def score(self) -> int:
        return len(self.single) + len(self.multi)

    def as_mapping(self) -> dict[str, int]:
        """field -> 1-based column as Excel shows it (first column of a multi-column field)."""
        out = {field: index + 1 for field, index in self.single.items()}
        out.update({field: indexes[0] + 1 for field, indexes in self.multi.items()})
        return out


def map_headers(
    cells: Sequence[object], overrides: Mapping[str, str | Sequence[str]] | None = None
) -> ColumnMap:
    """Map one header row. `overrides` (field -> header text) win over the synonyms."""
    normalized = [normalize_header(c) if c not in (None, "") else "" for c in cells]
    best: dict[str, tuple[int, int]] = {}
    multi: dict[str, list[tuple[int, int, int]]] = {}
    for index, header in enumerate(normalized):
        hit = _classify(header)
        if hit is None:
            continue
        field, rank, number = hit
        if field in MULTI_COLUMN_FIELDS:
            multi.setdefault(field, []).append((rank, number, index))
        elif field not in best or rank < best[field][0]:
            best[field] = (rank, index)
    single = {field: index for field, (_rank, index) in best.items()}
    multi_cols = {}
    for field, hits in multi.items():
        # an un-numbered column ("Mod") first, then Modifier 1, 2, ... in their number order
        multi_cols[field] = tuple(index for _r, _n, index in sorted(hits, key=lambda h: (h[1], h[2])))
    for raw_field, wanted in (overrides or {}).items():
        field = canonical_field(raw_field)
        names = [wanted] if isinstance(wanted, str) else list(wanted)
        indexes = []
        for name in names:
            target = normalize_header(name)
            if target not in normalized:
                raise KeyError(name)
            indexes.append(normalized.index(target))
        if field in MULTI_COLUMN_FIELDS:
            multi_cols[field] = tuple(indexes)
        else:
            single[field] = indexes[0]
    return ColumnMap(single=single, multi=multi_cols)


def canonical_field(name: str) -> str:
    """A field name as the user may type it in --map (case-insensitive, aliases allowed)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = FIELD_ALIASES.get(key, key)
    if key not in SYNONYMS:
        raise InputFileError(
            f"--map {name}=...: unknown field '{name}'; use one of {', '.join(sorted(SYNONYMS))}"
        )
    return key


def has_code_column(column_map: ColumnMap) -> bool:
    return "hcpcs" in column_map.single
