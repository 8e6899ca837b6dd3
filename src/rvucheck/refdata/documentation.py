"""What a line's documentation must show, generated from its code's fee-schedule row, family and modifiers,
and the minutes the time-based codes claim: package data (data/documentation.toml,
data/time_thresholds.toml), each entry with its CMS or CPT source. Never written per code.

`requirements(row, code, modifiers)` serves the engine (per line, through ReferenceData.documentation), the
code page and the attachment rules; `time_table(family, on)` the time rules (TM01-TM09).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from rvucheck.model import DocRequirement
from rvucheck.refdata.types import RvuRow, TimeTable

EM_FIRST, EM_LAST = "99202", "99499"  # the E/M section (as engine.em: the engine may not be imported here)
# An unlisted code's descriptor in CMS's file: "Unlisted ...", abbreviated "Unlistd" / "Unlstd".
UNLISTED = re.compile(r"\bunl(?:i)?st(?:e)?d\b", re.IGNORECASE)
_INDICATORS = ("global_days", "pctc", "asst_surg", "co_surg", "team_surg", "mult_proc")
_ROW_FIELD = {"pctc": "pctc_indicator"}


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files("rvucheck.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class Template:
    """One requirement template of data/documentation.toml."""

    id: str
    trigger: str
    text: str
    source: str
    before_billing: str
    time: str  # the time family (data/time_thresholds.toml) whose minutes the requirement is about
    indicators: tuple[tuple[str, frozenset[str]], ...]
    modifiers: frozenset[str]
    codes: tuple[str, ...]
    unlisted: bool
    em: bool

    def applies(self, row: RvuRow | None, code: str, modifiers: frozenset[str]) -> str | None:
        """The modifier that triggered it ("" when none), or None when the template does not apply."""
        for name, values in self.indicators:
            if row is None or getattr(row, _ROW_FIELD.get(name, name)) not in values:
                return None
        if self.codes and not in_codes(code, self.codes):
            return None
        if self.em and not (len(code) == 5 and code.isdigit() and EM_FIRST <= code <= EM_LAST):
            return None
        if self.unlisted and not is_unlisted(row):
            return None
        if self.modifiers:
            found = sorted(self.modifiers & modifiers)
            return found[0] if found else None
        return ""


def in_codes(code: str, entries: tuple[str, ...]) -> bool:
    """Whether a code is one of `entries`, codes or ranges of codes of one shape ("99291-99292")."""
    for entry in entries:
        low, dash, high = entry.partition("-")
        if (dash and len(code) == len(low) and low <= code <= high) or code == entry:
            return True
    return False


X99 = re.compile(r"^[0-9]{3}99$")


def is_unlisted(row: RvuRow | None) -> bool:
    """An unlisted procedure or service: its descriptor in the installed RVU file says so, or it ends in 99
    and is contractor priced (status C: 45499 and 76999, whose short descriptors do not say "unlisted").
    The x99 shape alone is not enough: 29899, 21199, 87799 ... are listed codes."""
    if row is None:
        return False
    return bool(UNLISTED.search(row.description)) or (row.status_code == "C" and bool(X99.match(row.hcpcs)))


@cache
def templates() -> tuple[Template, ...]:
    return tuple(_template(entry) for entry in _load("documentation.toml")["requirement"])


def _template(entry: Mapping[str, Any]) -> Template:
    return Template(
        id=entry["id"],
        trigger=entry["trigger"],
        text=entry["text"],
        source=entry["source"],
        before_billing=entry.get("before_billing", ""),
        time=entry.get("time", ""),
        indicators=tuple((name, frozenset(entry[name])) for name in _INDICATORS if name in entry),
        modifiers=frozenset(entry.get("modifiers", ())),
        codes=tuple(entry.get("codes", ())),
        unlisted=bool(entry.get("unlisted")),
        em=bool(entry.get("em")),
    )


@lru_cache(maxsize=8192)
def requirements(row: RvuRow | None, code: str, modifiers: frozenset[str]) -> tuple[DocRequirement, ...]:
    """Every requirement the line's documentation must meet, in the data file's order. A time family's
    own requirement (office E/M, critical care, prolonged) stands in for the general E/M one."""
    applying = [(t, t.applies(row, code, modifiers)) for t in templates()]
    timed = any(t.time for t, modifier in applying if modifier is not None)
    found: list[DocRequirement] = []
    for template, modifier in applying:
        if modifier is None or (template.em and timed):
            continue
        days = row.global_days if row is not None else ""
        found.append(
            DocRequirement(
                id=template.id,
                text=template.text.format(global_days=days.lstrip("0") or "0"),
                source=template.source,
                trigger=template.trigger.format(global_days=days, modifier=modifier),
                before_billing=template.before_billing,
            )
        )
    return tuple(found)


def time_family(requirement_id: str) -> str:
    """The time family (data/time_thresholds.toml) a requirement is about ("" for none)."""
    return next((t.time for t in templates() if t.id == requirement_id), "")


def requirement_ids(before_billing: str = "") -> frozenset[str]:
    """The ids of every template (of those that need `before_billing` when given): rule params name them."""
    return frozenset(t.id for t in templates() if not before_billing or t.before_billing == before_billing)


@cache
def time_tables() -> tuple[TimeTable, ...]:
    return tuple(
        TimeTable(
            family=entry["family"],
            start=entry["from"],
            end=entry.get("to"),
            source=entry["source"],
            code=entry.get("code", ""),
            minimum={str(k): float(v) for k, v in entry.get("minimum", {}).items()},
            maximum={str(k): float(v) for k, v in entry.get("maximum", {}).items()},
            first_unit={str(k): float(v) for k, v in entry.get("first_unit", {}).items()},
            step=float(entry.get("step", 0)),
            codes=tuple(entry.get("codes", ())),
        )
        for entry in _load("time_thresholds.toml")["table"]
    )


def time_table(family: str, on: dt.date | None = None, code: str = "") -> TimeTable | None:
    """The table of a time family (and add-on code) in force on a date; the newest one without a date."""
    tables = [t for t in time_tables() if t.family == family and (not code or t.code == code)]
    if on is None:
        return max(tables, key=lambda t: t.start, default=None)
    return next((t for t in tables if t.start <= on and (t.end is None or on <= t.end)), None)
