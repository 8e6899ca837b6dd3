"""What the kinds see: per-line facts computed once per run, the line groups, cached reference lookups.

Built by the engine; kinds only read it. Facts cover this run's lines followed by the history lines
(earlier months), so window rules can look back; the engine reports hits on this run's lines only.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from typing import Any, NamedTuple

from rvucheck.engine.linking import UNLINKED
from rvucheck.model import ChargeLine, UnreadableLine
from rvucheck.refdata.types import Mue, PtpEdit, ReferenceData, ReleaseChoice, RvuRow

SURGICAL_GLOBALS = frozenset({"000", "010", "090"})
_UNKNOWN: Any = object()  # not looked up yet (None is an answer: no MUE)


class LineFacts(NamedTuple):
    """One line plus everything the rules need about it (a NamedTuple: 100k per run, cheap to make)."""

    position: int  # index in the run + history list (NamedTuple already has an index method)
    line: ChargeLine
    code: str
    mods: frozenset[str]
    day: int  # dos.toordinal(), or -1 without a date
    patient: str  # a key of the line's own when the patient is not known (engine.linking.patient_key)
    physician: str
    history: bool
    release: ReleaseChoice | None
    row: RvuRow | None  # the code's own row (blank modifier) in the release for the date
    priced: RvuRow | None  # the row the line is paid from (its 26/TC/53 row when billed so)
    facility: bool
    em: bool
    rank: int  # multiple-procedure rank by payment within patient + date + physician (1 = primary)
    work_rvu: float | None
    credited_work_rvu: float | None
    total_rvu: float | None
    payment: float | None
    explanation: tuple[str, ...]
    reduction: float = 0.0  # dollars the multiple-procedure rule took off the line (engine.mppr)
    basis: str = ""  # which multiple-procedure rule cut the line and why (its pricer steps)

    @property
    def global_days(self) -> str:
        return self.row.global_days if self.row else ""

    @property
    def status(self) -> str:
        return self.row.status_code if self.row else ""

    @property
    def linked(self) -> bool:
        """The line has a patient and a date, so the patient's other lines that day can be known: a rule
        about what is missing that day (an add-on's primary, the day's other procedures) can judge it."""
        return self.day >= 0 and not self.patient.startswith(UNLINKED)


_day_of = operator.itemgetter(4)  # LineFacts.day, as a C-level sort key
_position = operator.itemgetter(0)  # LineFacts.position


def _newer(edit: PtpEdit, than: PtpEdit) -> bool:
    """The later version of one PTP pair: later effective date, then later (or no) deletion date."""

    def order(e: PtpEdit) -> tuple[dt.date, dt.date]:
        return (e.effective or dt.date.min, e.deletion or dt.date.max)

    return order(edit) > order(than)


def same_physician(a: LineFacts, b: LineFacts) -> bool:
    """CMS's 'same physician': the same provider, or the same group and specialty where both are known."""
    if a.physician == b.physician:
        return True
    la, lb = a.line, b.line
    return bool(la.group and la.specialty and la.group == lb.group and la.specialty == lb.specialty)


