"""The same service lines as read/x12 gives, taken from pyx12 4.0.0's parse of a file (its 837P map, walked
loop by loop with X12ContextReader): the independent side of the equality tests. pyx12 is a test dependency
only. What pyx12 does not judge (a pointer past the claim's diagnoses, a line without a service date) is
judged here on pyx12's values; the claims pyx12's validator finds errors in are the damaged ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyx12.error_handler
import pyx12.params
import pyx12.x12context

from rvucheck.read.x12.records import ServiceLine
from rvucheck.read.x12.values import person_key


@dataclass
class Pyx12Read:
    lines: list[ServiceLine] = field(default_factory=list)
    bad_claims: dict[int, int | None] = field(default_factory=dict)  # CLM line -> pyx12's first error inside
    errors: list[tuple[int, str]] = field(default_factory=list)  # every error pyx12 reported (line, text)


def _errors(node: Any, out: list[tuple[int, str]]) -> None:
    line = getattr(node, "cur_line", None)
    for error in getattr(node, "errors", None) or []:
        out.append((line, error[1]))
    for element in getattr(node, "elements", None) or []:
        for error in getattr(element, "errors", None) or []:
            out.append((line, error[1]))
    for child in getattr(node, "children", None) or []:
        _errors(child, out)


def _segments(node: Any) -> Iterator[Any]:
    for child in node.children:
        if child.type == "seg":
            yield child
        elif child.type == "loop":
            yield from _segments(child)


def _value(node: Any, path: str) -> str:
    return node.get_value(path) or ""


def _name(node: Any, loop: str) -> str:
    last, first = _value(node, f"{loop}/NM103"), _value(node, f"{loop}/NM104")
    return f"{last}, {first}" if first else last


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y%m%d").date()


def read_with_pyx12(path: Path) -> Pyx12Read:
    result = Pyx12Read()
    errh = pyx12.error_handler.err_handler()
    spans: list[tuple[int, int]] = []  # (CLM line, last line) of every claim
    with path.open(encoding="ascii", newline="") as handle:
        reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), errh, handle)
        for billing in reader.iter_segments("2000A"):
            if billing.id != "2000A":
                continue
            provider = (_value(billing, "2010AA/NM109"), _name(billing, "2010AA"), _value(billing, "PRV03"))
            for subscriber in billing.select("2000B"):
                member, payer = _value(subscriber, "2010BA/NM109"), _value(subscriber, "2010BB/NM103")
                owners = [(member, subscriber)]
                for patient in subscriber.select("2000C"):
                    key = person_key(
                        member, _value(patient, "2010CA/NM103"), _value(patient, "2010CA/NM104"),
                        _value(patient, "2010CA/DMG02"),
                    )  # fmt: skip
                    owners.append((key, patient))
                for key, owner in owners:
                    for claim in owner.select("2300"):
                        _claim(claim, key, payer, provider, result, spans)
    _errors(errh, result.errors)
    # pyx12 finds a required segment missing at the segment after the loop that lacks it (the next CLM):
    # such an error is the previous claim's
    owner: dict[int, int] = {}
    for line, text in result.errors:
        for start, last in spans:
            if start <= line <= last and not (line == start and "Mandatory segment" in text):
                owner.setdefault(start, line)
            elif line == last + 1 and "Mandatory segment" in text:
                owner.setdefault(start, 0)
    for start, line in owner.items():
        result.bad_claims[start] = line or None
    for start, _last in spans:
        if start in result.bad_claims and start not in owner:
            result.bad_claims[start] = None  # judged here: a pointer past the diagnoses
    bad = set(result.bad_claims)
    result.lines = [line for line in result.lines if _claim_of(line, spans) not in bad]
    return result


def _claim_of(line: ServiceLine, spans: list[tuple[int, int]]) -> int:
    return next(start for start, last in spans if start <= line.segment <= last)


def _claim(
    claim: Any, patient: str, payer: str, billing: tuple[str, str, str], result: Pyx12Read,
    spans: list[tuple[int, int]],
) -> None:  # fmt: skip
    numbers = [segment.cur_line_number for segment in _segments(claim)]
    start = next(_segments(claim)).cur_line_number
    spans.append((start, max(numbers)))
    composite = claim.get_value("CLM05") or ""
    place = composite.split(":") if ":" in composite else composite.split(">")
    codes = []
    for hi in claim.select("HI"):
        for position in range(1, 13):
            value = hi.get_value(f"HI{position:02d}") or ""
            qualifier, _sep, code = value.replace(">", ":").partition(":")
            if qualifier in ("ABK", "ABF"):
                codes.append(_dotted(code))
    rendering = (_value(claim, "2310B/NM109"), _name(claim, "2310B"), _value(claim, "2310B/PRV03"))
    for line in claim.select("2400"):
        sv1 = next(line.select("SV1"))
        procedure = (line.get_value("SV101") or "").replace(">", ":").split(":")
        pointers = [int(p) for p in (line.get_value("SV107") or "").replace(">", ":").split(":") if p]
        dates = ""
        for dtp in line.select("DTP"):
            if dtp.get_value("DTP01") == "472":
                dates = dtp.get_value("DTP03") or ""
        first, _dash, last = dates.partition("-")
        try:
            charge, units, days = float(_value(line, "SV102")), float(_value(line, "SV104")), _day(first)
            end = _day(last or first)
        except ValueError:  # pyx12's validator reports these; the claim is left out below
            result.bad_claims[start] = None
            continue
        if any(p > len(codes) for p in pointers):
            result.bad_claims[start] = None
            continue
        npi = (_value(line, "2420A/NM109"), _name(line, "2420A"), _value(line, "2420A/PRV03"))
        chosen = npi if npi[0] else rendering if rendering[0] else billing
        result.lines.append(
            ServiceLine(
                sv1.cur_line_number, claim.get_value("CLM01") or "", patient, payer,
                place[2] if len(place) > 2 else "", billing[0], chosen[0], chosen[1], chosen[2],
                procedure[1], tuple(m for m in procedure[2:6] if m), charge, units, _value(line, "SV103"),
                _value(line, "SV105") or place[0], tuple(codes[p - 1] for p in pointers), days, end,
            )
        )  # fmt: skip
