"""The local, versioned store of CMS datasets.

Layout of the data dir (platformdirs user data dir, or --data-dir / $RVUCHECK_DATA):

    catalog.sqlite                 which datasets are installed (kind, id, year, quarter, dates, sources)
    <kind>-<dataset_id>.sqlite     one file per dataset (e.g. pfs-RVU26C.sqlite, ncci-2026Q2.sqlite)

Kinds: "pfs" (RVU/GPCI/LOCCO/ANES/OPPSCAP of one PFS release), "ncci" (PTP/MUE/AOC of one quarter or
component file), "benchmarks" (specialty crosswalk, per-specialty aggregates of the provider-and-service PUF),
"asp" (Part B drug payment limits of one quarter).

A dataset is written into a temporary file and renamed into place only when complete, so an import that
fails leaves nothing half-imported. Several releases live side by side.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs

CATALOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    kind TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    year INTEGER,
    quarter INTEGER,
    effective_from TEXT,
    effective_to TEXT,
    label TEXT NOT NULL DEFAULT '',
    contents TEXT NOT NULL DEFAULT '[]',   -- JSON list: e.g. ["RVU", "GPCI", "LOCCO"]
    sources TEXT NOT NULL DEFAULT '[]',    -- JSON list of {"file", "sha256", "role"}
    meta TEXT NOT NULL DEFAULT '{}',       -- JSON object for kind-specific facts (conversion factors, ...)
    installed_at TEXT NOT NULL,
    PRIMARY KEY (kind, dataset_id)
);
"""


def default_data_dir() -> Path:
    env = os.environ.get("RVUCHECK_DATA")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("rvucheck", appauthor=False))


@dataclass(frozen=True)
class DatasetInfo:
    kind: str
    dataset_id: str
    year: int | None
    quarter: int | None
    effective_from: dt.date | None
    effective_to: dt.date | None
    label: str
    contents: tuple[str, ...]
    sources: tuple[dict[str, str], ...]
    meta: dict[str, object]
    installed_at: str

    def covers(self, on: dt.date) -> bool:
        start = self.effective_from or dt.date.min
        end = self.effective_to or dt.date.max
        return start <= on <= end


class Store:
    """Catalog of installed datasets and access to each dataset's SQLite file."""

    def __init__(self, data_dir: Path | str | None = None, read_only: bool = False) -> None:
        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        # read_only: every file opened `mode=ro&immutable=1` (no locks, no journal, nothing created): what
        # a batch worker opens, many processes at once, on a store no one writes during the run
        self.read_only = read_only

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"

    def dataset_path(self, kind: str, dataset_id: str) -> Path:
        return self.data_dir / f"{kind}-{dataset_id}.sqlite"

    def _catalog(self) -> sqlite3.Connection:
        if self.read_only:
            return _open_immutable(self.catalog_path)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.catalog_path)
        con.executescript(CATALOG_SCHEMA)
        return con

    def datasets(self, kind: str | None = None) -> list[DatasetInfo]:
        """Installed datasets, newest effective date first."""
        if not self.catalog_path.exists():
            return []
        with self._catalog() as con:
            sql = "SELECT * FROM datasets" + (" WHERE kind = ?" if kind else "")
            con.row_factory = sqlite3.Row
            rows = con.execute(sql, (kind,) if kind else ()).fetchall()
        infos = [_info(r) for r in rows]
        infos.sort(key=lambda i: (i.effective_from or dt.date.min, i.dataset_id), reverse=True)
        return infos

    def installed(self, kind: str, dataset_id: str) -> DatasetInfo:
        """One installed dataset as the catalog records it (with its install time): what an importer returns
        after `writing` it. LookupError when it is not installed."""
        for info in self.datasets(kind):
            if info.dataset_id == dataset_id:
                return info
        raise LookupError(f"{kind} {dataset_id} is not installed")

    @contextmanager
    def writing(self, info: DatasetInfo) -> Iterator[sqlite3.Connection]:
        """Write one dataset: yields a connection to a temp file; on success renames it into place and
        records it in the catalog (replacing an earlier install of the same id). On error nothing changes."""
        final = self.dataset_path(info.kind, info.dataset_id)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_suffix(".sqlite.tmp")
        tmp.unlink(missing_ok=True)
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            yield con
            con.commit()
            con.close()
            os.replace(tmp, final)
        except BaseException:
            con.close()
            tmp.unlink(missing_ok=True)
            raise
        with self._catalog() as cat:
            cat.execute(
                "INSERT OR REPLACE INTO datasets VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    info.kind,
                    info.dataset_id,
                    info.year,
                    info.quarter,
                    info.effective_from.isoformat() if info.effective_from else None,
                    info.effective_to.isoformat() if info.effective_to else None,
                    info.label,
                    json.dumps(list(info.contents)),
                    json.dumps(list(info.sources)),
                    json.dumps(info.meta),
                    info.installed_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                ),
            )

    def connect(self, kind: str, dataset_id: str) -> sqlite3.Connection:
        """Read-only connection to an installed dataset."""
        path = self.dataset_path(kind, dataset_id)
        if self.read_only:
            return _open_immutable(path)
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def remove(self, kind: str, dataset_id: str) -> None:
        with self._catalog() as cat:
            cat.execute("DELETE FROM datasets WHERE kind = ? AND dataset_id = ?", (kind, dataset_id))
        self.dataset_path(kind, dataset_id).unlink(missing_ok=True)


