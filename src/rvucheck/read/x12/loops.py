"""837P segments -> service lines, claim by claim: the loops the reader needs, followed as a state machine.

2000A/2010AA billing provider (HL 20, NM1*85, PRV*BI), 2000B/2010BA subscriber (HL 22, NM1*IL member id),
2010BB payer (NM1*PR), 2000C/2010CA patient (HL 23, NM1*QC, DMG), 2300 claim (CLM, HI), 2310B rendering
provider (NM1*82, PRV*PE), 2400 service line (LX, SV1, DTP*472), 2420A line rendering provider (NM1*82).
Any other segment is passed over. A damaged segment makes its claim a BadClaim (every line of it reported,
none checked); damage outside a claim goes to the claims that follow it up to the next HL, or is reported
on its own when no claim follows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rvucheck.read.cells import shown
from rvucheck.read.x12.records import (
    PROFESSIONAL,
    REQUIRED_SV1,
    BadClaim,
    Line,
    OpenClaim,
    ServiceLine,
    WrongTransaction,
    describe,
    missing,
)
from rvucheck.read.x12.tokens import CUT_SHORT, Delimiters
from rvucheck.read.x12.values import Damage, diagnoses, number, person_key, pointers, service_dates


def _name(elements: list[str]) -> str:
    last = elements[3] if len(elements) > 3 else ""
    first = elements[4] if len(elements) > 4 else ""
    return f"{last}, {first}" if first else last


def _at(elements: list[str], index: int) -> str:
    return elements[index] if len(elements) > index else ""


class Loops:
    """Feed it the segments of a file (tokens.segments); it yields ServiceLine and BadClaim values."""

    def __init__(self, delimiters: list[Delimiters]) -> None:
        self.delimiters = delimiters
        self.component = ":"
        self.claim: OpenClaim | None = None
        self.line: Line | None = None
        self.in_line = False  # past an LX of the open claim
        self.last82 = ""  # "claim" or "line": whose NM1*82 a PRV*PE describes
        self.billing = ["", "", ""]  # npi, name, taxonomy
        self.member = self.payer = ""
        self.dependent: list[str] | None = None  # last, first, birth date of a 2000C patient
        self.pending: tuple[int, str, str] | None = None  # damage outside a claim
        self.pending_used = False
        self.in_transaction = False
        self.st_segment = 0
        self.handlers = {
            "ISA": self._isa, "GS": self._gs, "ST": self._st, "SE": self._end, "GE": self._end,
            "IEA": self._end, "HL": self._hl, "NM1": self._nm1, "PRV": self._prv, "DMG": self._dmg,
            "SBR": self._sbr, "CLM": self._clm, "HI": self._hi, "LX": self._lx, "SV1": self._sv1,
            "DTP": self._dtp,
        }  # fmt: skip
        self.valid_ids: set[str] = set()
        self.out: list[ServiceLine | BadClaim] = []

    def run(self, segments: Iterable[tuple[int, list[str]]]) -> Iterator[ServiceLine | BadClaim]:
        handlers, out = self.handlers, self.out
        for number_, elements in segments:
            handler = handlers.get(elements[0])
            try:
                if handler is not None:
                    handler(number_, elements)
                elif elements[0] not in self.valid_ids:
                    self._check_id(number_, elements)
            except Damage as exc:
                self._damage(number_, elements[0], str(exc))
            if out:
                yield from out
                out.clear()
        if self.claim is not None and self.in_transaction:
            self._damage(
                self.claim.segment, "CLM", "the file ends inside this claim (no SE): it was cut short"
            )
        self._close()
        self._flush_pending()
        yield from out

    def _check_id(self, number_: int, elements: list[str]) -> None:
        sid = elements[0]
        if sid == CUT_SHORT:
            raise Damage("the file ends inside this segment (no segment terminator): it was cut short")
        if not (
            2 <= len(sid) <= 3 and sid.isascii() and sid.isalnum() and sid[0].isalpha() and sid.isupper()
        ):
            raise Damage("this is not an X12 segment (no valid segment id)")
        self.valid_ids.add(sid)

    def _damage(self, number_: int, sid: str, reason: str) -> None:
        label = sid if sid != CUT_SHORT and sid.isascii() and sid.isprintable() and len(sid) <= 3 else "?"
        if self.claim is not None:
            if self.claim.damage is None:
                self.claim.damage = (number_, label, reason)
        elif self.pending is None:
            self.pending, self.pending_used = (number_, label, reason), False

    def _flush_pending(self) -> None:
        if self.pending is not None and not self.pending_used:
            self.out.append(BadClaim(*self.pending, 0, ()))
        self.pending = None

    # envelopes
    def _isa(self, number_: int, elements: list[str]) -> None:
        self._close()
        if self.delimiters:
            self.component = self.delimiters[-1].component

    def _gs(self, number_: int, elements: list[str]) -> None:
        self._close()
        kind, version = _at(elements, 1), _at(elements, 8)
        if kind != "HC" or not version.startswith(PROFESSIONAL):
            raise WrongTransaction(describe(kind, version, number_))

    def _st(self, number_: int, elements: list[str]) -> None:
        self._close()
        kind, version = _at(elements, 1), _at(elements, 3)
        if kind != "837":
            raise WrongTransaction(
                f"segment {number_} starts an X12 transaction of type '{shown(kind, 4)}', not an 837"
            )
        if version and not version.startswith(PROFESSIONAL):
            raise WrongTransaction(describe("HC", version, number_))
        self.in_transaction, self.st_segment = True, number_

    def _end(self, number_: int, elements: list[str]) -> None:
        self._close()
        self._flush_pending()
        if elements[0] == "SE":
            self.in_transaction = False
            counted = _at(elements, 1)
            if counted != str(number_ - self.st_segment + 1):  # segments lost or added in transit
                reason = "SE01 (segment count) does not match the transaction's segments: some may be lost"
                self.out.append(BadClaim(number_, "SE", reason, 0, ()))

    # hierarchy: billing provider, subscriber, patient
    def _hl(self, number_: int, elements: list[str]) -> None:
        self._close()
        self._flush_pending()
        level = _at(elements, 3)
        if level == "20":
            self.billing = ["", "", ""]
            self.member = self.payer = ""
            self.dependent = None
        elif level == "22":
            self.member = self.payer = ""
            self.dependent = None
        elif level == "23":
            self.dependent = ["", "", ""]
        else:
            raise Damage("HL03 (hierarchical level) is not 20, 22 or 23")

    def _nm1(self, number_: int, elements: list[str]) -> None:
        entity, claim = _at(elements, 1), self.claim
        if entity == "82":
            npi = elements[9] if _at(elements, 8) == "XX" else ""
            if self.line is not None and self.in_line:
                self.line.npi, self.line.name, self.line.taxonomy = npi, _name(elements), ""
                self.last82 = "line"
            elif claim is not None and not claim.other_payer and not self.in_line:
                claim.npi, claim.name, claim.taxonomy = npi, _name(elements), ""
                self.last82 = "claim"
        elif claim is not None:
            return  # another payer's, a referring provider's, a facility's ...
        elif entity == "85":
            self.billing[0] = elements[9] if _at(elements, 8) == "XX" else ""
            self.billing[1] = _name(elements)
        elif entity == "IL":
            self.member = _at(elements, 9)
        elif entity == "PR":
            self.payer = _at(elements, 3)
        elif entity == "QC" and self.dependent is not None:
            self.dependent[0], self.dependent[1] = _at(elements, 3), _at(elements, 4)

    def _prv(self, number_: int, elements: list[str]) -> None:
        code, taxonomy = _at(elements, 1), _at(elements, 3)
        if code == "BI" and self.claim is None:
            self.billing[2] = taxonomy
        elif code == "PE" and self.last82 == "line" and self.line is not None:
            self.line.taxonomy = taxonomy
        elif code == "PE" and self.last82 == "claim" and self.claim is not None and not self.in_line:
            self.claim.taxonomy = taxonomy

    def _dmg(self, number_: int, elements: list[str]) -> None:
        if self.claim is None and self.dependent is not None:
            self.dependent[2] = _at(elements, 2)

    def _sbr(self, number_: int, elements: list[str]) -> None:
        if self.claim is not None:
            self.claim.other_payer = True

    # the claim and its lines
    def _clm(self, number_: int, elements: list[str]) -> None:
        self._close()
        claim = self.claim = OpenClaim(number_)
        self.last82 = ""
        if self.pending is not None:
            claim.damage, self.pending_used = self.pending, True
        claim.id = _at(elements, 1)
        if not claim.id:
            raise Damage("CLM01 (claim id) is missing")
        place = _at(elements, 5).split(self.component)
        if not place[0]:
            raise Damage("CLM05-1 (place of service) is missing")
        claim.pos, claim.frequency = place[0], place[2] if len(place) > 2 else ""

    def _hi(self, number_: int, elements: list[str]) -> None:
        if self.claim is None or self.in_line:
            return
        codes = diagnoses(elements, self.component)
        if codes is not None:
            self.claim.dx.extend(codes)

    def _lx(self, number_: int, elements: list[str]) -> None:
        if self.claim is None:
            raise Damage("LX (service line) outside a claim (no CLM before it)")
        self.in_line, self.line, self.last82 = True, None, ""

    def _sv1(self, number_: int, elements: list[str]) -> None:
        claim = self.claim
        if claim is None:
            self.out.append(
                BadClaim(number_, "SV1", "a service line outside a claim (no CLM before it)", 0, ())
            )
            return
        claim.lines.append(number_)
        if not self.in_line or self.line is not None:
            raise Damage("SV1 without its own LX (service line number)")
        if len(elements) < 8 or not all(elements[i] for i in REQUIRED_SV1):
            missing = next(i for i in REQUIRED_SV1 if len(elements) <= i or not elements[i])
            raise Damage(f"{REQUIRED_SV1[missing]} is missing")
        procedure = elements[1].split(self.component)
        if procedure[0] != "HC":
            raise Damage("SV101-1 is not HC (a HCPCS/CPT code)")
        code = procedure[1].strip().upper() if len(procedure) > 1 else ""
        if not code:
            raise Damage("SV101-2 (procedure code) is missing")
        modifiers = tuple(m.strip().upper() for m in procedure[2:6] if m.strip())
        basis = elements[3]
        if basis not in ("UN", "MJ"):
            raise Damage("SV103 (unit basis) is neither UN (units) nor MJ (minutes)")
        self.line = Line(
            number_, code, modifiers, number(elements[2], "SV102 (charge)"),
            number(elements[4], "SV104 (units)"), basis, elements[5] or claim.pos,
            pointers(elements[7], self.component),
        )  # fmt: skip
        claim.good.append(self.line)

    def _dtp(self, number_: int, elements: list[str]) -> None:
        line = self.line
        if line is None or not self.in_line or _at(elements, 1) != "472" or line.dos is not None:
            return
        line.dos, line.end = service_dates(_at(elements, 2), _at(elements, 3))

    def _close(self) -> None:
        claim, self.claim, self.line, self.in_line = self.claim, None, None, False
        if claim is None:
            return
        damage = claim.damage or missing(claim)
        if damage is not None:
            self.out.append(BadClaim(*damage, claim.segment, tuple(claim.lines)))
            return
        patient = self.member
        if self.dependent is not None:
            patient = person_key(self.member, *self.dependent)
        billing_npi, billing_name, billing_taxonomy = self.billing
        for line in claim.good:
            assert line.dos is not None and line.end is not None  # missing() saw to it
            if line.npi or line.name:
                npi, name, taxonomy = line.npi, line.name, line.taxonomy
            elif claim.npi or claim.name:
                npi, name, taxonomy = claim.npi, claim.name, claim.taxonomy
            else:
                npi, name, taxonomy = billing_npi, billing_name, billing_taxonomy
            self.out.append(ServiceLine(
                line.segment, claim.id, patient, self.payer, claim.frequency, billing_npi, npi, name,
                taxonomy, line.code, line.modifiers, line.charge, line.units, line.basis, line.pos,
                tuple(claim.dx[p - 1] for p in line.pointers), line.dos, line.end,
            ))  # fmt: skip
