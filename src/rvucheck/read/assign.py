"""Header matches -> which column holds each field: the best-scoring column per field, numbered families in
number order, and a wide claim layout's per-line slots (HCPCS_CD_1..13 with PRF_PHYSN_NPI_1..13 ...)."""

from __future__ import annotations

from dataclasses import dataclass, field

MULTI_COLUMN_FIELDS = frozenset({"modifiers", "diagnoses"})


@dataclass(frozen=True)
class HeaderMatch:
    field: str
    score: float
    number: int  # orders numbered columns (Modifier 1..4, HCPCS_CD_1..13); 0 when none
    words: tuple[str, ...]  # the header's words, spelled out (the evidence `columns` shows)


@dataclass(frozen=True)
class ColumnSlot:
    """One line of a wide claim row: its code column and its own per-line columns (0-based)."""

    single: dict[str, int]
    multi: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class ColumnMap:
    """Which 0-based column index holds each field (multi-column fields keep all their columns in order).

    `slots`: a wide claim layout's per-line columns (one per HCPCS_CD_k), empty for one line per row;
    `evidence`: field -> why its column was chosen (header words, or its values)."""

    single: dict[str, int]
    multi: dict[str, tuple[int, ...]]
    slots: tuple[ColumnSlot, ...] = ()
    evidence: dict[str, str] = field(default_factory=dict)
    # field -> every column whose header names it, best header first (ties leftmost): the values of the
    # ones whose headers name it equally well decide between them, and may overrule a header (evidence.py)
    ties: dict[str, tuple[tuple[int, float], ...]] = field(default_factory=dict)

    def score(self) -> int:
        fields = {*self.single, *self.multi}
        for slot in self.slots:
            fields.update(slot.single, slot.multi)
        return len(fields)

    def has_code_column(self) -> bool:
        return "hcpcs" in self.single or bool(self.slots)

    def as_mapping(self) -> dict[str, int]:
        """field -> 1-based column as Excel shows it (first column of a multi-column field)."""
        out = {name: index + 1 for name, index in self.single.items()}
        out.update({name: indexes[0] + 1 for name, indexes in self.multi.items()})
        return out

    def columns_of(self) -> dict[str, tuple[int, ...]]:
        """field -> every 1-based column it is read from (a wide layout's slots included)."""
        out: dict[str, list[int]] = {name: [index] for name, index in self.single.items()}
        for name, indexes in self.multi.items():
            out.setdefault(name, []).extend(indexes)
        for slot in self.slots:
            for name, index in slot.single.items():
                out.setdefault(name, []).append(index)
            for name, indexes in slot.multi.items():
                out.setdefault(name, []).extend(indexes)
        return {name: tuple(sorted(set(i + 1 for i in indexes))) for name, indexes in out.items()}


Candidates = dict[str, list[tuple[int, HeaderMatch]]]


def assign(matches: dict[int, HeaderMatch]) -> ColumnMap:
    """column index -> its header's match  =>  the column map."""
    by_field: Candidates = {}
    for index, match in matches.items():
        by_field.setdefault(match.field, []).append((index, match))
    slot_numbers = _wide_code_columns(by_field.get("hcpcs", []))
    if slot_numbers:
        return _wide(by_field, slot_numbers)
    single: dict[str, int] = {}
    multi: dict[str, tuple[int, ...]] = {}
    evidence: dict[str, str] = {}
    ties: dict[str, tuple[tuple[int, float], ...]] = {}
    for name, candidates in by_field.items():
        if name in MULTI_COLUMN_FIELDS:
            ordered = sorted(candidates, key=lambda c: (c[1].number, c[0]))
            multi[name] = tuple(index for index, _m in ordered)
            evidence[name] = f"header words: {' '.join(ordered[0][1].words)}"
        else:
            index, match = max(candidates, key=lambda c: (c[1].score, -c[0]))
            single[name] = index
            evidence[name] = f"header words: {' '.join(match.words)}"
            if len(candidates) > 1:
                ranked = sorted(candidates, key=lambda c: (-c[1].score, c[0]))
                ties[name] = tuple((i, m.score) for i, m in ranked)
    return ColumnMap(single=single, multi=multi, evidence=evidence, ties=ties)


def _wide_code_columns(candidates: list[tuple[int, HeaderMatch]]) -> dict[int, int]:
    """number -> column of the numbered code columns of a wide claim layout (HCPCS_CD_1..13), or {}."""
    if not candidates:
        return {}
    top = max(m.score for _i, m in candidates)
    numbered = {m.number: i for i, m in candidates if m.score == top and m.number}
    unnumbered = [i for i, m in candidates if m.score == top and not m.number]
    return numbered if len(numbered) >= 2 and not unnumbered else {}


def _wide(by_field: Candidates, slot_numbers: dict[int, int]) -> ColumnMap:
    """Per-line columns go to their slot: a field repeated with the slots' numbers (PRF_PHYSN_NPI_k), and
    line-level numbered diagnoses (LINE_ICD9_DGNS_CD_k); the rest (CLM_FROM_DT, ICD9_DGNS_CD_1..8) is the
    claim's, copied to each of its lines."""
    slots = {n: ColumnSlot({"hcpcs": i}, {}) for n, i in sorted(slot_numbers.items())}
    single: dict[str, int] = {}
    multi: dict[str, tuple[int, ...]] = {}
    evidence = {"hcpcs": f"wide claim layout: {len(slots)} numbered code columns, one line per filled one"}
    for name, candidates in by_field.items():
        if name == "hcpcs":
            continue
        per_line = [
            (i, m) for i, m in candidates
            if m.number in slots and (name not in MULTI_COLUMN_FIELDS or "line" in m.words)
        ]  # fmt: skip
        if name not in MULTI_COLUMN_FIELDS and len(per_line) < 2:
            per_line = []
        for index, match in per_line:
            slot = slots[match.number]
            if name in MULTI_COLUMN_FIELDS:
                slot.multi[name] = (*slot.multi.get(name, ()), index)
            else:
                slot.single.setdefault(name, index)
        rest = [(i, m) for i, m in candidates if (i, m) not in per_line]
        if per_line:
            evidence[name] = f"per line: {' '.join(per_line[0][1].words)}"
        if not rest:
            continue
        if name in MULTI_COLUMN_FIELDS:
            multi[name] = tuple(i for i, _m in sorted(rest, key=lambda c: (c[1].number, c[0])))
        else:
            single[name] = max(rest, key=lambda c: (c[1].score, -c[0]))[0]
        evidence.setdefault(name, f"claim level: {' '.join(rest[0][1].words)}")
    return ColumnMap(single=single, multi=multi, slots=tuple(slots.values()), evidence=evidence)
