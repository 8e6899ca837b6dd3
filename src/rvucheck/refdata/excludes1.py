"""ICD-10-CM Excludes1 notes as code ranges, kind "icd10cm_excludes1", one dataset per tabular update.

The notes come from the tabular that the simple-icd-10-cm package ships (`icd10c-tabular-<Month>-<year>.xml`,
the same update as the package's code set in icd10cm.py). The package gives each note as text, e.g. "type 1
diabetes mellitus (E10.-)" or "hypertensive disease complicating pregnancy ... (O10-O11, O13-O16)"; they are
parsed once, at install time, into (holder, target) ranges of bare codes (no dot):

- the holder is the code, block or chapter that carries the note: a note applies to every code under it
  (E11's note to E11.9; block J40-J47's to J45.909; a chapter's to all its blocks);
- each target is a code, category with its subcodes ("E10.-" -> E10), or range ("O10-O11"), read from the
  parentheses (or a code ending a note without them). A part with words beside the codes ("E08-E13 with
  ketoacidosis", "-99 with final characters") is not kept: it names only some of those codes, which cannot
  be told from the codes alone.

`Excludes1.excludes(a, b)`: whether an Excludes1 note of a (or of a code, block or chapter above a) names b.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
import sqlite3
from collections.abc import Iterable, Iterator
from functools import lru_cache

from rvucheck.refdata.icd10cm import ensure_package_dataset, package_code_set_id
from rvucheck.refdata.store import DatasetInfo, Store

KIND = "icd10cm_excludes1"
Range = tuple[str, str]  # (low, high) bare-code prefixes, inclusive: E10-E10 is E10 and all its subcodes

_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_SINGLE = re.compile(rf"({_CODE})\.?-?")
_SPAN = re.compile(rf"({_CODE})\.?-?-({_CODE})\.?-?")
_GROUP = re.compile(r"\(([^()]*)\)")
_TRAILING = re.compile(rf"\s({_CODE}(?:\.?-)?(?:-{_CODE}(?:\.?-)?)?)$")


def bare(code: str) -> str:
    return code.strip().upper().replace(".", "")


def parse_note(note: str) -> list[Range]:
    """The code ranges one Excludes1 note names: each comma-separated part of its parentheses that is only a
    code or a range (a code ending a note without parentheses counts too)."""
    groups = _GROUP.findall(note)
    if not groups:
        found = _TRAILING.search(note)
        groups = [found.group(1)] if found else []
    ranges: list[Range] = []
    for group in groups:
        for part in (p.strip() for p in group.split(",")):
            if span := _SPAN.fullmatch(part):
                ranges.append((bare(span.group(1)), bare(span.group(2))))
            elif single := _SINGLE.fullmatch(part):
                ranges.append((bare(single.group(1)),) * 2)
    return ranges


def within(code: str, span: Range) -> bool:
    """Whether a bare code falls in a range of bare-code prefixes (O10-O11 holds O10.02 and O11.4)."""
    low, high = span
    return code[: len(low)] >= low and code[: len(high)] <= high


def notes_of_package() -> Iterator[tuple[Range, Range]]:
    """(holder, target) for every Excludes1 target of the package's tabular (parses the XML: slow)."""
    import simple_icd_10_cm as icd

    seen: set[tuple[Range, Range]] = set()
    for item in icd.get_all_codes(with_dots=True):
        if icd.is_chapter(item):
            blocks = icd.get_children(item)
            holder = (_block_range(blocks[0])[0], _block_range(blocks[-1])[1])
        else:  # a block named like its one category (B20) holds the same codes: take both's notes
            holder = _block_range(item) if icd.is_block(item) else (bare(item),) * 2
        notes = {*icd.get_excludes1(item, prioritize_blocks=True), *icd.get_excludes1(item)}
        for note in sorted(notes):
            for target in parse_note(note):
                pair = (holder, target)
                if pair not in seen and not within(target[0], holder):  # a note on its own subdivision
                    seen.add(pair)
                    yield pair


def _block_range(block: str) -> Range:
    low, _, high = block.partition("-")
    return bare(low), bare(high or low)


def install_excludes1(store: Store, notes: Iterable[tuple[Range, Range]] | None = None) -> DatasetInfo:
    """Write the package's Excludes1 notes into the store (replaces an earlier install of the same update)."""
    dataset_id, starts = package_code_set_id()
    ends = None
    if starts:  # an update is in force until the next (October 1 and April 1)
        ends = dt.date(starts.year, 9, 30) if starts.month < 10 else dt.date(starts.year + 1, 3, 31)
    rows = sorted({(*holder, *target) for holder, target in (notes_of_package() if notes is None else notes)})
    version = importlib.metadata.version("simple-icd-10-cm")
    info = DatasetInfo(
        kind=KIND,
        dataset_id=dataset_id,
        year=starts.year if starts else None,
        quarter=None,
        effective_from=starts,
        effective_to=ends,
        label=f"ICD-10-CM Excludes1 notes {dataset_id} ({len(rows):,} ranges, simple-icd-10-cm {version})",
        contents=("EXCLUDES1",),
        sources=({"file": "simple-icd-10-cm package tabular", "sha256": "", "role": "EXCLUDES1"},),
        meta={"package_version": version},
        installed_at="",
    )
    with store.writing(info) as con:
        con.execute(
            "CREATE TABLE excludes1 (holder_low TEXT NOT NULL, holder_high TEXT NOT NULL, "
            "target_low TEXT NOT NULL, target_high TEXT NOT NULL)"
        )
        con.executemany("INSERT INTO excludes1 VALUES (?, ?, ?, ?)", rows)
    return info


def ensure_excludes1(store: Store) -> DatasetInfo | None:
    """Install the package's Excludes1 notes unless that update is already in the store."""
    return ensure_package_dataset(store, KIND, install_excludes1)


class Excludes1:
    """The newest installed Excludes1 notes (`info` None when none is installed: nothing is excluded)."""

    def __init__(self, store: Store) -> None:
        installed = store.datasets(KIND)
        self.info = installed[0] if installed else None
        self._exact: dict[str, list[Range]] = {}  # a code or category holder -> its targets
        self._spans: list[tuple[Range, Range]] = []  # block and chapter holders
        if self.info:
            con: sqlite3.Connection = store.connect(KIND, self.info.dataset_id)
            try:
                for low, high, *target in con.execute("SELECT * FROM excludes1"):
                    if low == high:
                        self._exact.setdefault(low, []).append((target[0], target[1]))
                    else:
                        self._spans.append(((low, high), (target[0], target[1])))
            finally:
                con.close()
        self.targets = lru_cache(maxsize=None)(self._targets)
        self._judged: dict[tuple[str, str], bool] = {}

    def _targets(self, code: str) -> tuple[Range, ...]:
        """Every range named by an Excludes1 note of a bare code or of any code, block or chapter above it."""
        found = [t for end in range(3, len(code) + 1) for t in self._exact.get(code[:end], ())]
        found += [target for holder, target in self._spans if within(code, holder)]
        return tuple(found)

    def excludes(self, code: str, other: str) -> bool:
        """Whether an Excludes1 note over `code` names `other` (bare codes). A month pairs a few thousand
        codes in far fewer distinct pairs than lines: each pair is judged once."""
        key = (code, other)
        found = self._judged.get(key)
        if found is None:
            found = self._judged[key] = any(within(other, target) for target in self.targets(code))
        return found
