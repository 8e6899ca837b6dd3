"""Per-line computed values: release, RVU row, work/credited wRVU, total RVU, estimated payment.

Pure: every number comes from the ReferenceData lookups. Multiple-procedure ranks (MPPR) are set by
payment within the same patient + date + physician, per payment-adjustment family of the MULT PROC
indicator (Claims Processing Manual ch. 12, §40.6), before `ref.adjusted` applies the reductions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from rvucheck.kinds.context import FACILITY_POS, LineFacts, is_em
from rvucheck.model import ChargeLine
from rvucheck.refdata.types import Adjusted, Locality, ReferenceData, ReleaseChoice, RvuRow

# Statuses Medicare does not pay separately: B bundled, I not valid for Medicare, N non-covered,
# X statutory exclusion, E excluded by regulation, P bundled/excluded, M measurement codes.
UNPAID_STATUSES = frozenset("BINXEPM")
# MULT PROC indicators whose lines are ranked together (2 standard surgery, 3 endoscopy share a rank).
MPPR_FAMILY = {"2": "surgery", "3": "surgery", "4": "imaging", "5": "therapy", "6": "cardio", "7": "eye"}
PRICED_MODIFIERS = ("26", "TC", "53")
# line, code, modifiers, release, the code's own row, the row it is priced from
BaseEntry = tuple[ChargeLine, str, tuple[str, ...], ReleaseChoice | None, RvuRow | None, RvuRow | None]


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

    def full_payment(self, entry: BaseEntry) -> float:
        line, priced = entry[0], entry[5]
        if priced is None:
            return 0.0
        facility = line.pos.strip().zfill(2) in FACILITY_POS
        return self.ref.payment(priced, self.locality, facility, self.qpp) * max(line.units, 0.0)

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
    everything = [*lines, *history]
    run_count = len(lines)
    # A month repeats a few thousand codes, modifier combinations and places of service: normalise each
    # distinct value once.
    codes: dict[str, tuple[str, bool]] = {}
    modifier_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
    facility_of: dict[str, bool] = {}
    base: list[BaseEntry] = []
    for line in everything:
        known = codes.get(line.hcpcs)
        if known is None:
            text = line.hcpcs.strip().upper()
            known = codes[line.hcpcs] = (text, is_em(text))
        code = known[0]
        mods = modifier_sets.get(line.modifiers)
        if mods is None:
            mods = modifier_sets[line.modifiers] = tuple(
                sorted(m.strip().upper() for m in line.modifiers if m and m.strip())
            )
        release = pricer.release(line.dos)
        row = priced = None
        if release is not None and release.release_id and code:
            row, priced = pricer.rows_for(code, mods, line.dos, release)
        base.append((line, code, mods, release, row, priced))

    ranks = _mppr_ranks(base, pricer)
    frozen = {mods: frozenset(mods) for mods in modifier_sets.values()}
    facts: list[LineFacts] = []
    append = facts.append
    for index, (line, code, mods, release, row, priced) in enumerate(base):
        facility = facility_of.get(line.pos)
        if facility is None:
            pos = line.pos.strip()
            facility = facility_of[line.pos] = bool(pos) and pos.zfill(2) in FACILITY_POS
        units = line.units if line.units > 0 else 0.0
        rank = ranks.get(index, 1)
        work = credited = total = payment = None
        explanation: tuple[str, ...] = ()
        if priced is not None:
            work, credited, total, payment, explanation = pricer.line_values(
                priced, mods, rank, facility, units
            )
        dos = line.dos
        append(
            LineFacts(
                index,
                line,
                code,
                frozen[mods],
                dos.toordinal() if dos else -1,
                line.patient,
                line.provider_npi or line.provider,
                index >= run_count,
                release,
                row,
                priced,
                facility,
                codes[line.hcpcs][1],
                rank,
                work,
                credited,
                total,
                payment,
                explanation,
            )
        )
    return facts


def _mppr_ranks(base: list[BaseEntry], pricer: Pricer) -> dict[int, int]:
    """Rank 1, 2, ... by full payment within patient + date + physician + MPPR family."""
    groups: dict[tuple[str, object, str, str], list[int]] = defaultdict(list)
    for index, (line, _code, _mods, _release, _row, priced) in enumerate(base):
        if priced is None or line.dos is None:
            continue
        family = MPPR_FAMILY.get(priced.mult_proc)
        if family is not None:
            groups[line.patient, line.dos, line.physician, family].append(index)
    ranks: dict[int, int] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        by_payment = sorted(members, key=lambda index: (-pricer.full_payment(base[index]), index))
        for rank, index in enumerate(by_payment, start=1):
            ranks[index] = rank
    return ranks
