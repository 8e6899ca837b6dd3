"""The audit history: one SQLite file in the data dir that remembers every audited month.

Why it exists: checks that span months (a post-op global window that crosses a month boundary, the 3-year
new-patient rule) and trends need earlier months' lines. Patient identifiers never reach the file in clear:
lines are stored with the HMAC key `rvucheck.audit.keys.PatientKeyer` gives them, the same every month.

Re-auditing a month replaces that month (delete + insert in one transaction), never double-counts it.
`rvucheck audit` records the month only after every output it was asked for is written. What is stored
and why: docs/audit-history.md (claim numbers, posting dates and diagnoses are not).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from rvucheck.audit.keys import SECRET_FILE, PatientKeyer
from rvucheck.audit.rows import charge_line, line_row
from rvucheck.errors import HistoryError
from rvucheck.model import ChargeLine, LineResult
from rvucheck.refdata.store import default_data_dir

HISTORY_FILE = "audit-history.sqlite"
# A post-op global window is at most 90 days; a few extra days cover the pre-op day and long months.
GLOBAL_LOOKBACK_DAYS = 100
NEW_PATIENT_LOOKBACK_YEARS = 3

# One table of lines per month (lines_2026_10): replacing or forgetting a month is a DROP plus a bulk load
# into a fresh table, indexed afterwards, instead of deleting 50k rows from one growing table.
LINES_COLUMNS = """
    month TEXT NOT NULL,
    sheet TEXT NOT NULL,
    row INTEGER NOT NULL,
    patient_key TEXT NOT NULL,
    hcpcs TEXT NOT NULL,
    modifiers TEXT NOT NULL,
    units REAL NOT NULL,
    dos TEXT,
    posted TEXT,
    provider TEXT NOT NULL,
    provider_npi TEXT NOT NULL,
    specialty TEXT NOT NULL,
    grp TEXT NOT NULL,
    pos TEXT NOT NULL,
    claim TEXT NOT NULL,
    diagnoses TEXT NOT NULL,
    global_days TEXT NOT NULL,
    work_rvu REAL,
    credited_work_rvu REAL,
    payment REAL
"""
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS months (
    month TEXT PRIMARY KEY,            -- 'YYYY-MM'
    audited_at TEXT NOT NULL,
    line_count INTEGER NOT NULL,
    sources TEXT NOT NULL DEFAULT '[]' -- JSON list of file names (names only, no paths)
);
CREATE TABLE IF NOT EXISTS provider_months (
    month TEXT NOT NULL,
    provider TEXT NOT NULL,
    lines INTEGER NOT NULL,
    encounters INTEGER NOT NULL,
    work_rvu REAL NOT NULL,
    credited_work_rvu REAL NOT NULL,
    payment REAL NOT NULL,
    findings TEXT NOT NULL DEFAULT '{}',  -- JSON {rule id: count}
    PRIMARY KEY (month, provider)
);
"""


@dataclass(frozen=True)
class StoredMonth:
    month: str
    audited_at: str
    line_count: int
    providers: int
    work_rvu: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ProviderMonth:
    month: str
    provider: str
    lines: int
    encounters: int
    work_rvu: float
    credited_work_rvu: float
    payment: float
    findings: dict[str, int]

    def as_row(self) -> tuple[object, ...]:
        """The row of the provider_months table: the fields in order, the findings as JSON."""
        return (*astuple(self)[:-1], json.dumps(self.findings, sort_keys=True))

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> ProviderMonth:
        month, provider, lines, encounters, work_rvu, credited, payment, findings = row
        return cls(month, provider, lines, encounters, work_rvu, credited, payment, json.loads(findings))


def month_start(month: str) -> dt.date:
    year, mon = month.split("-")
    return dt.date(int(year), int(mon), 1)


