"""Never link what the file does not link: which columns the export lacks, and what that means for the run.

Rules that add lines of one patient up (same day, global periods, NCCI pairs, duplicates, multiple
procedures...) need a patient column and a date column; without one they are not run, and the run says
so once (RD04 no patient column, RD05 no date column) naming the rules and the fix; rules about the
diagnoses are not run on an export with no diagnosis column either (RD07), rather than calling every line
undiagnosed. A blank patient cell
links the line with no one (each such line is a patient of its own); a blank date forms no day with any
other line. Without a provider column every line is taken as one provider's, as a practice's own export
is: NCCI, MUE and multiple-procedure rules are per provider, and that assumption is said once (RD06).

Which columns the export has is read from `ChargeLine.columns` (the reader records every field it mapped).
Lines built in code (rule cases, the Excel range functions, the audit's history) carry no `columns`: their
caller gave every field a value on purpose, so all fields count as present and only blank values unlink;
except the documentation fields (minutes, note status, signature and posting dates, attachment flag), which
count as present only when some line has a value for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

from rvucheck.model import ChargeLine, Finding

PATIENT, DATE, PROVIDER, DIAGNOSES, GROUP = "patient", "dos", "provider", "diagnoses", "group"
# The documentation columns (issue 18): a rule about the note's time, status or attachment needs its column.
MINUTES, NOTE_STATUS, SIGNED, POSTED, ATTACHMENT = "minutes", "note_status", "signed", "posted", "attachment"
NO_MINUTES_RULE, NO_NOTE_RULE, NO_ATTACHMENT_RULE = "RD14", "RD15", "RD16"
NO_PATIENT_RULE, NO_DATE_RULE, ONE_PROVIDER_RULE, NO_DIAGNOSIS_RULE = "RD04", "RD05", "RD06", "RD07"
NOTE_RULES = (NO_PATIENT_RULE, NO_DATE_RULE, ONE_PROVIDER_RULE, NO_DIAGNOSIS_RULE)
_COLUMNS_OF = {
    PATIENT: ("patient",),
    DATE: ("dos",),
    PROVIDER: ("provider", "provider_npi"),
    DIAGNOSES: ("diagnoses",),
    GROUP: ("group",),  # group / billing provider / TIN: the therapy MPPR's unit (engine.mppr, RD10)
    MINUTES: ("minutes",),
    NOTE_STATUS: ("note_status",),
    SIGNED: ("signed",),
    POSTED: ("posted",),
    ATTACHMENT: ("attachment",),
}
# A missing documentation column: the note's id, what the column is called, the --map that fixes it. The
# rules are simply not run (most exports carry no note data): an info note, not a warning.
_DOCUMENTING = (
    (MINUTES, NO_MINUTES_RULE, "minutes (documented time)", "minutes"),
    (NOTE_STATUS, NO_NOTE_RULE, "note status", "note_status"),
    (SIGNED, NO_NOTE_RULE, "note signature date", "signed"),
    (POSTED, NO_NOTE_RULE, "posting date", "posted"),
    (ATTACHMENT, NO_ATTACHMENT_RULE, "attachment / report flag", "attachment"),
)
# A missing column that stops rules: its note's id, what it is called, the --map that fixes it.
_SKIPPING = (
    (PATIENT, NO_PATIENT_RULE, "patient", "patient"),
    (DATE, NO_DATE_RULE, "date of service", "dos"),
    (DIAGNOSES, NO_DIAGNOSIS_RULE, "diagnosis", "diagnoses"),
)
# An X12 837P has no columns to map: where the claim format keeps (or does not keep) what the rules need.
_X12_ADVICE = {
    NO_MINUTES_RULE: "an 837P carries no documented time (SV104 is units; minutes only for anesthesia, "
    "SV103 MJ): check the time in the notes, or run rvucheck on the practice's charge export with its "
    "minutes column",
    NO_NOTE_RULE: "an 837P carries no note status, signature or posting date: check them in the notes, or "
    "run rvucheck on the practice's charge export with those columns",
    NO_ATTACHMENT_RULE: "an 837P names its attachments in PWK segments (loop 2300 for the claim, 2400 for a "
    "line), which rvucheck does not read: check that each such claim has its PWK, or run rvucheck on the "
    "practice's charge export with its attachment column",
}
_EVERY_COLUMN = frozenset(name for names in _COLUMNS_OF.values() for name in names)
UNLINKED = "\x00"  # starts the patient key of a line with a blank patient cell (no real id starts so)


def absent_fields(lines: Sequence[ChargeLine]) -> frozenset[str]:
    """The fields (patient, dos, provider, diagnoses, group, the documentation columns) the export has no
    column for. A run whose
    lines carry no `columns` at all was built in code: nothing is absent."""
    columns = list(map(_columns_of_line, lines))
    # An export's lines share the reader's one `columns` tuple: look at each distinct tuple once (by
    # identity, while `columns` holds them all, within this call).
    distinct = [found for found in dict(zip(map(id, columns), columns, strict=True)).values() if found]
    if not distinct:
        return _unvalued_documentation(lines)
    mapped = {name for found in distinct for name, _column in found}
    return frozenset(field for field, names in _COLUMNS_OF.items() if not mapped.intersection(names))


_DOCUMENT_FIELDS = (MINUTES, NOTE_STATUS, SIGNED, POSTED, ATTACHMENT)
_columns_of_line = attrgetter("columns")
_documentation_of = attrgetter(*_DOCUMENT_FIELDS)


def _unvalued_documentation(lines: Sequence[ChargeLine]) -> frozenset[str]:
    """Lines built in code (rule cases, the Excel range functions) give the linking fields on purpose; a
    documentation field none of them has a value for was not given at all (an Excel range has no such
    column), so its rules do not run rather than call every line undocumented. (Each distinct combination
    of the five values is judged once: a month has a few dozen.)"""
    combinations = set(map(_documentation_of, lines))
    return frozenset(
        field
        for at, field in enumerate(_DOCUMENT_FIELDS)
        if all(values[at] in (None, "") for values in combinations)
    )


def patient_key(line: ChargeLine, index: int, no_patient_column: bool) -> str:
    """Whom the line is linked with: its patient id, or a key of its own when the cell is blank or the
    export has no patient column."""
    if line.patient and not no_patient_column:
        return line.patient
    return f"{UNLINKED}{index}"


def first_missing(needed: frozenset[str], absent: frozenset[str]) -> str:
    """The first of `needed` the export lacks (patient before date: a rule is named in one note only)."""
    for field in (PATIENT, DATE, DIAGNOSES, MINUTES, NOTE_STATUS, SIGNED, POSTED, ATTACHMENT):
        if field in needed and field in absent:
            return field
    return ""


def run_notes(
    absent: frozenset[str],
    skipped: dict[str, list[str]],
    alone: dict[str, list[str]],
    release: str,
    source: Sequence[ChargeLine],
) -> list[Finding]:
    """One note per missing column: the rules not run, those judged line by line, the fix."""
    if not source:
        return []
    where = source[0].source
    notes = []
    for field, rule, what, option in _SKIPPING:
        if field not in absent:
            continue
        parts = [f"no {what} column" + (f": lines are not linked by {what}" if field != DIAGNOSES else "")]
        if skipped.get(field):
            parts.append(f"rules not run: {', '.join(sorted(skipped[field]))}")
        if alone.get(field):
            parts.append(f"judged on each line alone, not summed per day: {', '.join(sorted(alone[field]))}")
        if field == PATIENT:
            parts.append("multiple-procedure reductions not applied to the prices")
        if field == DATE and release:
            parts.append(f"every line priced with release {release}")
        parts.append(f"to judge them, map the {what} column: --map {option}=HEADER")
        notes.append(
            Finding(
                rule,
                "warning",
                "; ".join(parts),
                where,
                fix=f"Map the export's {what} column (--map {option}=HEADER) and run the check again"
                + (", or name a release with --release" if field == DATE else "")
                + ".",
            )
        )
    if PROVIDER in absent and PATIENT not in absent:
        notes.append(
            Finding(
                ONE_PROVIDER_RULE,
                "info",
                "no provider column: all lines are taken as billed by one provider (NCCI pairs, MUEs per "
                "day, duplicates, multiple procedures and global periods are judged per provider); if the "
                "export holds several providers' charges, map the provider column: --map provider=HEADER",
                where,
                fix="If the export holds several providers' charges, map the provider or NPI column "
                "(--map provider=HEADER) and run the check again.",
            )
        )
    return notes


def documentation_notes(
    absent: frozenset[str], skipped: dict[str, list[str]], source: Sequence[ChargeLine]
) -> list[Finding]:
    """One note per documentation rule family whose column the export lacks (RD14 minutes, RD15 note status /
    signature / posting date, RD16 attachment flag): the rules not run and the --map that runs them. Said
    once, and only when such rules were selected, for an export (lines built in code, as an Excel range's,
    have no columns to map: their rules are simply not run)."""
    if not source or not source[0].columns:
        return []
    parts: dict[str, list[str]] = {}
    options: dict[str, list[str]] = {}
    for field, rule, what, option in _DOCUMENTING:
        if field in absent and skipped.get(field):
            parts.setdefault(rule, []).append(
                f"no {what} column: rules not run: {', '.join(sorted(skipped[field]))}"
            )
            options.setdefault(rule, []).append(f"--map {option}=HEADER")
    where = source[0].source
    if where.unit == "segment":  # an X12 file: nothing to map
        return [
            Finding(
                rule, "info", "; ".join(parts[rule]) + f"; {_X12_ADVICE[rule]}", where, fix=_X12_ADVICE[rule]
            )
            for rule in sorted(parts)
        ]
    return [
        Finding(
            rule,
            "info",
            "; ".join(parts[rule]) + f"; to judge them, map the column: {' / '.join(options[rule])}",
            where,
            fix=f"If the export has the column under another header, map it ({' / '.join(options[rule])}) "
            "and run the check again.",
        )
        for rule in sorted(parts)
    ]