class Context:
    def __init__(
        self,
        facts: Sequence[LineFacts],
        run_count: int,
        ref: ReferenceData,
        today: dt.date,
        unreadable: Sequence[UnreadableLine] = (),
    ) -> None:
        self.facts = facts
        self.run_count = run_count
        self.ref = ref
        self.today = today
        self.unreadable = unreadable
        self._ptp: dict[tuple[frozenset[str], dt.date | None], list[PtpEdit]] = {}
        self._mue: dict[tuple[str, str, str], Mue | None] = {}
        self._aoc: dict[tuple[str, str], frozenset[str] | None] = {}
        self._with_any: dict[frozenset[str], list[LineFacts]] = {}
        self.memo: dict[str, Any] = {}  # results kinds share within one run (e.g. diagnosis states)

    @cached_property
    def run_facts(self) -> Sequence[LineFacts]:
        """This run's lines (the facts before the history's), sliced once: every kind walks them."""
        return self.facts[: self.run_count]

    @cached_property
    def run_with_modifiers(self) -> list[LineFacts]:
        return [fact for fact in self.run_facts if fact.mods]

    @cached_property
    def run_by_diagnoses(self) -> dict[tuple[str, ...], list[LineFacts]]:
        """This run's lines by their diagnosis tuple, as written (a month has a few hundred distinct)."""
        groups: dict[tuple[str, ...], list[LineFacts]] = defaultdict(list)
        for fact in self.run_facts:
            groups[fact.line.diagnoses].append(fact)
        return groups

    @cached_property
    def run_by_modifier(self) -> dict[str, list[LineFacts]]:
        """This run's lines by each modifier they carry."""
        groups: dict[str, list[LineFacts]] = defaultdict(list)
        for fact in self.run_with_modifiers:
            for modifier in fact.mods:
                groups[modifier].append(fact)
        return groups

    def run_with_any(self, modifiers: frozenset[str]) -> list[LineFacts]:
        """This run's lines with one of `modifiers`, in file order (each line once)."""
        found = self._with_any.get(modifiers)
        if found is None:
            groups = [self.run_by_modifier.get(modifier, []) for modifier in modifiers]
            if len(groups) == 1:
                found = groups[0]
            else:
                found = sorted({f.position: f for group in groups for f in group}.values(), key=_position)
            self._with_any[modifiers] = found
        return found

    @cached_property
    def run_by_status(self) -> dict[str, list[LineFacts]]:
        """This run's lines by the status of the row they are paid from: a 26/TC line has its own status
        (74190 is carrier priced, C, but 74190-26 is priced from RVUs, A; a deleted component is H)."""
        groups: dict[str, list[LineFacts]] = defaultdict(list)
        for fact in self.run_facts:
            row = fact.priced or fact.row
            if row is not None:
                groups[row.status_code].append(fact)
        return groups

    @cached_property
    def run_dates(self) -> dict[dt.date | None, ReleaseChoice | None]:
        """Each distinct date of service of the run with its release (a month has ~30)."""
        return {fact.line.dos: fact.release for fact in self.run_facts}

    @cached_property
    def run_em(self) -> list[LineFacts]:
        return [fact for fact in self.run_facts if fact.em and fact.day >= 0]

    @cached_property
    def procedures_by_patient(self) -> dict[str, list[LineFacts]]:
        """Lines with a 000/010/090 global period, per patient in date order (global-surgery windows)."""
        groups: dict[str, list[LineFacts]] = defaultdict(list)
        for fact in self.facts:
            if fact.day >= 0 and fact.row is not None and fact.row.global_days in SURGICAL_GLOBALS:
                groups[fact.patient].append(fact)
        for group in groups.values():
            group.sort(key=lambda f: f.day)
        return groups

    @cached_property
    def procedure_days(self) -> dict[str, list[int]]:
        """The day numbers of `procedures_by_patient`, list for list (to bisect a window of days)."""
        return {patient: [f.day for f in group] for patient, group in self.procedures_by_patient.items()}

    @cached_property
    def procedure_dates(self) -> frozenset[tuple[str, int]]:
        """(patient, day) of every line in `procedures_by_patient`: whether a day has one, in one lookup."""
        return frozenset((f.patient, f.day) for group in self.procedures_by_patient.values() for f in group)

    @cached_property
    def run_mues(self) -> dict[str, list[tuple[LineFacts, Mue]]]:
        """This run's lines whose code has an MUE, with it, by MAI (looked up once for the MUE rules)."""
        found: dict[str, list[tuple[LineFacts, Mue]]] = defaultdict(list)
        for fact, edit in zip(self.run_facts, self.run_mue_of, strict=True):
            if edit is not None:
                found[edit.mai].append((fact, edit))
        return found

    @cached_property
    def run_alone(self) -> list[bool]:
        """By position, whether each of this run's lines is alone on its patient's day: undated, or no
        other line (of the run or the history) has its patient and date."""
        alone = [fact.day < 0 for fact in self.run_facts]
        run_count = self.run_count
        for same_day in self.by_patient_day.values():
            if len(same_day) == 1 and same_day[0].position < run_count:
                alone[same_day[0].position] = True
        return alone

    @cached_property
    def run_mue_of(self) -> list[Mue | None]:
        """The MUE of each of this run's lines, by position (None: its code has none)."""
        found: list[Mue | None] = []
        append = found.append
        quarters, known, ref = self.quarters, self._mue, self.ref  # `mue`, inline: it runs once per line
        for fact in self.run_facts:
            code = fact.code
            if not code:
                append(None)
                continue
            line = fact.line
            key = (code, quarters[fact.day], line.specialty)
            edit = known.get(key, _UNKNOWN)
            if edit is _UNKNOWN:
                edit = known[key] = ref.mue(code, line.dos, line.specialty)
            append(edit)
        return found

    @cached_property
    def ptp_groups(self) -> list[tuple[list[LineFacts], list[PtpEdit]]]:
        """Same patient + date + provider groups with at least one active PTP edit between their codes.
        NCCI applies PTP edits per provider (exact NPI/name), unlike the global-surgery "same physician"."""
        found = []
        for same_day in self.by_patient_day.values():
            if len(same_day) < 2:
                continue
            if len({f.physician for f in same_day}) == 1:
                groups = [same_day]
            else:
                by_physician: dict[str, list[LineFacts]] = defaultdict(list)
                for fact in same_day:
                    by_physician[fact.physician].append(fact)
                groups = [g for g in by_physician.values() if len(g) > 1]
            for group in groups:
                if group[0].history:  # a day's run lines come before its history lines (facts' order)
                    continue
                codes = frozenset([f.code for f in group])
                if len(codes) < 2:
                    continue
                edits = self.ptp_edits(codes, group[0])
                if edits:
                    found.append((group, edits))
        return found

    @cached_property
    def by_patient_day(self) -> dict[tuple[str, int], list[LineFacts]]:
        groups: dict[tuple[str, int], list[LineFacts]] = defaultdict(list)
        for fact in self.facts:
            if fact.day >= 0:
                groups[fact.patient, fact.day].append(fact)
        return groups

    @cached_property
    def quarters(self) -> dict[int, str]:
        """NCCI quarter id per day number of every dated line (a month has ~30 distinct days)."""
        days: dict[int, str] = {}
        for fact in self.facts:
            if fact.day not in days:
                days[fact.day] = self.ref.ncci_quarter(fact.line.dos)[0]
        return days

    @cached_property
    def by_patient(self) -> dict[str, list[LineFacts]]:
        """Each patient's dated lines in date order (global windows, the 3-year new-patient rule)."""
        groups: dict[str, list[LineFacts]] = defaultdict(list)
        dated = [f for f in self.facts if f.day >= 0]
        dated.sort(key=_day_of)  # stable: a day's lines stay in file order
        for fact in dated:
            groups[fact.patient].append(fact)
        return groups

    def same_day_physician(self, fact: LineFacts) -> list[LineFacts]:
        """Lines of the same patient on the same day by the same physician (CMS sense), `fact` included."""
        same_day = self.by_patient_day.get((fact.patient, fact.day), [])
        if all(other.physician == fact.physician for other in same_day):
            return same_day
        return [other for other in same_day if same_physician(fact, other)]

    # Reference lookups, cached per NCCI quarter (PTP: per date): a month repeats the same few thousand codes.
    def ptp_edits(self, codes: frozenset[str], fact: LineFacts) -> list[PtpEdit]:
        """The PTP edits in force between `codes` on the fact's date: one per (column 1, column 2) pair,
        however many versions of the pair the table lists (an edit deleted and added again)."""
        dos = fact.line.dos
        key = (codes, dos)
        edits = self._ptp.get(key)
        if edits is None:
            # Effective/deletion dates are per edit, not per quarter: filter on the line's own date
            # (CMS's deletion date is the last day an edit applies).
            in_force = [
                e
                for e in self.ref.ptp_edits(set(codes), dos)
                if (e.effective is None or dos is None or e.effective <= dos)
                and (e.deletion is None or dos is None or dos <= e.deletion)
            ]
            newest: dict[tuple[str, str], PtpEdit] = {}
            for edit in in_force:
                pair = (edit.column1, edit.column2)
                if pair not in newest or _newer(edit, newest[pair]):
                    newest[pair] = edit
            edits = self._ptp[key] = list(newest.values())
        return edits

    def mue(self, fact: LineFacts) -> Mue | None:
        """The MUE the line is held to: the DME supplier table for a DME supplier's line, and for a DMEPOS
        code where that table lists it; the practitioner table otherwise (the reference decides)."""
        key = (fact.code, self.quarters[fact.day], fact.line.specialty)
        if key not in self._mue:
            self._mue[key] = self.ref.mue(fact.code, fact.line.dos, fact.line.specialty)
        return self._mue[key]

    def aoc_primaries(self, fact: LineFacts) -> frozenset[str] | None:
        key = (fact.code, self.quarters[fact.day])
        if key not in self._aoc:
            self._aoc[key] = self.ref.aoc_primaries(fact.code, fact.line.dos)
        return self._aoc[key]