class HistoryStore:
    """Audited months, their (keyed) lines and per-provider totals."""

    def __init__(self, data_dir: Path | str | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        self.path = self.data_dir / HISTORY_FILE

    def keyer(self) -> PatientKeyer:
        return PatientKeyer.for_dir(self.data_dir)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per operation, committed on success and always closed. A damaged file, a full
        disk or a read-only folder end the run with one line naming the history file."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path)
        except sqlite3.Error as exc:
            raise HistoryError(_describe(self.path, exc)) from None
        try:
            # WAL: a month's 50k-row replace is one cheap append; a crash leaves the previous month state.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
            with conn:
                yield conn
        except sqlite3.Error as exc:
            raise HistoryError(_describe(self.path, exc)) from None
        finally:
            conn.close()

    def reset(self) -> list[Path]:
        """Delete the history and its secret (every audited month, and the keys that link patients across
        months). Returns the files removed."""
        names = [HISTORY_FILE, f"{HISTORY_FILE}-wal", f"{HISTORY_FILE}-shm", SECRET_FILE]
        removed = []
        for name in names:
            path = self.data_dir / name
            if os.path.lexists(path):
                path.unlink()  # a symlink is removed, never what it points to
                removed.append(path)
        return removed

    def months(self) -> list[StoredMonth]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT m.month, m.audited_at, m.line_count, m.sources,"
                " (SELECT COUNT(*) FROM provider_months p WHERE p.month = m.month),"
                " (SELECT COALESCE(SUM(work_rvu), 0) FROM provider_months p WHERE p.month = m.month)"
                " FROM months m ORDER BY m.month"
            ).fetchall()
        return [StoredMonth(r[0], r[1], r[2], r[4], r[5], tuple(json.loads(r[3]))) for r in rows]

    def forget(self, month: str) -> bool:
        """Remove one month; True when it was there."""
        if not self.path.exists():
            return False
        with self._connect() as conn:
            found = conn.execute("DELETE FROM months WHERE month = ?", (month,)).rowcount
            conn.execute(f"DROP TABLE IF EXISTS {lines_table(month)}")
            conn.execute("DELETE FROM provider_months WHERE month = ?", (month,))
        return bool(found)

    def record(
        self,
        month: str,
        results: Sequence[LineResult],
        providers: Sequence[ProviderMonth],
        sources: Sequence[str] = (),
    ) -> None:
        """Store (or replace) a month. `results` must already carry keyed patients."""
        rows = [line_row(month, r) for r in results]
        table = lines_table(month)
        with self._connect() as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(f"CREATE TABLE {table} ({LINES_COLUMNS})")
            conn.execute("DELETE FROM provider_months WHERE month = ?", (month,))
            conn.execute(
                "INSERT OR REPLACE INTO months VALUES (?, ?, ?, ?)",
                (
                    month,
                    dt.datetime.now().isoformat(timespec="seconds"),
                    len(rows),
                    json.dumps(list(sources)),
                ),
            )
            conn.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * 20)})", rows)
            conn.execute(f"CREATE INDEX {table}_patient ON {table}(patient_key, dos)")
            conn.executemany(
                "INSERT INTO provider_months VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [p.as_row() for p in providers]
            )

    def provider_months(self, before: str | None = None) -> list[ProviderMonth]:
        if not self.path.exists():
            return []
        sql = "SELECT * FROM provider_months"
        params: tuple[str, ...] = ()
        if before:
            sql += " WHERE month < ?"
            params = (before,)
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY month, provider", params).fetchall()
        return [ProviderMonth.from_row(r) for r in rows]

    def lines_before(
        self,
        month: str,
        patient_keys: Iterable[str],
        new_patient_keys: Iterable[str] | None = None,
        counted_codes: Iterable[str] = (),
        year_modifiers: Iterable[str] = (),
    ) -> list[ChargeLine]:
        """Earlier months' lines the engine needs for this month's patients.

        Not the whole history (a year of 50k-line months would dominate the run), but what the cross-month
        rules read: surgery with a 010/090 global period inside the global lookback, for every patient
        (post-op windows, split care 54/55); and, within 3 years, the latest line per physician / group and
        specialty and per code and modifiers for `new_patient_keys`, the patients billed a new-patient code
        this month (None means every patient). Per code and modifiers, because the new-patient rule counts
        only face-to-face services (not 26/TC readings, PC/TC-only codes, lab tests) and judges that from
        the code and its modifiers: the latest line per physician alone could be a reading that hides an
        earlier visit; the latest per code keeps the latest face-to-face line of every physician.
        And every earlier line of `counted_codes` (the codes frequency limits count: AWV, CCM ...) for
        `patient_keys`, however old: a once-per-lifetime limit looks back over the whole history. And
        this calendar year's lines with any of `year_modifiers` (GP/GO/GN: the therapy KX threshold).
        """
        if not self.path.exists():
            return []
        wanted = {k for k in patient_keys if k}
        wanted_new = wanted if new_patient_keys is None else {k for k in new_patient_keys if k}
        start = month_start(month)
        recent_from = (start - dt.timedelta(days=GLOBAL_LOOKBACK_DAYS)).isoformat()
        oldest = start.replace(year=start.year - NEW_PATIENT_LOOKBACK_YEARS).isoformat()
        with self._connect() as conn:
            stored = [m for (m,) in conn.execute("SELECT month FROM months WHERE month < ?", (month,))]
            recent = [m for m in stored if month_start(m) >= month_start(recent_from[:7])]
            within = [m for m in stored if month_start(m) >= month_start(oldest[:7])]
            surgery = _matching(
                conn, recent, wanted, "global_days IN ('010', '090') AND dos >= ?", (recent_from,)
            )
            latest = []
            if within and wanted_new:
                conn.execute("CREATE TEMP TABLE wanted (patient_key TEXT PRIMARY KEY)")
                conn.executemany("INSERT INTO wanted VALUES (?)", ((k,) for k in wanted_new))
                union = " UNION ALL ".join(
                    f"SELECT '{t}:' || l.rowid AS id, l.* FROM wanted w"
                    f" JOIN {t} l ON l.patient_key = w.patient_key"
                    for t in map(lines_table, within)
                )
                latest = conn.execute(
                    "SELECT * FROM (SELECT u.*, ROW_NUMBER() OVER (PARTITION BY u.patient_key,"
                    " u.provider_npi, u.provider, u.specialty, u.grp, u.hcpcs, u.modifiers"
                    " ORDER BY u.dos DESC) AS rank"
                    f" FROM ({union}) u"
                    " WHERE u.dos >= ?) WHERE rank = 1",
                    (oldest,),
                ).fetchall()
            codes = sorted(set(counted_codes))
            mods = frozenset(year_modifiers)
            counted = [
                *(
                    _matching(conn, stored, wanted, f"hcpcs IN ({','.join('?' * len(codes))})", codes)
                    if codes
                    else []
                ),
                *(
                    row
                    for row in (
                        _matching(conn, [m for m in stored if m[:4] == month[:4]], wanted) if mods else []
                    )
                    if mods & set(str(row[6]).split(","))  # modifiers
                ),
            ]
        chosen = {row[0]: row[1:] for row in [*latest, *surgery, *counted]}
        return [charge_line(row) for _, row in sorted(chosen.items())]


def _matching(
    conn: sqlite3.Connection,
    months: Sequence[str],
    wanted: set[str],
    where: str = "1",
    args: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """The stored lines of these months matching `where` for these patients."""
    return [
        row
        for table in map(lines_table, months)
        for row in conn.execute(f"SELECT '{table}:' || rowid, * FROM {table} WHERE {where}", args)
        if row[4] in wanted  # patient_key
    ]


def _describe(path: Path, exc: sqlite3.Error) -> str:
    text = str(exc)
    if "disk is full" in text or "disk I/O" in text:
        return (
            f"{path}: cannot write the audit history ({text}); free some disk space and run the audit again"
        )
    if "readonly" in text or "unable to open" in text:
        return f"{path}: cannot write the audit history ({text}); check the folder's permissions"
    return (
        f"{path}: the audit history is damaged ({text[:60]}); restore it from your backup, or start it "
        "afresh with: rvucheck history reset --yes"
    )


def lines_table(month: str) -> str:
    """The table of one month's lines; the month is checked first since it becomes an SQL name."""
    if not _MONTH.match(month):
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    return f"lines_{month.replace('-', '_')}"
