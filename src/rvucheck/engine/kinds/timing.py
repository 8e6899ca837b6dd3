"""Time-based codes against the minutes the export documents (the TM rules, issue 18).

The minutes each code claims are reference data (data/time_thresholds.toml, through `ReferenceData.
time_table`), picked by the line's date of service: office E/M times (2021-2023 ranges, 2024+ minimums),
prolonged-service and critical-care add-on units, psychotherapy ranges, the therapy 8-minute rule, anesthesia
minutes. A rule of these kinds needs the export's minutes column: without it the engine does not run the rule
and says so once (RD14). A line whose minutes cell is blank is not judged here (DC08 names it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import DATE, PATIENT, STAKE, Hit, Kind, params_schema
from rvucheck.engine.linking import MINUTES
from rvucheck.refdata.types import TimeTable

FAMILY = {"type": "string", "enum": ["office_em", "critical_care", "psychotherapy"]}
ADDON = {"type": "string", "pattern": "^[0-9A-Z]{5}$"}
TIMED = frozenset({MINUTES})
TIMED_DAY = frozenset({MINUTES, PATIENT, DATE})


def _minutes(value: float) -> str:
    return f"{value:g}"


def _table(ctx: Context, fact: LineFacts, family: str, code: str = "") -> TimeTable | None:
    return ctx.ref.time_table(family, fact.line.dos, code)


def _with_minutes(ctx: Context) -> Iterator[LineFacts]:
    return (fact for fact in ctx.run_facts if fact.line.minutes is not None)


FAMILY_PARAMS = params_schema({"family": FAMILY, "stake": STAKE}, required=("family",))


def time_below_minimum(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A time-based code whose documented minutes fall short of the minimum its level claims."""
    stake = float(params.get("stake", 0.0))
    for fact in _with_minutes(ctx):
        table = _table(ctx, fact, params["family"])
        if table is None or fact.code not in table.minimum:
            continue
        minimum, minutes = table.minimum[fact.code], float(fact.line.minutes or 0)
        if minutes < minimum:
            values = {"minutes": _minutes(minutes), "minimum": _minutes(minimum), "source": table.source}
            yield Hit(fact.position, "minutes", values, stake)


