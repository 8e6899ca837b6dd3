"""The rules engine: (lines, reference data, ruleset, settings) -> Report. Pure: no files, no Excel.

Every front end (CLI, workbook annotator, Excel UDFs, audit) calls `run`. Findings are values. Besides
the rule files' findings the engine itself reports three data notes, which no setting can switch off:
RD01 a row the reader could not use (error), RD02 dates newer than the installed NCCI quarter (warning),
RD03 a date priced from another PFS release than its own quarter's (info); RD09 (kinds/diagnoses.py)
diagnoses on dates no installed ICD code set covers (warning, when the diagnosis code rules run); RD13
(drug_notes.py) Part B drugs priced from an ASP file of another quarter (warning). And, when
the export lacks a column that links lines (engine.linking), one note each: RD04 no patient column and RD05
no date column (warning: the rules that need it were not run), RD06 no provider column (info: one provider
assumed), RD07 no diagnosis column; and, for the documentation rules, RD14 no minutes column, RD15 no note
status / signature / posting date column, RD16 no attachment flag (info: those rules were not run).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.drug_notes import stale_drug_notes
from rvucheck.engine.facts import Pricer, build_facts, release_pin_date
from rvucheck.engine.kinds import KINDS, Hit
from rvucheck.engine.kinds.diagnoses import CODE_SET_KINDS, code_set_notes
from rvucheck.engine.kinds.excludes1 import excludes1_notes
from rvucheck.engine.linking import (
    PATIENT,
    absent_fields,
    documentation_notes,
    first_missing,
    run_notes,
)
from rvucheck.engine.mppr import one_group_note
from rvucheck.errors import InputFileError, RvucheckError
from rvucheck.gc_pause import paused_gc
from rvucheck.model import (
    CellRef,
    ChargeLine,
    DocRequirement,
    Finding,
    LineResult,
    Report,
    Severity,
    UnreadableLine,
)
from rvucheck.refdata.types import ReferenceData

if TYPE_CHECKING:
    from rvucheck.rules.ruleset import Rule, Ruleset
    from rvucheck.settings import Settings

UNREADABLE_RULE, STALE_NCCI_RULE, RELEASE_NOTE_RULE = "RD01", "RD02", "RD03"
_T = TypeVar("_T")
# `run(..., share=)`: computes `[work(0), ..., work(count - 1)]` (its arguments: count, work, and the units
# that must run in the calling process), maybe sharing the units with another process
# (forks.shared). The engine stays pure: whoever passes it owns the processes.
Share = Callable[[int, Callable[[int], _T], Collection[int]], list[_T]]
# The rules are shared with another process from SPLIT_LINES lines (below, a fork costs more than it saves)
# to SPLIT_MAX_LINES: the child's copy-on-write pages (the lines and facts it touches) add ~0.5 KB per line
# to the peak (100k lines: +50 MB); a larger run keeps its memory and runs in one process.
SPLIT_LINES, SPLIT_MAX_LINES = 20_000, 250_000
# kinds whose check leaves in ctx.memo what the run notes read after the rules (excludes1_notes; the code
# set kinds' diagnosis states, which code_set_notes would otherwise compute here again): they run in this
# process, never in the other one
_NOTE_KINDS = frozenset({"dx_excludes1"}) | CODE_SET_KINDS
RuleHits = list[list[tuple[int, Finding]]]


def run(
    lines: Sequence[ChargeLine],
    ref: ReferenceData,
    ruleset: Ruleset,
    settings: Settings,
    unreadable: Sequence[UnreadableLine] = (),
    history: Sequence[ChargeLine] = (),
    share: Share[RuleHits] | None = None,
) -> Report:
    """`share`: the rules' checks are shared out by it in units (another process takes some on a large
    run); the findings are the same, in the same order."""
    # A run allocates a few objects per line and frees none of them until it returns; the cyclic garbage
    # collector would rescan that growing heap over and over (a third of the run time at 100k lines).
    with paused_gc():
        return _run(lines, ref, ruleset, settings, unreadable, history, share)


def _run(
    lines: Sequence[ChargeLine],
    ref: ReferenceData,
    ruleset: Ruleset,
    settings: Settings,
    unreadable: Sequence[UnreadableLine],
    history: Sequence[ChargeLine],
    share: Share[RuleHits] | None = None,
) -> Report:
    locality = ref.locality(settings.locality) if settings.locality else None
    pinned = _pinned(settings.release, ref) if settings.release else None
    pricer = Pricer(ref, locality, settings.qpp, pinned)
    absent = absent_fields(lines)
    facts = build_facts(lines, history, pricer, no_patient=PATIENT in absent)
    today = settings.today or dt.date.today()
    ctx = Context(facts, len(lines), ref, today, unreadable)

    per_line: dict[int, list[Finding]] = {}  # only lines with findings (a list per line: 64 MB at 1M)
    skipped: dict[str, list[str]] = {field: [] for field in absent}
    alone: dict[str, list[str]] = {field: [] for field in absent}
    todo: list[Rule] = []
    for rule in ruleset:
        kind = KINDS[rule.kind]
        missing = first_missing(kind.needs, absent)
        if missing:  # judging it would link lines the file does not link
            skipped[missing].append(rule.id)
            continue
        missing = first_missing(kind.linking(rule.params), absent)
        if missing:
            alone[missing].append(rule.id)
        todo.append(rule)
    for hits in _rule_hits(todo, ctx, facts, len(lines), share):
        for index, finding in hits:
            per_line.setdefault(index, []).append(finding)

    run_findings, ncci_quarter = _data_notes(facts[: len(lines)], ref, unreadable)
    undated_release = pricer.release(None) if lines and "dos" in absent else None
    release_id = undated_release.release_id if undated_release else ""
    run_findings += run_notes(absent, skipped, alone, release_id, lines)
    run_findings += documentation_notes(absent, skipped, lines)  # RD14-RD16
    run_findings += code_set_notes(ctx, {rule.kind for rule in ruleset})  # RD09
    run_findings += excludes1_notes(ctx, {rule.kind for rule in ruleset})  # RD09 (info): DX08's notes' year
    run_findings += stale_drug_notes(pricer.stale_drugs, facts)  # RD13
    run_findings += one_group_note(facts, absent, list(lines))  # RD10
    releases = Counter(
        f.release.release_id for f in facts[: len(lines)] if f.release and f.release.release_id
    )
    # The notes are said: the context's groups of facts go, and `_results` drops each line's facts as it
    # makes its result, so the facts' memory becomes the results' (1M lines: ~400 MB less at the peak)
    del ctx
    results = _results(facts, len(lines), per_line, ref)
    return Report(
        results=results,
        unreadable=tuple(unreadable),
        run_findings=tuple(run_findings),
        release=", ".join(release for release, _ in releases.most_common()),
        ncci_quarter=ncci_quarter,
        notes=tuple(f.message for f in run_findings if f.rule != UNREADABLE_RULE),
        meta={
            "rules": str(len(ruleset)),
            "locality": locality.key if locality else "national",
            "qpp": "yes" if settings.qpp else "no",
        },
    )


def format_message(template: str, values: Mapping[str, Any]) -> str:
    return template.format_map(_Values(values))


class _Values(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def line_values(fact: LineFacts) -> dict[str, Any]:
    """The common message fields (COMMON_FIELDS): what the line says, never who the patient is."""
    line = fact.line
    units = line.units
    return {
        "code": fact.code or "(blank)",
        "modifiers": ", ".join(sorted(fact.mods)) or "none",
        "units": int(units) if float(units).is_integer() else units,
        "dos": line.dos.isoformat() if line.dos else "(no date)",
        "pos": line.pos or "(none)",
        "row": line.source.row,
        "release": (fact.release.release_id if fact.release else "") or "(none)",
    }


def _pinned(release: str, ref: ReferenceData) -> dt.date:
    """The date a pinned release (--release, or `release` in rvucheck.toml) prices every line on. A release
    that is not installed would price every line at $0, each with its own warning: it stops the run."""
    pinned = release_pin_date(release)
    if pinned is None:
        raise RvucheckError(f"release: {release!r} is not a fee schedule release id like RVU26C")
    wanted = "RVU" + release.strip().upper().removeprefix("RVU")
    installed = ref.installed_releases()
    if not any(found in (wanted, wanted + "R") for found in installed):
        raise InputFileError(
            f"release {release}: its RVU file is not installed "
            f"(fee schedules installed: {', '.join(installed) or 'none'}); "
            "install it with `rvucheck data install --from FOLDER_OR_ZIP`, or leave the release out to "
            "price each line by its date of service"
        )
    return pinned


def _rule_hits(
    rules: list[Rule], ctx: Context, facts: Sequence[LineFacts], count: int, share: Share[RuleHits] | None
) -> RuleHits:
    """Each rule's findings in the rules' order, as (line index, finding). With `share` on a large run the
    rules go out in units of one check kind each (rules of a kind share the context's groupings and the
    reference lookups they warm; none of _NOTE_KINDS leaves this process), and come back in the rules'
    order."""
    if share is None or not SPLIT_LINES <= count <= SPLIT_MAX_LINES:
        return _checked(rules, ctx, facts, count)
    units: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        units.setdefault(rule.kind, []).append(i)
    kinds = list(units)
    pinned = [unit for unit, kind in enumerate(kinds) if kind in _NOTE_KINDS]
    parts = share(
        len(kinds), lambda unit: _checked([rules[i] for i in units[kinds[unit]]], ctx, facts, count), pinned
    )
    merged: RuleHits = [[] for _ in rules]
    for kind, part in zip(kinds, parts, strict=True):
        for i, hits in zip(units[kind], part, strict=True):
            merged[i] = hits
    return merged


def _checked(rules: list[Rule], ctx: Context, facts: Sequence[LineFacts], count: int) -> RuleHits:
    return [
        [
            (hit.index, _finding(rule, hit, facts[hit.index]))
            for hit in KINDS[rule.kind].check(rule.params, ctx)
            if hit.index < count
        ]
        for rule in rules
    ]


def _finding(rule: Rule, hit: Hit, fact: LineFacts) -> Finding:
    values = line_values(fact)
    values.update(hit.values)
    dollars = wrvu = None
    if hit.stake:
        if fact.payment is not None:
            dollars = round(fact.payment * hit.stake, 2)
        if fact.credited_work_rvu is not None:
            wrvu = round(fact.credited_work_rvu * hit.stake, 2)
    severity: Severity = rule.severity  # type: ignore[assignment]
    return Finding(
        rule=rule.id,
        severity=severity,
        message=format_message(_place_words(rule.message, fact.line.source), values),
        source=fact.line.source,
        fix=rule.docs.fix,
        ref="; ".join(rule.refs),
        field=hit.field,
        dollars_at_stake=dollars,
        wrvu_at_stake=wrvu,
    )


def _place_words(template: str, source: CellRef) -> str:
    """Rules name other lines `row {n}`; in an X12 file a line's place is a segment (`segment {n}`)."""
    return template if source.unit == "row" else template.replace("row {", f"{source.unit} {{")


