"""`rvucheck check --since last.rvucheck.xlsx`: this run's findings against the last run's Findings table.

The last copy's Findings sheet is read by its header names (columns may have been moved, added or hidden
by the user) and every finding is matched on a key that survives a new export: rule, code, date of service,
patient and claim, never the row number (rows move when lines are added). Each finding of this run is
`new` or `still open`; what the user typed in Status / Owner / Note for a still-open one is carried over;
each finding of the last run that this run no longer reports is `fixed` and listed too. Two findings with
the same key (the same code twice on a claim) are matched one to one, in order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rvucheck.annotate.plan import FindingRow
from rvucheck.errors import InputFileError
from rvucheck.read.safety import check_input
from rvucheck.read.sources import XlsxBook

KEY_COLUMNS = ("Rule", "Code", "Date of service", "Patient / MRN", "Claim / encounter")
CARRIED = ("Status", "Owner", "Note")
NEEDED = ("Rule", "Code")  # a Findings sheet without these is no rvucheck work queue
NEW, OPEN, FIXED = "new", "still open", "fixed"
Key = tuple[str, ...]


@dataclass(frozen=True)
class PreviousFinding:
    key: Key
    values: dict[str, object]  # header -> value, as the last copy shows it
    carried: tuple[str, str, str]  # Status, Owner, Note as the user left them


@dataclass
class Comparison:
    source: str  # the last copy's file name
    changes: list[str] = field(default_factory=list)  # per finding of this run: new / still open
    carried: list[tuple[str, str, str]] = field(default_factory=list)  # per finding: Status, Owner, Note
    fixed: list[PreviousFinding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            NEW: self.changes.count(NEW),
            OPEN: self.changes.count(OPEN),
            FIXED: len(self.fixed),
        }

    def line(self) -> str:
        counts = self.counts()
        return f"since {self.source}: " + ", ".join(f"{n:,} {change}" for change, n in counts.items())


def key_text(value: object) -> str:
    """One spelling per value whichever way it was stored: dates as ISO, 1234.0 as 1234, text trimmed."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def finding_key(row: FindingRow) -> Key:
    values = (row.rule, row.hcpcs, row.dos, row.patient, row.claim)
    return tuple(key_text(v).upper() for v in values)


def read_previous(path: Path) -> list[PreviousFinding]:
    """The findings of a previous annotated copy (its Findings sheet, by header names)."""
    info = check_input(path)
    if info.kind not in ("xlsx", "xlsm"):
        raise InputFileError(f"{path}: --since takes an annotated copy (.rvucheck.xlsx) of an earlier run")
    book = XlsxBook(info.path, info.package, info.kind)
    names = [n for n in book.sheet_names if n.casefold().startswith("findings")]
    if not names:
        raise InputFileError(f"{path} has no Findings sheet; give --since the annotated copy of a run")
    rows = book.grid(names[0]).rows
    headers = [key_text(h) for h in (rows[0] if rows else [])]
    missing = [name for name in NEEDED if name not in headers]
    if missing:
        raise InputFileError(
            f"{path}: its Findings sheet has no {' or '.join(missing)} column; give --since the annotated "
            "copy of an earlier run, with its header row as rvucheck wrote it"
        )
    found = []
    for values in rows[1:]:
        by_name = {h: v for h, v in zip(headers, values, strict=False) if h}
        if not key_text(by_name.get("Rule")) or key_text(by_name.get("Change")) == FIXED:
            continue  # a blank row, or one the last run already listed as fixed
        key = tuple(key_text(by_name.get(name)).upper() for name in KEY_COLUMNS)
        carried = tuple(key_text(by_name.get(name)) for name in CARRIED)
        found.append(PreviousFinding(key, by_name, carried))  # type: ignore[arg-type]
    return found


def compare(current: Sequence[FindingRow], previous: Sequence[PreviousFinding], source: str) -> Comparison:
    """Each current finding new or still open (its Status / Owner / Note carried), the rest of the last
    run's findings fixed."""
    waiting: dict[Key, list[PreviousFinding]] = defaultdict(list)
    for item in previous:
        waiting[item.key].append(item)
    result, matched = Comparison(source), set()
    for row in current:
        matches = waiting.get(finding_key(row))
        if matches:
            match = matches.pop(0)
            matched.add(id(match))
            result.changes.append(OPEN)
            result.carried.append(match.carried)
        else:
            result.changes.append(NEW)
            result.carried.append(("", "", ""))
    result.fixed = [item for item in previous if id(item) not in matched]
    return result
