"""The note behind a charge, from the export's own columns (the DC rules, issue 18): its status, the date it
was signed against the service and posting dates, the attachment flag of a line that needs a report, the
minutes of a time-based code. Each kind needs its column (RD14-RD16 say once when the export has none); a
blank cell in a column the export has is judged as "not documented" only where a rule says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import DATE, STAKE, Hit, Kind, params_schema
from rvucheck.engine.linking import ATTACHMENT, MINUTES, NOTE_STATUS, POSTED, SIGNED

_SEPARATORS = re.compile(r"[\s_\-/]+")
WORDS = {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}


def status_words(text: str) -> str:
    """A status as compared: lower case, runs of spaces, _ - / as one space ("Pending_Signature")."""
    return _SEPARATORS.sub(" ", text.strip().lower())


STATUS_PARAMS = params_schema(
    {"statuses": {**WORDS, "description": "note statuses (any case; _ - / read as spaces)"}, "stake": STAKE},
    required=("statuses",),
)


def note_status_is(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A charge whose note has one of the given statuses (unsigned, pending, missing ...)."""
    wanted = frozenset(status_words(s) for s in params["statuses"])
    stake = float(params.get("stake", 0.0))
    for fact in ctx.run_facts:
        status = fact.line.note_status
        if status and status_words(status) in wanted:
            yield Hit(fact.position, "note_status", {"status": status}, stake)


def signed_after_posted(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A charge posted before its note was signed."""
    for fact in ctx.run_facts:
        signed, posted = fact.line.signed, fact.line.posted
        if signed is not None and posted is not None and signed > posted:
            values = {
                "signed": signed.isoformat(),
                "posted": posted.isoformat(),
                "days": (signed - posted).days,
            }
            yield Hit(fact.position, "signed", values)


LAG_PARAMS = params_schema(
    {"max_days": {"type": "integer", "minimum": 0, "description": "days from service to signature allowed"}},
    required=("max_days",),
)


def signature_lag(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A note signed more than `max_days` after the date of service."""
    limit = int(params["max_days"])
    for fact in ctx.run_facts:
        signed, dos = fact.line.signed, fact.line.dos
        if signed is not None and dos is not None and (signed - dos).days > limit:
            values = {"signed": signed.isoformat(), "days": (signed - dos).days, "max_days": limit}
            yield Hit(fact.position, "signed", values)


def signed_before_service(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A note signed before the date of service it documents."""
    for fact in ctx.run_facts:
        signed, dos = fact.line.signed, fact.line.dos
        if signed is not None and dos is not None and signed < dos:
            yield Hit(fact.position, "signed", {"signed": signed.isoformat(), "days": (dos - signed).days})


ATTACHMENT_PARAMS = params_schema(
    {
        "requirements": {
            **WORDS,
            "description": "ids of data/documentation.toml requirements whose lines need the attachment",
        },
        "stake": STAKE,
    },
    required=("requirements",),
)


def attachment_missing(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A line whose generated requirements call for an attachment, without the export's attachment flag."""
    wanted = frozenset(params["requirements"])
    stake = float(params.get("stake", 0.0))
    for fact in ctx.run_facts:
        if fact.line.attachment is True:
            continue
        for requirement in ctx.ref.documentation(fact.row, fact.code, fact.mods):
            if requirement.id in wanted:
                values = {
                    "trigger": requirement.trigger,
                    "requirement": requirement.text,
                    "flag": "says no" if fact.line.attachment is False else "is blank",
                }
                yield Hit(fact.position, "attachment", values, stake)
                break


MINUTES_PARAMS = params_schema(
    {
        "families": {
            "type": "array",
            "minItems": 1,
            "items": {
                "enum": [
                    "office_em",
                    "prolonged",
                    "critical_care",
                    "psychotherapy",
                    "therapy_timed",
                    "anesthesia",
                ]
            },
        }
    },
    required=("families",),
)


def minutes_missing(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A time-based code with a blank minutes cell in an export that has the column."""
    families = tuple(params["families"])
    for fact in ctx.run_facts:
        if fact.line.minutes is not None or not fact.code:
            continue
        for family in families:
            dos = fact.line.dos
            table = ctx.ref.time_table(family, dos, fact.code) or ctx.ref.time_table(family, dos)
            if table is not None and table.covers(fact.code):
                if fact.code == table.code and _primary_timed(ctx, fact, table.first_unit):
                    break  # an add-on's time is the total written on its primary (99291 for 99292)
                yield Hit(fact.position, "minutes", {"family": family.replace("_", " ")})
                break


def _primary_timed(ctx: Context, fact: LineFacts, primaries: Mapping[str, float]) -> bool:
    day = ctx.same_day_physician(fact) if fact.linked else []
    return any(other.code in primaries and other.line.minutes is not None for other in day)


KINDS = (
    Kind("note_status_is", note_status_is, ("status",), STATUS_PARAMS, frozenset({NOTE_STATUS})),
    Kind(
        "signed_after_posted",
        signed_after_posted,
        ("signed", "posted", "days"),
        params_schema(),
        frozenset({SIGNED, POSTED}),
    ),
    Kind(
        "signature_lag", signature_lag, ("signed", "days", "max_days"), LAG_PARAMS, frozenset({SIGNED, DATE})
    ),
    Kind(
        "signed_before_service",
        signed_before_service,
        ("signed", "days"),
        params_schema(),
        frozenset({SIGNED, DATE}),
    ),
    Kind(
        "attachment_missing",
        attachment_missing,
        ("trigger", "requirement", "flag"),
        ATTACHMENT_PARAMS,
        frozenset({ATTACHMENT}),
    ),
    Kind("minutes_missing", minutes_missing, ("family",), MINUTES_PARAMS, frozenset({MINUTES})),
)
