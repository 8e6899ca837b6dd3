"""What the output, error and history hostile tests share: a small made-up export, a data dir the audit may
write its history into (the installed CMS store linked, not copied), and a file-size limit for the child."""

from __future__ import annotations

import datetime as dt
import resource
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
from tests.conftest import TEST_DATA_DIR

PATIENTS = ("MRN6323496", "MRN7000001", "MRN7000002")


def make_charges(folder: Path, name: str = "charges.xlsx") -> Path:
    """Three made-up patients, real codes: 99213 beside 20610 without 25, 99213-26 (two findings)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Charges"
    ws.append(["Claim", "Patient", "DOS", "Posted", "Provider", "CPT", "Modifier", "Units", "Dx", "POS"])
    day = dt.date(2026, 7, 6)
    ws.append(["CLM-551", PATIENTS[0], day, dt.date(2026, 7, 9), "Dr A", 99213, None, 1, "I10", 11])
    ws.append(["CLM-551", PATIENTS[0], day, dt.date(2026, 7, 9), "Dr A", 20610, "RT", 1, "M17.11", 11])
    ws.append(["CLM-552", PATIENTS[1], day, dt.date(2026, 7, 9), "Dr A", 99213, 26, 1, "E11.9", 11])
    ws.append(["CLM-553", PATIENTS[2], day, dt.date(2026, 7, 9), "Dr B", 99214, None, 1, "J45.909", 11])
    path = folder / name
    wb.save(path)
    return path


def audit_store(folder: Path) -> Path:
    """A data dir whose CMS datasets are links to the installed test store (opened read-only) and whose
    catalog is a copy: the audit writes its history and secret here, never into the shared store."""
    store = folder / "store"
    store.mkdir()
    for source in TEST_DATA_DIR.iterdir():
        if source.name.startswith("audit-"):
            continue
        if source.name == "catalog.sqlite":
            shutil.copyfile(source, store / source.name)
        elif source.suffix == ".sqlite":
            (store / source.name).symlink_to(source)
    return store


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """RLIMIT_FSIZE for the children started inside (the tests only read files meanwhile)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def history_months(store: Path) -> list[str]:
    path = store / "audit-history.sqlite"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'months'").fetchall():
            return []  # made, but its schema never committed
        return [m for (m,) in conn.execute("SELECT month FROM months ORDER BY month")]
