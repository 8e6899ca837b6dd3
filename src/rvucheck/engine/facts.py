"""Per-line computed values: release, RVU row, work/credited wRVU, total RVU, estimated payment.

Pure: every number comes from the ReferenceData lookups. Multiple-procedure ranks (MPPR) are set by
payment within the same patient + date + physician, per payment-adjustment family of the MULT PROC
indicator (Claims Processing Manual ch. 12, §40.6), before `ref.adjusted` applies the reductions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence

from rvucheck.engine.context import FACILITY_POS, LineFacts
from rvucheck.engine.em import is_em
from rvucheck.model import ChargeLine
from rvucheck.refdata.types import Adjusted, Locality, ReferenceData, ReleaseChoice, RvuRow

# Statuses Medicare does not pay separately: B bundled, I not valid for Medicare, N non-covered,
# X statutory exclusion, E excluded by regulation, P bundled/excluded, M measurement codes.
UNPAID_STATUSES = frozenset("BINXEPM")
# MULT PROC indicators whose lines are ranked together (2 standard surgery, 3 endoscopy share a rank).
MPPR_FAMILY = {"2": "surgery", "3": "surgery", "4": "imaging", "5": "therapy", "6": "cardio", "7": "eye"}
PRICED_MODIFIERS = ("26", "TC", "53")


def release_pin_date(release_id: str) -> dt.date | None:
    """First day of a pinned release's quarter: RVU26C -> 2026-07-01 (A Jan, B Apr, C Jul, D Oct)."""
    tail = release_id.upper().removeprefix("RVU")
    if len(tail) < 3 or not tail[:2].isdigit() or tail[2] not in "ABCD":
        return None
    return dt.date(2000 + int(tail[:2]), 1 + 3 * "ABCD".index(tail[2]), 1)


class Pricer:
    """Caches lookups by (code, modifier, release): a month repeats the same few thousand codes."""

    def __init__(
        self, ref: ReferenceData, locality: Locality | None, qpp: bool, pinned: dt.date | None = None
    ) -> None:
        self.ref = ref
        self.locality = locality
        self.qpp = qpp
        self.pinned = pinned
        self._release: dict[dt.date | None, ReleaseChoice | None] = {}
        self._rows: dict[tuple[str, str, str], RvuRow | None] = {}
        self._adjusted: dict[tuple[object, ...], Adjusted] = {}
        self._values: dict[tuple[object, ...], tuple[float, float, float, float, tuple[str, ...]]] = {}
        self._line_rows: dict[tuple[str, tuple[str, ...], str], tuple[RvuRow | None, RvuRow | None]] = {}

    def release(self, dos: dt.date | None) -> ReleaseChoice | None:
        on = self.pinned or dos
        if on not in self._release:
            try:
                self._release[on] = self.ref.release_for(on)
            except LookupError:
                self._release[on] = None
        return self._release[on]

    def row(self, code: str, modifier: str, dos: dt.date | None, release: ReleaseChoice) -> RvuRow | None:
        key = (code, modifier, release.release_id)
        if key not in self._rows:
            self._rows[key] = self.ref.rvu(code, modifier, self.pinned or dos)
        return self._rows[key]

    def rows_for(
        self, code: str, mods: tuple[str, ...], dos: dt.date | None, release: ReleaseChoice
    ) -> tuple[RvuRow | None, RvuRow | None]:
        """(the code's own row, the row the line is priced from: its 26/TC/53 row when billed so)."""
        key = (code, mods, release.release_id)
        found = self._line_rows.get(key)
        if found is not None:
            return found
        row = priced = self.row(code, "", dos, release)
        for modifier in PRICED_MODIFIERS:
            if modifier in mods:
                priced = self.row(code, modifier, dos, release) or row
                break
        if row is None and priced is None:
            # Codes priced only as 26/TC rows (no global row) still have a row to report from.
            for modifier in PRICED_MODIFIERS:
                row = self.row(code, modifier, dos, release)
                if row is not None:
                    break
            priced = row
        self._line_rows[key] = (row, priced)
        return row, priced

    def line_values(
        self, priced: RvuRow, mods: tuple[str, ...], rank: int, facility: bool, units: float
    ) -> tuple[float, float, float, float, tuple[str, ...]]:
        """(work RVU, credited work RVU, total RVU, payment, explanation) of a line, rounded to cents."""
        key = (priced.hcpcs, priced.modifier, priced.release, mods, rank, facility, units)
        found = self._values.get(key)
        if found is None:
            adjusted = self.adjusted(priced, mods, rank, facility)
            total = priced.total_rvu_facility if facility else priced.total_rvu_nonfacility
            payment = 0.0 if priced.status_code in UNPAID_STATUSES else round(adjusted.payment * units, 2)
            explanation = adjusted.explanation
            if priced.status_code in UNPAID_STATUSES:
                explanation = (*explanation, f"status {priced.status_code}: not paid separately")
            found = (
                round(priced.work_rvu * units, 2),
                round(adjusted.work_rvu * units, 2),
                round(total * units, 2),
                payment,
                explanation,
            )
            self._values[key] = found
        return found

    def full_payment(self, fact: LineFacts) -> float:
        if fact.priced is None:
            return 0.0
        return self.ref.payment(fact.priced, self.locality, fact.facility, self.qpp) * max(
            fact.line.units, 0.0
        )

    def adjusted(self, row: RvuRow, mods: tuple[str, ...], rank: int, facility: bool) -> Adjusted:
        key = (row.hcpcs, row.modifier, row.release, mods, rank, facility)
        found = self._adjusted.get(key)
        if found is None:
            found = self.ref.adjusted(row, mods, rank, self.locality, facility, self.qpp)
            self._adjusted[key] = found
        return found