def _results(
    facts: list[Any], count: int, per_line: dict[int, list[Finding]], ref: ReferenceData
) -> tuple[LineResult, ...]:
    """Each run line's result: its facts, findings and documentation requirements. The requirements are
    looked up once per (row, code, modifiers) of the run: the rows live as long as the run, so their
    identity is the key (hashing a 32-field row per line is not)."""
    memo: dict[tuple[int, str, frozenset[str]], tuple[DocRequirement, ...]] = {}
    results: list[LineResult] = []
    append = results.append
    for index, fact in zip(range(count), facts, strict=False):  # facts go on with the history's
        facts[index] = None  # used up (see _run): the list holds LineFacts, then None
        row = fact.row
        key = (id(row), fact.code, fact.mods)
        documentation = memo.get(key)
        if documentation is None:
            documentation = memo[key] = ref.documentation(row, fact.code, fact.mods)
        release = fact.release
        append(
            LineResult(
                fact.line,
                fact.work_rvu,
                fact.credited_work_rvu,
                fact.total_rvu,
                fact.payment,
                row.global_days if row else "",
                row.status_code if row else "",
                release.release_id if release else "",
                tuple(per_line.get(index, ())),
                fact.rank,
                fact.reduction,
                fact.basis,
                documentation,
            )
        )
    return tuple(results)


