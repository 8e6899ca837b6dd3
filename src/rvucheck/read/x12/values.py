"""The element values of an 837P the reader keeps, parsed and checked: each bad one raises Damage with the
element's name and what is wrong, never its value (a value may be patient data)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import lru_cache

from rvucheck.read.cells import BadValue, in_range, split_diagnoses

DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "BK", "BF"})  # ICD-10-CM principal/other; ICD-9 ones
OTHER_HI_QUALIFIERS = frozenset({"BP", "BO", "BG", "BH", "BE", "BI", "BQ", "BR", "BN", "TC"})
MAX_POINTERS = 12
_DECIMAL = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")


class Damage(ValueError):
    """A segment the reader cannot use; the message names the element and the fault."""


@lru_cache(maxsize=4096)
def number(text: str, name: str) -> float:
    """An X12 R (decimal) element: digits, an optional point and minus sign."""
    if not _DECIMAL.fullmatch(text):
        raise Damage(f"{name} is not a number")
    return float(text)


@lru_cache(maxsize=4096)
def date8(text: str, name: str) -> dt.date:
    """CCYYMMDD, between 1900 and 2100."""
    if len(text) != 8 or not text.isdigit() or not text.isascii():
        raise Damage(f"{name} is not a date (CCYYMMDD)")
    try:
        return in_range(dt.date(int(text[:4]), int(text[4:6]), int(text[6:])))
    except (ValueError, BadValue):
        raise Damage(f"{name} is not a valid date (CCYYMMDD, 1900-2100)") from None


@lru_cache(maxsize=4096)
def service_dates(qualifier: str, text: str) -> tuple[dt.date, dt.date]:
    """DTP*472: D8 one date, RD8 a range CCYYMMDD-CCYYMMDD (the line's date is its start)."""
    if qualifier == "D8":
        day = date8(text, "DTP03 (service date)")
        return day, day
    if qualifier == "RD8":
        start, dash, end = text.partition("-")
        if not dash:
            raise Damage("DTP03 (service dates, RD8) is not a range CCYYMMDD-CCYYMMDD")
        first, last = date8(start, "DTP03 (first service date)"), date8(end, "DTP03 (last service date)")
        if last < first:
            raise Damage("DTP03 (service dates, RD8) ends before it starts")
        return first, last
    raise Damage("DTP02 (date format) is neither D8 nor RD8")


@lru_cache(maxsize=16384)
def dotted(code: str) -> str:
    """An ICD-10-CM code in the project's dotted form (E119 -> E11.9), as the reader does elsewhere."""
    found = split_diagnoses(code)
    return found[0] if len(found) == 1 else code.strip().upper()


def diagnoses(elements: list[str], component: str) -> list[str] | None:
    """The diagnosis codes of an HI segment in order (ABK first), or None for an HI of other information
    (anesthesia procedures, condition codes ...)."""
    codes: list[str] = []
    for position, composite in enumerate(elements[1:], 1):
        if not composite:
            continue
        qualifier, _sep, code = composite.partition(component)
        if position == 1 and qualifier in OTHER_HI_QUALIFIERS:
            return None
        if qualifier not in DIAGNOSIS_QUALIFIERS:
            raise Damage(f"HI{position:02d}-1 is not a diagnosis code qualifier (ABK, ABF)")
        code = code.partition(component)[0].strip()
        if not code:
            raise Damage(f"HI{position:02d}-2 (diagnosis code) is empty")
        codes.append(dotted(code))
    return codes


@lru_cache(maxsize=1024)
def pointers(text: str, component: str) -> tuple[int, ...]:
    """SV107: one to four diagnosis pointers, each 1-12."""
    out: list[int] = []
    for part in text.split(component):
        if not part:
            continue
        if not part.isdigit() or not part.isascii() or not 1 <= int(part) <= MAX_POINTERS:
            raise Damage(f"SV107 (diagnosis pointer) is not a number 1-{MAX_POINTERS}")
        out.append(int(part))
    if not out:
        raise Damage("SV107 (diagnosis pointer) is missing")
    return tuple(out)


def person_key(member: str, last: str, first: str, born: str) -> str:
    """A dependent patient's key (loop 2000C has no id of its own): the subscriber's member id and a digest
    of the patient's name and date of birth, so two children of one subscriber are two patients and no name
    reaches an output."""
    digest = hashlib.sha256(f"{last.upper()}|{first.upper()}|{born}".encode()).hexdigest()[:12]
    return f"{member}~{digest}"
