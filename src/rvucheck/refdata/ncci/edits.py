"""NCCI edits (PTP pairs, MUEs, add-on code edits) from the store, per date of service.

Each installed NCCI quarter is one dataset (`ncci-2026Q2.sqlite`) holding some of the components PTP, MUE and
AOC. A lookup uses, per component, the newest installed quarter that is not after the date of service (the
oldest one when the date is before every installed quarter), so a store with the 2024Q3 PTP table and the
2026Q2 MUE/AOC files answers PTP from 2024Q3 and MUE/AOC from 2026Q2, and `ncci_quarter` says so.

PTP lookups are per same-day group of a few codes, tens of thousands of times a run: the edits of a column 1
code are read once from the indexed table and kept in memory as {column 2: rows}, so a group of n codes costs
n dictionary lookups per code after the first use.

Importers (`recognize`, `import_group`) live in `importer.py` beside this module; layouts in `formats.py`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from rvucheck.refdata.ncci.formats import date_int, int_date
from rvucheck.refdata.ncci.importer import COMPONENTS, KIND, import_group, recognize
from rvucheck.refdata.ncci.rows import CONTRACTOR_DEFINED
from rvucheck.refdata.store import DatasetInfo, Store
from rvucheck.refdata.types import Mue, PtpEdit

__all__ = ["CONTRACTOR_DEFINED", "AocEdit", "NcciData", "import_group", "recognize"]

COMPONENT_NOUNS = {"PTP": "PTP edits", "MUE": "MUEs", "AOC": "add-on code edits"}
PRACTITIONER = "practitioner"

# per column 2 code: (effective, deletion, modifier indicator, rationale id), dates as YYYYMMDD ints
_PtpRows = dict[str, list[tuple[int | None, int | None, str, int]]]
# addon_deletion, primary, primary_deletion, edit_type, effective, deletion
_AocRow = tuple[int | None, str, int | None, str, int | None, int | None]


@dataclass(frozen=True)
class AocEdit:
    """The add-on code edit in force for an add-on code on a date.

    edit_type: "1" only the listed primaries are eligible; "2" CMS lists none, contractors define them
    (primaries == {"CCCCC"}); "3" the listed primaries and others a contractor may define.
    """

    addon: str
    edit_type: str
    primaries: frozenset[str]  # may contain CONTRACTOR_DEFINED ("CCCCC")
    quarter: str

    @property
    def contractor_defined(self) -> bool:
        return self.edit_type in ("2", "3") or CONTRACTOR_DEFINED in self.primaries


@dataclass(frozen=True)
class _Quarter:
    dataset_id: str
    start: dt.date
    contents: frozenset[str]


class NcciData:
    """Lookups over every installed NCCI quarter. Read-only; safe to share between threads for reading."""

    def __init__(self, store: Store, datasets: list[DatasetInfo]) -> None:
        self._store = store
        self._quarters = sorted(
            (
                _Quarter(info.dataset_id, info.effective_from or dt.date.min, frozenset(info.contents))
                for info in datasets
            ),
            key=lambda q: q.start,
            reverse=True,
        )
        self._connections: dict[str, sqlite3.Connection] = {}
        self._ptp_cache: dict[tuple[str, str], _PtpRows] = {}
        self._rationales: dict[str, dict[int, str]] = {}
        self._mue_cache: dict[str, dict[str, Mue]] = {}
        self._aoc_cache: dict[tuple[str, str], list[_AocRow]] = {}
        self._choice_cache: dict[tuple[str, dt.date | None], _Quarter | None] = {}

    @classmethod
    def open(cls, store: Store) -> NcciData | None:
        datasets = store.datasets(KIND)
        return cls(store, datasets) if datasets else None

    # ------------------------------------------------------------------------------------------ quarters

    def quarter_for(self, component: str, on: dt.date | None = None) -> str | None:
        """The quarter answering `component` ("PTP", "MUE", "AOC") on that date; None if not installed."""
        chosen = self._choose(component, on)
        return chosen.dataset_id if chosen else None

    def _choose(self, component: str, on: dt.date | None) -> _Quarter | None:
        key = (component, on)
        if key not in self._choice_cache:
            having = [q for q in self._quarters if component in q.contents]
            if not having:
                chosen = None
            elif on is None:
                chosen = having[0]
            else:
                chosen = next((q for q in having if q.start <= on), having[-1])
            self._choice_cache[key] = chosen
        return self._choice_cache[key]

    def ncci_quarter(self, on: dt.date | None = None) -> tuple[str, str | None]:
        """(the quarter answering; "PTP 2024Q3, MUE 2026Q2, AOC 2026Q2" when components differ, and a note
        when the date is newer than a component's quarter, or older than every installed one)."""
        chosen = {c: q for c in COMPONENTS if (q := self._choose(c, on)) is not None}
        ids = {q.dataset_id for q in chosen.values()}
        label = ids.pop() if len(ids) == 1 else ", ".join(f"{c} {q.dataset_id}" for c, q in chosen.items())
        note = _staleness_note(chosen, on)
        notes = [note] if note else []
        missing = [COMPONENT_NOUNS[c] for c in COMPONENTS if c not in chosen]
        if missing:
            notes.append(f"no {' or '.join(missing)} installed")
        return label, "; ".join(notes) or None

    # ------------------------------------------------------------------------------------------ PTP

    def ptp_edits(self, codes: set[str] | frozenset[str], on: dt.date | None = None) -> list[PtpEdit]:
        """Active PTP edits whose column 1 and column 2 are both in `codes` on that date (with no date: the
        edits of the newest quarter that have no deletion date). Edits with modifier indicator 9 (deleted
        retroactively, "not applicable") are never returned."""
        if len(codes) < 2:
            return []
        quarter = self._choose("PTP", on)
        if quarter is None:
            return []
        day = date_int(on) if on else None
        found: list[PtpEdit] = []
        ordered = sorted(codes)  # a set's order varies with PYTHONHASHSEED; findings must not
        for column1 in ordered:
            partners = self._ptp_rows(quarter.dataset_id, column1)
            if not partners:
                continue
            for column2 in ordered:
                rows = partners.get(column2)
                if rows is None:
                    continue
                # indicator 9: CMS deleted the edit retroactively, it never applies. Of the versions of a
                # pair in force that day (CMS's files never overlap them), the newest one answers.
                live = [row for row in rows if row[2] != "9" and _active(row[0], row[1], day)]
                if live:
                    effective, deletion, modifier, rationale_id = max(live, key=_version_order)
                    found.append(
                        self._edit(
                            quarter.dataset_id, column1, column2, effective, deletion, modifier, rationale_id
                        )
                    )
        return found

    def _ptp_rows(self, dataset_id: str, column1: str) -> _PtpRows:
        key = (dataset_id, column1)
        cached = self._ptp_cache.get(key)
        if cached is None:
            cached = {}
            sql = "SELECT column2, effective, deletion, modifier, rationale_id FROM ptp WHERE column1 = ?"
            for column2, effective, deletion, modifier, rationale_id in self._con(dataset_id).execute(
                sql, (column1,)
            ):
                cached.setdefault(column2, []).append((effective, deletion, modifier, rationale_id))
            for column2, rows in cached.items():
                if len(rows) > 1:
                    cached[column2] = _dated_versions(rows)
            self._ptp_cache[key] = cached
        return cached

    def _edit(
        self,
        dataset_id: str,
        column1: str,
        column2: str,
        effective: int | None,
        deletion: int | None,
        modifier: str,
        rationale_id: int,
    ) -> PtpEdit:
        rationales = self._rationales.get(dataset_id)
        if rationales is None:
            rows = self._con(dataset_id).execute("SELECT id, text FROM ptp_rationale")
            rationales = self._rationales[dataset_id] = dict(rows.fetchall())
        return PtpEdit(
            column1=column1,
            column2=column2,
            effective=int_date(effective),
            deletion=int_date(deletion),
            modifier_indicator=modifier,
            rationale=rationales.get(rationale_id, ""),
        )

    # ------------------------------------------------------------------------------------------ MUE

    def mue(self, hcpcs: str, on: dt.date | None = None, service: str = PRACTITIONER) -> Mue | None:
        """MUE of a code for practitioner services (or `service`: "outpatient_hospital", "dme_supplier")."""
        quarter = self._choose("MUE", on)
        if quarter is None:
            return None
        key = f"{quarter.dataset_id}/{service}"
        table = self._mue_cache.get(key)
        if table is None:
            sql = "SELECT hcpcs, units, mai, rationale FROM mue WHERE service = ?"
            table = {
                code: Mue(hcpcs=code, units=units, mai=mai, rationale=rationale)
                for code, units, mai, rationale in self._con(quarter.dataset_id).execute(sql, (service,))
            }
            self._mue_cache[key] = table
        return table.get(hcpcs.strip().upper())

    # ------------------------------------------------------------------------------------------ AOC

    def aoc_primaries(self, addon: str, on: dt.date | None = None) -> frozenset[str] | None:
        """Eligible primaries of an add-on code on that date; None when it is not an add-on in the AOC edits.
        The set contains "CCCCC" when contractors define (some of) the primaries; see `aoc_edit`."""
        edit = self.aoc_edit(addon, on)
        return edit.primaries if edit else None

    def aoc_edit(self, addon: str, on: dt.date | None = None) -> AocEdit | None:
        quarter = self._choose("AOC", on)
        if quarter is None:
            return None
        addon = addon.strip().upper()
        key = (quarter.dataset_id, addon)
        rows = self._aoc_cache.get(key)
        if rows is None:
            sql = (
                "SELECT addon_deletion, primary_code, primary_deletion, edit_type, effective, deletion "
                "FROM aoc WHERE addon = ?"
            )
            rows = self._aoc_cache[key] = self._con(quarter.dataset_id).execute(sql, (addon,)).fetchall()
        day = date_int(on) if on else None
        primaries: set[str] = set()
        types: set[str] = set()
        for addon_deletion, primary, primary_deletion, edit_type, effective, deletion in rows:
            ends = min((d for d in (addon_deletion, deletion) if d is not None), default=None)
            if not _active(effective, ends, day):
                continue
            types.add(str(edit_type))
            if primary_deletion is None or day is None or day <= primary_deletion:
                primaries.add(str(primary))
        if not types:
            return None
        # one add-on has one edit type in CMS's files; if several ever appear, the most permissive wins
        return AocEdit(
            addon=addon, edit_type=max(types), primaries=frozenset(primaries), quarter=quarter.dataset_id
        )

    # ------------------------------------------------------------------------------------------ plumbing

    def _con(self, dataset_id: str) -> sqlite3.Connection:
        con = self._connections.get(dataset_id)
        if con is None:
            con = self._connections[dataset_id] = self._store.connect(KIND, dataset_id)
        return con

    def close(self) -> None:
        for con in self._connections.values():
            con.close()
        self._connections.clear()


def _version_order(row: tuple[int | None, int | None, str, int]) -> tuple[int, int]:
    """Newer versions of a pair sort last: by effective date, then by deletion date (open = newest)."""
    effective, deletion = row[0], row[1]
    return (effective or 0, deletion or 99991231)


def _dated_versions(
    rows: list[tuple[int | None, int | None, str, int]],
) -> list[tuple[int | None, int | None, str, int]]:
    """Versions of one pair (an edit deleted, then added again) with the effective dates a table without
    them can still prove: a version took effect after the previous version's deletion date.

    CMS's own files carry every edit's effective date; the 2024Q3 table converted from an R package lost
    them, and without this a deleted edit and its re-added successor would both apply on old dates."""
    ordered = sorted(rows, key=lambda row: row[1] or 99991231)
    dated = [ordered[0]]
    for effective, deletion, modifier, rationale_id in ordered[1:]:
        previous_deletion = dated[-1][1]
        ended = int_date(previous_deletion)
        if effective is None and ended is not None:
            effective = date_int(ended + dt.timedelta(days=1))
        dated.append((effective, deletion, modifier, rationale_id))
    return dated


def _active(effective: int | None, deletion: int | None, day: int | None) -> bool:
    """In force on `day` (YYYYMMDD): effective on or before it, deleted on or after it (CMS's deletion date is
    the last day an edit applies). With no day: in force now, i.e. not deleted."""
    if day is None:
        return deletion is None
    return (effective is None or effective <= day) and (deletion is None or day <= deletion)


def _staleness_note(chosen: dict[str, _Quarter], on: dt.date | None) -> str | None:
    """One sentence per kind of staleness: quarters older than the date (may miss newer edits) and quarters
    newer than the date (the date is before every installed quarter)."""
    if on is None:
        return None
    start_of_on = dt.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    older = {c: q for c, q in chosen.items() if q.start < start_of_on}
    newer = {c: q for c, q in chosen.items() if q.start > on}
    notes = []
    if older:
        notes.append(f"{_from_quarters(older)}; lines dated {on:%Y-%m} may miss newer edits")
    if newer:
        notes.append(
            f"{_from_quarters(newer)}, after lines dated {on:%Y-%m}; install the quarter of those dates"
        )
    return "; ".join(notes) or None


def _from_quarters(chosen: dict[str, _Quarter]) -> str:
    """ "PTP edits are from 2024Q3, MUEs and add-on code edits are from 2026Q2"."""
    by_quarter: dict[str, list[str]] = {}
    for component, quarter in chosen.items():
        by_quarter.setdefault(quarter.dataset_id, []).append(COMPONENT_NOUNS[component])
    return ", ".join(f"{' and '.join(nouns)} are from {quarter}" for quarter, nouns in by_quarter.items())