@dataclass(frozen=True)
class Recognized:
    """A source file recognised by its header/layout (never by its name).

    Every importer module (`pfs.importer`, `ncci.edits`, `benchmarks.importer`) offers
    `recognize(path) -> Recognized | None` and `import_group(store, group: list[Recognized]) -> DatasetInfo`;
    `install.install_from` walks the inputs, asks each module, groups files by (kind, dataset_id) and imports
    each group atomically.
    """

    kind: str  # "pfs", "ncci", "benchmarks"
    dataset_id: str  # e.g. "RVU26C", "2026Q2"
    role: str  # e.g. "PPRRVU", "GPCI", "LOCCO", "ANES", "OPPSCAP", "PTP", "MUE", "AOC"
    path: Path
    meta: tuple[tuple[str, str], ...] = ()  # facts read from the header (release date, variant, ...)


def _open_immutable(path: Path) -> sqlite3.Connection:
    """A read-only connection to a file no one writes while it is open (SQLite takes no locks on it)."""
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _info(row: sqlite3.Row) -> DatasetInfo:
    return DatasetInfo(
        kind=row["kind"],
        dataset_id=row["dataset_id"],
        year=row["year"],
        quarter=row["quarter"],
        effective_from=_date(row["effective_from"]),
        effective_to=_date(row["effective_to"]),
        label=row["label"],
        contents=tuple(json.loads(row["contents"])),
        sources=tuple(json.loads(row["sources"])),
        meta=json.loads(row["meta"]),
        installed_at=row["installed_at"],
    )


def source_name(item: Recognized) -> str:
    """Where a file came from: the URL or `zip!member` the installer recorded as its `source`, else its path
    (what the catalog keeps and `data update` compares)."""
    return dict(item.meta).get("source", str(item.path))


def source_of(item: Recognized) -> dict[str, str]:
    """The catalog's record of one source file: its source name, sha256 and role."""
    return {"file": source_name(item), "sha256": sha256_of(item.path), "role": item.role}


def imported(
    group: list[Recognized],
    label: str,
    contents: str,
    meta: dict[str, object],
    dates: tuple[dt.date | None, dt.date | None] = (None, None),
    year: int | None = None,
    quarter: int | None = None,
) -> DatasetInfo:
    """The catalog entry of a dataset (holding one table, `contents`) imported from one recognised group of
    files: the kind and id of its first file, the sources of all, and (when it has them) its dates, year and
    quarter."""
    first, (starts, ends) = group[0], dates
    return DatasetInfo(
        kind=first.kind,
        dataset_id=first.dataset_id,
        year=year,
        quarter=quarter,
        effective_from=starts,
        effective_to=ends,
        label=label,
        contents=(contents,),
        sources=tuple(source_of(item) for item in group),
        meta=meta,
        installed_at="",
    )


def sha256_of(path: Path) -> str:
    """The sha256 a dataset's catalog entry records for each source file (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
