"""Line hygiene kinds: duplicates, units, dates of service, place of service against NA indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts, same_physician
from rvucheck.engine.kinds.base import DATE, LINKS_LINES, Hit, Kind, modifier_list, params_schema

DUPLICATE_LINE_PARAMS = params_schema({"repeat_modifiers": modifier_list(1)}, required=("repeat_modifiers",))


def duplicate_line(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """The same code with the same modifiers for the same patient, date and provider, again, without a
    repeat modifier (76/77/91). Two physicians each billing a visit the same day is not a duplicate
    (Medicare's duplicate check is per provider, Claims Processing Manual ch. 1, §120)."""
    repeat = frozenset(params["repeat_modifiers"])
    for same_day in ctx.by_patient_day.values():
        if len(same_day) < 2:
            continue
        first_seen: dict[tuple[str, str, frozenset[str]], int] = {}
        for fact in same_day:
            if fact.history or not fact.code:
                continue
            key = (fact.physician, fact.code, fact.mods)
            if key not in first_seen:
                first_seen[key] = fact.line.source.row
            elif not fact.mods & repeat:
                yield Hit(fact.position, "hcpcs", {"first_row": first_seen[key]}, 1.0)


def units_value(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Units that are zero, negative or not a whole number."""
    for fact in ctx.run_facts:
        units = fact.line.units
        if units <= 0 or not float(units).is_integer():
            yield Hit(fact.position, "units", {})


UNITS_TOO_MANY_PARAMS = params_schema(
    {"max_units": {"type": "integer", "minimum": 1, "description": "the most units one line may carry"}},
    required=("max_units",),
)


def units_too_many(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """More units on one line than any service is billed with: a typing slip (a charge or an MRN in the
    units cell) or an export error; the line's price and every figure it feeds are that much too high."""
    most = params["max_units"]
    for fact in ctx.run_facts:
        if fact.line.units > most:
            yield Hit(fact.position, "units", {"max_units": f"{most:,}"})


def dos_missing(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A line without a date of service."""
    dates = ctx.run_dates
    return _lines_dated(ctx, {None} if None in dates else set(), 1.0)


def dos_future(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A date of service after today."""
    today = ctx.today
    return _lines_dated(ctx, {dos for dos in ctx.run_dates if dos is not None and dos > today}, 0.0)


def dos_no_release(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """No installed PFS release covers the year of the date of service, so a release of another year
    priced it."""
    bad = {
        dos
        for dos, release in ctx.run_dates.items()
        if dos is not None and (release is None or not release.release_id or release.year != dos.year)
    }
    return _lines_dated(ctx, bad, 0.0)


def _lines_dated(ctx: Context, bad: Collection[dt.date | None], stake: float) -> Iterator[Hit]:
    """The run's lines whose date of service is in `bad`. A month has ~30 distinct dates: the callers
    judge each date once, then the lines with a bad one are picked out here."""
    if not bad:
        return
    today = ctx.today.isoformat()
    for fact in ctx.run_facts:
        if fact.line.dos in bad:
            releases = (fact.release.release_id if fact.release else "") or "none"
            yield Hit(fact.position, "dos", {"today": today, "releases": releases}, stake)


FACILITY_NA_PARAMS = params_schema({"setting": {"enum": ["facility", "nonfacility"]}}, required=("setting",))


def facility_na(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A code whose PE RVU is NA in the setting its place of service is paid in (`setting`)."""
    facility = params["setting"] == "facility"
    setting = "facility" if facility else "non-facility"
    for fact in ctx.run_facts:
        row = fact.priced
        if fact.facility is not facility or row is None:
            continue
        flag = row.facility_na if facility else row.nonfacility_na
        if flag and flag.strip().upper() == "NA" and fact.line.pos.strip():
            yield Hit(fact.position, "pos", {"setting": setting})


NEW_PATIENT_SEEN_PARAMS = params_schema(
    {
        "new_patient_codes": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": "^[0-9A-Z]{5}$"},
        },
        "years": {"type": "integer", "minimum": 1, "maximum": 10},
        "not_seen_modifiers": modifier_list(
            description="lines with these modifiers are not a face-to-face service (26, TC)"
        ),
        "not_seen_pctc": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9]$"},
            "description": "PC/TC indicators of codes that are not a face-to-face service "
            "(2 PC only, 3 TC only)",
        },
        "not_seen_statuses": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Z]$"},
            "description": "PFS statuses of codes that are not a professional service (X)",
        },
    },
    required=("new_patient_codes", "years"),
)


def new_patient_seen(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A new-patient E/M for a patient the same physician (or same group and specialty) saw within
    `years` years: this run's earlier lines and the history the run was given.

    Only face-to-face professional services count (Claims Processing Manual ch. 12, §30.6.7.A): a
    reading billed with `not_seen_modifiers` (26/TC), a PC-only or TC-only code (`not_seen_pctc`) or a
    code of `not_seen_statuses` (X: lab tests drawn by staff) did not make the patient established.
    """
    codes = frozenset(params["new_patient_codes"])
    years = int(params["years"])
    not_seen_modifiers = frozenset(params.get("not_seen_modifiers", ()))
    not_seen_pctc = frozenset(params.get("not_seen_pctc", ()))
    not_seen_statuses = frozenset(params.get("not_seen_statuses", ()))

    def face_to_face(fact: LineFacts) -> bool:
        if fact.mods & not_seen_modifiers:
            return False
        row = fact.row
        return row is None or (
            row.pctc_indicator not in not_seen_pctc and row.status_code not in not_seen_statuses
        )

    for fact in ctx.run_facts:
        if fact.code not in codes or fact.line.dos is None:
            continue
        dos = fact.line.dos
        try:
            start = dos.replace(year=dos.year - years).toordinal()
        except ValueError:  # 29 February
            start = (dos - dt.timedelta(days=365 * years + 1)).toordinal()
        for other in reversed(ctx.by_patient.get(fact.patient, ())):
            if start <= other.day < fact.day and same_physician(fact, other) and face_to_face(other):
                seen = {"seen_dos": dt.date.fromordinal(other.day).isoformat(), "seen_code": other.code}
                yield Hit(fact.position, "hcpcs", {**seen, "years": years})
                break


DOS_FIELDS = ("today", "releases")
DATED = frozenset({DATE})
KINDS = (
    Kind("duplicate_line", duplicate_line, ("first_row",), DUPLICATE_LINE_PARAMS, needs=LINKS_LINES),
    Kind("units_value", units_value, (), params_schema()),
    Kind("units_too_many", units_too_many, ("max_units",), UNITS_TOO_MANY_PARAMS),
    Kind("dos_missing", dos_missing, DOS_FIELDS, params_schema(), needs=DATED),
    Kind("dos_future", dos_future, DOS_FIELDS, params_schema(), needs=DATED),
    Kind("dos_no_release", dos_no_release, DOS_FIELDS, params_schema(), needs=DATED),
    Kind("facility_na", facility_na, ("setting",), FACILITY_NA_PARAMS),
    Kind(
        "new_patient_seen",
        new_patient_seen,
        ("seen_dos", "seen_code", "years"),
        NEW_PATIENT_SEEN_PARAMS,
        needs=LINKS_LINES,
    ),
)