def build_facts(
    lines: Sequence[ChargeLine], history: Sequence[ChargeLine], pricer: Pricer
) -> list[LineFacts]:
    run_count = len(lines)
    # A month repeats a few thousand codes, modifier combinations, dates and places of service: normalise
    # and look up each distinct value once (this loop runs once per line; keep it lean).
    codes: dict[str, tuple[str, bool]] = {}
    modifier_sets: dict[tuple[str, ...], tuple[tuple[str, ...], frozenset[str]]] = {}
    facility_of: dict[str, bool] = {}
    days: dict[dt.date | None, tuple[int, ReleaseChoice | None]] = {}
    facts: list[LineFacts] = []
    append = facts.append
    for index, line in enumerate(itertools.chain(lines, history)):
        known = codes.get(line.hcpcs)
        if known is None:
            text = line.hcpcs.strip().upper()
            known = codes[line.hcpcs] = (text, is_em(text))
        code = known[0]
        normalised = modifier_sets.get(line.modifiers)
        if normalised is None:
            ordered = tuple(sorted(m.strip().upper() for m in line.modifiers if m and m.strip()))
            normalised = modifier_sets[line.modifiers] = (ordered, frozenset(ordered))
        mods = normalised[0]
        dos = line.dos
        dated = days.get(dos)
        if dated is None:
            dated = days[dos] = (dos.toordinal() if dos else -1, pricer.release(dos))
        release = dated[1]
        facility = facility_of.get(line.pos)
        if facility is None:
            pos = line.pos.strip()
            facility = facility_of[line.pos] = bool(pos) and pos.zfill(2) in FACILITY_POS
        row = priced = None
        work = credited = total = payment = None
        explanation: tuple[str, ...] = ()
        if release is not None and release.release_id and code:
            row, priced = pricer.rows_for(code, mods, dos, release)
            if priced is not None and index < run_count:  # history lines are not reported: no pricing
                units = line.units if line.units > 0 else 0.0
                work, credited, total, payment, explanation = pricer.line_values(
                    priced, mods, 1, facility, units
                )
        append(
            LineFacts(
                index,
                line,
                code,
                normalised[1],
                dated[0],
                line.patient,
                line.provider_npi or line.provider,
                index >= run_count,
                release,
                row,
                priced,
                facility,
                known[1],
                1,
                work,
                credited,
                total,
                payment,
                explanation,
            )
        )
    _apply_mppr_ranks(facts, pricer)
    return facts


def _apply_mppr_ranks(facts: list[LineFacts], pricer: Pricer) -> None:
    """Rank 1, 2, ... by full payment within patient + date + physician + MPPR family; reprice the
    lower-ranked lines (the few lines that share a day with another procedure)."""
    groups: dict[tuple[str, int, str, str], list[LineFacts]] = defaultdict(list)
    for fact in facts:
        priced = fact.priced
        if priced is None or fact.day < 0 or fact.history:
            continue
        family = MPPR_FAMILY.get(priced.mult_proc)
        if family is not None:
            groups[fact.patient, fact.day, fact.physician, family].append(fact)
    for members in groups.values():
        if len(members) < 2:
            continue
        by_payment = sorted(members, key=lambda f: (-pricer.full_payment(f), f.position))
        for rank, fact in enumerate(by_payment, start=1):
            if rank == 1 or fact.priced is None:
                continue
            units = fact.line.units if fact.line.units > 0 else 0.0
            mods = tuple(sorted(fact.mods))
            _work, credited, _total, payment, explanation = pricer.line_values(
                fact.priced, mods, rank, fact.facility, units
            )
            facts[fact.position] = fact._replace(
                rank=rank, credited_work_rvu=credited, payment=payment, explanation=explanation
            )