_UNREADABLE_FIX = {
    "row": "Correct the row in the export (or map its columns) and run the check again.",
    "segment": "Correct the claim in the billing system, export the 837P again and run the check again.",
}


def _data_notes(
    facts: Sequence[LineFacts], ref: ReferenceData, unreadable: Sequence[UnreadableLine]
) -> tuple[list[Finding], str]:
    notes = [
        Finding(
            rule=UNREADABLE_RULE,
            severity="error",
            message=f"{item.source.place()} could not be read: {item.reason}",
            source=item.source,
            fix=_UNREADABLE_FIX[item.source.unit],
        )
        for item in unreadable
    ]
    quarters: Counter[str] = Counter()
    stale: dict[str, Finding] = {}
    # one RD03 per (answering release, quarter of service), not one per date: a month priced from the
    # previous quarter's release is one fact for the reader, not thirty
    release_notes: dict[tuple[str, int, int], tuple[Finding, int]] = {}
    seen_dates: set[dt.date | None] = set()
    for fact in facts:
        dos = fact.line.dos
        if dos in seen_dates:
            continue
        seen_dates.add(dos)
        try:
            quarter, note = ref.ncci_quarter(dos)
        except LookupError:
            quarter, note = "", "no NCCI edits are installed: PTP, MUE and add-on checks found nothing"
        quarters[quarter] += 1
        if note and note not in stale:
            stale[note] = Finding(
                STALE_NCCI_RULE,
                "warning",
                note,
                fact.line.source,
                fix="Install the NCCI edit files for the dates of service (rvucheck data).",
            )
        release_note = fact.release.note if fact.release else None
        if release_note and fact.release and dos:
            key = (fact.release.release_id, dos.year, (dos.month - 1) // 3 + 1)
            first, dates = release_notes.get(key) or (
                Finding(RELEASE_NOTE_RULE, "info", release_note, fact.line.source),
                0,
            )
            release_notes[key] = (first, dates + 1)
    notes += list(stale.values())
    for first, dates in release_notes.values():
        more = f" (and {dates - 1} more dates of service in that quarter)" if dates > 1 else ""
        notes.append(dataclasses.replace(first, message=first.message + more))
    ncci_quarter = ", ".join(q for q, _ in quarters.most_common() if q)
    return notes, ncci_quarter
