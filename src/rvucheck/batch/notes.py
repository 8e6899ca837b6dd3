"""The run's notes when its lines were checked in buckets: said once for the whole input, equal to what one
engine run over every line says (Report.notes), never one bucket's.

- RD02 (NCCI edits older or newer than the dates) and RD03 (a quarter priced from another release, with its
  count of dates of service) come from the set of dates alone: `date_notes` runs the engine, with no rules,
  over one line per distinct date (each the date's first line in the input), so it counts what one run
  counts. The NCCI quarters the run names come from it too.
- The column notes (RD04-RD07, RD14-RD16) and RD10 depend on the layout, which every bucket is given
  whole: each bucket says them alike, and they are said once.
- The counting notes (RD09 code sets and Excludes1 notes, RD13 drug prices) add up: their line counts are
  summed across buckets and their date spans widened (`merge_notes`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rvucheck.model import CellRef, ChargeLine
from rvucheck.rules.ruleset import Ruleset
from rvucheck.session import Session

DATE_RULES = frozenset({"RD01", "RD02", "RD03"})
COUNTING_RULES = frozenset({"RD09", "RD13"})  # their messages count lines: the buckets' counts add up
# The order one engine run gives its notes in (engine.runner): (rule id, message prefix) of each kind.
_ORDER = (
    ("RD02", ""), ("RD03", ""), ("RD04", ""), ("RD05", ""), ("RD07", ""), ("RD06", ""), ("RD14", ""),
    ("RD15", ""), ("RD16", ""), ("RD09", "diagnosis codes"), ("RD09", "Excludes1"), ("RD13", ""),
    ("RD10", ""),
)  # fmt: skip


@dataclass(frozen=True)
class Note:
    """One bucket's run note: its rule id, message and the input row it points at."""

    rule: str
    severity: str
    message: str
    row: int


@dataclass(frozen=True)
class DateNotes:
    notes: tuple[Note, ...]
    ncci_quarter: str


def date_notes(
    firsts: Sequence[tuple[dt.date | None, CellRef]], columns: tuple[tuple[str, int], ...], session: Session
) -> DateNotes:
    """RD02/RD03 and the NCCI quarters of a run from its distinct dates (`firsts`: each date with the source
    of its first line, in input order)."""
    lines = [ChargeLine(source=source, hcpcs="", dos=dos, columns=columns) for dos, source in firsts]
    empty = Session(session.settings, Ruleset(()), session.data_dir, [session.reference])
    report = empty.check(lines)
    notes = tuple(
        Note(f.rule, f.severity, f.message, f.source.row)
        for f in report.run_findings
        if f.rule in DATE_RULES - {"RD01"}
    )
    return DateNotes(notes, report.ncci_quarter)


def merge_notes(dates: DateNotes, buckets: Iterable[Note]) -> list[Note]:
    """The run's notes in one engine run's order: the date notes, then the buckets' notes merged (the row
    of a merged note: the first of its buckets')."""
    by_kind: dict[tuple[str, str], list[Note]] = {}
    for note in buckets:
        if note.rule in DATE_RULES:
            continue
        by_kind.setdefault(_kind(note), []).append(note)
    out = list(dates.notes)
    for kind in [*_ORDER[2:], *sorted(set(by_kind) - set(_ORDER))]:
        notes = sorted(by_kind.get(kind, ()), key=lambda note: note.row)
        if notes:
            first = notes[0]
            out.extend(Note(first.rule, first.severity, text, first.row) for text in _merged(notes))
    return out


def _kind(note: Note) -> tuple[str, str]:
    for rule, prefix in _ORDER:
        if note.rule == rule and prefix and note.message.startswith(prefix):
            return rule, prefix
    return note.rule, ""


def _merged(notes: list[Note]) -> list[str]:
    """One message for notes of one kind: counting ones (RD09, RD13) added up over every bucket's note (two
    buckets may say the same count: both count); the others, said alike by every bucket, once."""
    every = [note.message for note in notes]
    if notes[0].rule in COUNTING_RULES and len(every) > 1:
        added = _drugs(every) if notes[0].rule == "RD13" else _add_parts(every)
        if added is not None:
            return [added]
    return list(dict.fromkeys(every))


# "2,962 lines" / "1 line", "dated 2026-10-01" / "dated 2026-10-01 to 2026-10-30" (engine/kinds/diagnoses.py
# and excludes1.py word their RD09 notes so)
_COUNT = re.compile(r"(\d[\d,]*) lines?\b")
_SPAN = re.compile(r"dated (\d{4}-\d\d-\d\d)(?: to (\d{4}-\d\d-\d\d))?")


def _add_parts(messages: list[str]) -> str | None:
    """RD09: the "; "-joined parts of each bucket's note, parts alike but for their line counts and date
    spans added up (counts summed, spans widened), in the order first met. None when a part will not parse."""
    merged: dict[str, tuple[list[int], list[list[str]]]] = {}
    for message in messages:
        for part in message.split("; "):
            shape = _SPAN.sub("D", _COUNT.sub("N", part))
            counts = [int(m.replace(",", "")) for m in _COUNT.findall(part)]
            spans = [[d for d in m if d] for m in _SPAN.findall(part)]
            if shape not in merged:
                merged[shape] = (counts, spans)
                continue
            total, wide = merged[shape]
            if len(total) != len(counts) or len(wide) != len(spans):
                return None
            merged[shape] = ([a + b for a, b in zip(total, counts, strict=True)],
                             [a + b for a, b in zip(wide, spans, strict=True)])  # fmt: skip
    parts = [_render(shape, counts, spans) for shape, (counts, spans) in merged.items()]
    # the engine says the judged-by-another-set parts before the not-checked one
    return "; ".join(sorted(parts, key=lambda part: part.startswith("diagnosis codes not checked")))


def _render(shape: str, counts: list[int], spans: list[list[str]]) -> str:
    words = iter(f"{n:,} line{'s' if n != 1 else ''}" for n in counts)
    dates = iter(sorted(span) for span in spans)
    text = re.sub(r"\bN\b", lambda _m: next(words), shape)
    return re.sub(r"\bD\b", lambda _m: _dated(next(dates)), text)


def _dated(dates: list[str]) -> str:
    return f"dated {dates[0]}" if dates[0] == dates[-1] else f"dated {dates[0]} to {dates[-1]}"


_DRUGS = re.compile(
    r"(\d+) Part B drug lines? (?:are|is) dated outside the quarter of the ASP file that priced (?:them|it): "
    r"(.*?); (CMS publishes .*)"
)
_FILE = re.compile(r"(.+?) \((\d+) lines?\)")


def _drugs(messages: list[str]) -> str | None:
    """RD13 (engine/drug_notes.py): the lines of each ASP file summed across buckets."""
    files: dict[str, int] = {}
    tail = ""
    for message in messages:
        match = _DRUGS.fullmatch(message)
        if match is None:
            return None
        tail = match[3]
        for item in match[2].split(", "):
            found = _FILE.fullmatch(item)
            if found is None:
                return None
            files[found[1]] = files.get(found[1], 0) + int(found[2])
    count = sum(files.values())
    used = ", ".join(f"{label} ({n} line{'s' if n != 1 else ''})" for label, n in sorted(files.items()))
    return (
        f"{count} Part B drug line{'s are' if count != 1 else ' is'} dated outside the quarter of the "
        f"ASP file that priced {'them' if count != 1 else 'it'}: {used}; {tail}"
    )
