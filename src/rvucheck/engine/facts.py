"""Per-line computed values: release, RVU row, work/credited wRVU, total RVU, estimated payment.

Pure: every price comes from the one pricing function (`refdata.pricing.price`), cached here because a
month repeats the same few thousand codes. Multiple-procedure ranks (MPPR) are set by payment within the
same patient + date + physician, per payment-adjustment family of the MULT PROC indicator (Claims
Processing Manual ch. 12, §40.6), before the pricer applies the reductions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from rvucheck.engine.context import LineFacts
from rvucheck.engine.em import is_em
from rvucheck.engine.linking import UNLINKED
from rvucheck.engine.mppr import apply_mppr_ranks
from rvucheck.model import ChargeLine
from rvucheck.refdata.calendar import quarter_dates, release_quarter
from rvucheck.refdata.pricing import pricer as one_pricer
from rvucheck.refdata.pricing.components import technical_rows
from rvucheck.refdata.pricing.places import FACILITY_POS
from rvucheck.refdata.pricing.price import Price, price
from rvucheck.refdata.types import Locality, PricingData, ReleaseChoice

LineValues = tuple[float, float, float, float, tuple[str, ...]]


def release_pin_date(release_id: str) -> dt.date | None:
    """First day of a pinned release's quarter: RVU26C -> 2026-07-01; None when it is not a release id."""
    found = release_quarter(release_id)
    return quarter_dates(*found)[0] if found else None


class Pricer:
    """The one pricing function's answers for a run (`refdata.pricing.price`), cached by what a price
    depends on: code, modifiers, units, release, the date's quarter (the ASP file's), setting and rank."""

    def __init__(
        self, ref: PricingData, locality: Locality | None, qpp: bool, pinned: dt.date | None = None
    ) -> None:
        self.ref = ref
        self.locality = locality
        self.qpp = qpp
        self.pinned = pinned
        self._release: dict[dt.date | None, ReleaseChoice | None] = {}
        self._choices: dict[tuple[str, tuple[str, ...], str], one_pricer.RowChoice] = {}
        self._prices: dict[tuple[object, ...], Price] = {}
        self._full: dict[tuple[object, ...], float] = {}
        self.stale_drugs: list[tuple[int, str]] = []  # (line index, ASP file) priced outside its quarter

    def release(self, dos: dt.date | None) -> ReleaseChoice | None:
        on = self.pinned or dos
        if on not in self._release:
            try:
                self._release[on] = self.ref.release_for(on)
            except LookupError:
                self._release[on] = None
        return self._release[on]

    def rows_for(self, code: str, mods: tuple[str, ...], release: ReleaseChoice) -> one_pricer.RowChoice:
        """The code's own row and the row the line is priced from (`mods` normalised)."""
        key = (code, mods, release.release_id)
        found = self._choices.get(key)
        if found is None:
            found = self._choices[key] = one_pricer.choose_rows(self.ref, release.release_id, code, mods)
        return found

    def price(
        self,
        code: str,
        mods: tuple[str, ...],
        units: float,
        dos: dt.date | None,
        release: ReleaseChoice,
        facility: bool,
        rank: int = 1,
        how: str = "",
    ) -> Price:
        """The line's price (`mods` normalised); `how`: "endoscopy" below its endoscopy family's highest,
        "first-full" its first unit at rank 1 and the others at `rank` (the therapy day's highest-PE unit).
        ASP files are quarterly, so the date enters the key as its quarter."""
        quarter = dos.year * 4 + (dos.month - 1) // 3 if dos is not None else None
        key = (code, mods, units, release.release_id, quarter, facility, rank, how)
        found = self._prices.get(key)
        if found is None:
            found = self._prices[key] = price(
                self.ref,
                code,
                mods,
                units,
                on=dos,
                locality=self.locality,
                facility=facility,
                qpp=self.qpp,
                rank=rank,
                endoscopy=how == "endoscopy",
                first_full=how == "first-full",
                release=release,
            )
        return found

    def full_payment(self, fact: LineFacts, technical: bool = False) -> float:
        """The line's fee before any reduction: what ranks it among the day's procedures; `technical`:
        only its technical part (imaging, cardiovascular and ophthalmology MPPR rank by the TC fee)."""
        priced = fact.priced
        if priced is None:
            return 0.0
        key = (priced.hcpcs, priced.modifier, priced.release, fact.facility, technical)
        fee = self._full.get(key)
        if fee is None:
            rows = technical_rows(self.ref, priced) if technical else (priced,)
            fee = sum(self.ref.fee(r, self.locality, fact.facility, self.qpp).amount for r in rows)
            self._full[key] = fee
        return fee * max(fact.line.units, 0.0)

    def reprice(self, fact: LineFacts, rank: int, how: str = "") -> LineValues:
        """(work RVU, credited work RVU, total RVU, payment, explanation) of a line at its
        multiple-procedure `rank` (`how`: see `price`)."""
        assert fact.release is not None
        found = self.price(
            fact.code, tuple(sorted(fact.mods)), fact.line.units, fact.line.dos, fact.release, fact.facility,
            rank, how,
        )  # fmt: skip
        line = found.line
        assert line is not None and found.amount is not None  # only lines with a paid row are ranked
        return line.work_rvu, line.credited_work_rvu, line.total_rvu, found.amount, found.explanation