def time_supports_higher(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A leveled code whose documented minutes reach a higher level of its family (under-coded on time)."""
    for fact in _with_minutes(ctx):
        table = _table(ctx, fact, params["family"])
        if table is None or fact.code not in table.minimum:
            continue
        minutes = float(fact.line.minutes or 0)
        higher = [
            code
            for code, minimum in table.minimum.items()
            if code[:4] == fact.code[:4] and code > fact.code and minutes >= minimum
        ]
        if higher:
            best = max(higher)
            values = {"minutes": _minutes(minutes), "higher": best, "minimum": _minutes(table.minimum[best])}
            yield Hit(fact.position, "hcpcs", values)


def time_outside_range(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A code of time ranges (psychotherapy) whose documented minutes fall outside its own range."""
    stake = float(params.get("stake", 0.0))
    for fact in _with_minutes(ctx):
        table = _table(ctx, fact, params["family"])
        if table is None or fact.code not in table.minimum:
            continue
        minutes = float(fact.line.minutes or 0)
        low, high = table.minimum[fact.code], table.maximum.get(fact.code)
        if minutes >= low and (high is None or minutes <= high):
            continue
        fits = [
            code
            for code, minimum in table.minimum.items()
            if code[:4] == fact.code[:4] and _in_range(minutes, minimum, table.maximum.get(code))
            and code.endswith(("2", "4", "7")) == fact.code.endswith(("2", "4", "7"))
        ]  # fmt: skip
        values = {
            "minutes": _minutes(minutes),
            "range": f"{_minutes(low)}-{_minutes(high)}" if high else f"{_minutes(low)} or more",
            "fits": f"the time fits {fits[0]}" if fits else "the time fits no code of the family",
        }
        yield Hit(fact.position, "minutes", values, stake)


def _in_range(minutes: float, low: float, high: float | None) -> bool:
    return minutes >= low and (high is None or minutes <= high)


ADDON_PARAMS = params_schema(
    {
        "family": {"type": "string", "enum": ["prolonged", "critical_care"]},
        "code": ADDON,
        "stake": STAKE,
    },
    required=("family", "code"),
)


def addon_time_units(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Units of a time add-on (G2212, 99417, 99292) beyond what the day's documented total time earns."""
    addon: str = params["code"]
    stake = float(params.get("stake", 1.0))
    for fact in ctx.run_facts:
        if fact.code != addon or not fact.linked:
            continue
        table = _table(ctx, fact, params["family"], addon)
        if table is None:
            continue
        day = ctx.same_day_physician(fact)
        primaries = [f for f in day if f.code in table.first_unit]
        timed = [f.line.minutes for f in (*primaries, *(f for f in day if f.code == addon))]
        known = [m for m in timed if m is not None]
        if not primaries or not known or fact is not max((f for f in day if f.code == addon), key=_last):
            continue  # no primary (the add-on rules say so), no time documented (DC08), or not the last
        total = max(known)  # the total time on the date, written on the primary or on the add-on line
        first = min(table.first_unit[p.code] for p in primaries)
        earned = 0 if total < first else 1 + int((total - first) // table.step)
        billed = sum(f.line.units for f in day if f.code == addon)
        if billed > earned:
            values = {
                "minutes": _minutes(total),
                "billed": _minutes(billed),
                "earned": earned,
                "first": _minutes(first),
                "step": _minutes(table.step),
                "primary": primaries[0].code,
            }
            yield Hit(fact.position, "units", values, stake * (billed - earned) / billed)


def _last(fact: LineFacts) -> int:
    return fact.position


TIMED_UNITS_PARAMS = params_schema({"stake": STAKE})


def eight_minute_rule(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Therapy timed-code units of a patient's day (one provider) beyond what the total timed minutes earn."""
    stake = float(params.get("stake", 1.0))
    groups: dict[tuple[str, int, str], list[LineFacts]] = defaultdict(list)
    for fact in ctx.run_facts:
        if fact.linked:
            table = _table(ctx, fact, "therapy_timed")
            if table is not None and table.covers(fact.code):
                groups[fact.patient, fact.day, fact.physician].append(fact)
    for lines in groups.values():
        if any(f.line.minutes is None for f in lines):
            continue  # a timed line without its minutes: the day cannot be added up (DC08 names it)
        total = sum(float(f.line.minutes or 0) for f in lines)
        earned = int((total + 7) // 15) if total >= 8 else 0  # 8-22 one unit, 23-37 two, ...
        billed = sum(f.line.units for f in lines)
        if billed > earned:
            last = max(lines, key=lambda f: (f.line.units, f.position))
            values = {"minutes": _minutes(total), "billed": _minutes(billed), "earned": earned}
            yield Hit(last.position, "units", values, stake * (billed - earned) / billed)


def anesthesia_minutes(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Anesthesia billed for more minutes (the line's units) than the record documents."""
    stake = float(params.get("stake", 1.0))
    for fact in _with_minutes(ctx):
        table = _table(ctx, fact, "anesthesia")
        if table is None or not table.covers(fact.code):
            continue
        minutes = float(fact.line.minutes or 0)
        if fact.line.units > minutes:
            values = {"minutes": _minutes(minutes), "billed": _minutes(fact.line.units)}
            yield Hit(fact.position, "units", values, stake * (fact.line.units - minutes) / fact.line.units)


KINDS = (
    Kind("time_below_minimum", time_below_minimum, ("minutes", "minimum", "source"), FAMILY_PARAMS, TIMED),
    Kind(
        "time_supports_higher", time_supports_higher, ("minutes", "higher", "minimum"), FAMILY_PARAMS, TIMED
    ),
    Kind("time_outside_range", time_outside_range, ("minutes", "range", "fits"), FAMILY_PARAMS, TIMED),
    Kind(
        "addon_time_units",
        addon_time_units,
        ("minutes", "billed", "earned", "first", "step", "primary"),
        ADDON_PARAMS,
        TIMED_DAY,
    ),
    Kind(
        "eight_minute_rule", eight_minute_rule, ("minutes", "billed", "earned"), TIMED_UNITS_PARAMS, TIMED_DAY
    ),
    Kind("anesthesia_minutes", anesthesia_minutes, ("minutes", "billed"), TIMED_UNITS_PARAMS, TIMED),
)
