"""The two-month audit fixture shared by the output tests (hand-built results, made-up values)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from audit_helpers import line, result

from rvucheck.audit.history import HistoryStore
from rvucheck.audit.result import AuditResult
from rvucheck.audit.run import AuditOptions, summarize
from rvucheck.model import Report


def _report(month: int, upcode: bool) -> Report:
    results = []
    row = 2
    for i in range(40):
        for provider in ("Dr A", "Dr B"):
            high = provider == "Dr A" and upcode
            code = ("99214", "99215")[i % 2] if high else ("99212", "99213", "99213", "99214")[i % 4]
            charge = line(
                row,
                code,
                provider=provider,
                patient=f"P{i}",
                dos=dt.date(2026, month, 1 + i % 28),
                group="Clinic",
                specialty="11",
                posted=dt.date(2026, month, 1 + i % 28) + dt.timedelta(i),
            )
            findings = (("PTP01", "error"),) if i % 10 == 0 else ()
            results.append(result(charge, work=1.5, payment=100.0, findings=findings))
            row += 1
    return Report(results=tuple(results), release="RVU26C")


@pytest.fixture
def audits(tmp_path: Path) -> tuple[AuditResult, AuditResult]:
    store = HistoryStore(tmp_path / "data")
    options = AuditOptions(sample_size=8, seed=3)
    first = summarize(_report(9, upcode=False), "2026-09", ["sep.xlsx"], store, options, 0, tmp_path / "data")
    second = summarize(
        _report(10, upcode=True), "2026-10", ["oct.xlsx"], store, options, 12, tmp_path / "data"
    )
    return first, second