def build_facts(
    lines: Sequence[ChargeLine], history: Sequence[ChargeLine], pricer: Pricer, no_patient: bool = False
) -> list[LineFacts]:
    """Each line's facts. `no_patient`: the export has no patient column, so no line is linked with
    another (each gets a patient key of its own, as a line with a blank patient cell does)."""
    run_count = len(lines)
    # A month repeats a few thousand (code, modifiers, date, place, units): everything but the line's
    # patient and provider is a function of those five values, worked out once per distinct five (priced
    # for this run's lines, not for the history's). This loop runs once per line: keep it lean.
    known: tuple[dict[tuple[object, ...], _Known], dict[tuple[object, ...], _Known]] = ({}, {})
    facts: list[LineFacts] = []
    append = facts.append
    new = tuple.__new__
    stale_drugs = pricer.stale_drugs
    for index, line in enumerate(itertools.chain(lines, history)):
        history_line = index >= run_count
        same = known[history_line]
        key = (line.hcpcs, line.modifiers, line.dos, line.pos, line.units)
        found = same.get(key)
        if found is None:
            found = same[key] = _known(line, pricer, priced=not history_line)
        head, tail, stale = found
        if stale:
            stale_drugs.append((index, stale))
        patient = line.patient
        if no_patient or not patient:
            patient = f"{UNLINKED}{index}"
        # LineFacts' fields in order: (position, line, code, mods, day), patient, physician, history,
        # (release, row, priced, facility, em, rank, work, credited, total, payment, explanation,
        # reduction, basis)
        append(
            new(
                LineFacts,
                (index, line, *head, patient, line.provider_npi or line.provider, history_line, *tail),
            )
        )
    apply_mppr_ranks(facts, pricer)
    return facts


# What a line's facts take from its (code, modifiers, date, place, units): the fields before and after
# (patient, physician, history), and the ASP file a drug was priced from outside its quarter ("" if none).
_Known = tuple[tuple[object, ...], tuple[object, ...], str]


def _known(line: ChargeLine, pricer: Pricer, priced: bool) -> _Known:
    code = line.hcpcs.strip().upper()
    mods = one_pricer.normalise_modifiers(line.modifiers)
    dos = line.dos
    release = pricer.release(dos)
    pos = line.pos.strip()
    facility = bool(pos) and pos.zfill(2) in FACILITY_POS
    row = row_priced = None
    work = credited = total = payment = None
    explanation: tuple[str, ...] = ()
    why_not = stale = ""
    if release is not None and release.release_id and code:
        choice = pricer.rows_for(code, mods, release)
        row, row_priced = choice.row, choice.priced
        if priced:  # history lines are not reported: no pricing
            found = pricer.price(code, mods, line.units, dos, release, facility)
            payment, explanation, why_not = found.amount, found.explanation, found.why_not
            if found.line is not None and found.amount is not None:
                work, credited, total = (
                    found.line.work_rvu,
                    found.line.credited_work_rvu,
                    found.line.total_rvu,
                )
            stale = found.stale or ""
    head = (code, frozenset(mods), dos.toordinal() if dos else -1)
    tail = (release, row, row_priced, facility, is_em(code), 1, work, credited, total, payment, explanation)
    return head, (*tail, 0.0, why_not), stale
