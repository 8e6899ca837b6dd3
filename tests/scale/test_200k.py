"""200,000 lines with a month of history through `--engine local` (2 workers) equal one engine run's
findings exactly, line by line (issue 14). Slow (about a minute on 2 cores): marked `slow`, run in CI."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from tests.scale.months import month_csv

from rvucheck.audit.keys import PatientKeyer
from rvucheck.batch.contract import charge_table
from rvucheck.batch.history import month_path
from rvucheck.cli.main import main
from rvucheck.read.charges import read_charges
from rvucheck.session import Session

pytestmark = pytest.mark.slow
LINES, HISTORY = 200_000, 60_000


def test_200k_lines_with_history_equal_one_engine_run(scale_data: Path, tmp_path: Path) -> None:
    october = month_csv(tmp_path / "october.csv", 2026, 10, LINES, seed=10)
    september = read_charges(month_csv(tmp_path / "september.csv", 2026, 9, HISTORY, seed=9))
    table = pcsv.read_csv(october, convert_options=pcsv.ConvertOptions(strings_can_be_null=True))
    pq.write_table(table, tmp_path / "october.parquet")
    keyer = PatientKeyer.for_dir(scale_data)
    history = tmp_path / "history"
    month_path(history, "2026-09").parent.mkdir(parents=True)
    pq.write_table(charge_table(keyer.apply(september.lines)), month_path(history, "2026-09"))
    start = time.perf_counter()
    args = [str(tmp_path / "october.parquet"), "--out", str(tmp_path / "out"), "--workers", "2"]
    assert main(["--data-dir", str(scale_data), "check", *args, "--history", str(history)]) == 1
    took = time.perf_counter() - start
    read = read_charges(october)
    report = Session.open(scale_data).check(
        keyer.apply(read.lines), read.unreadable, keyer.apply(september.lines)
    )
    found = pq.read_table(tmp_path / "out" / "findings.parquet", columns=["line_id", "rule_id", "severity"])
    got = sorted(zip(*(found.column(n).to_pylist() for n in ("line_id", "rule_id", "severity")), strict=True))
    expected = sorted((i, f.rule, f.severity) for i, r in enumerate(report.results) for f in r.findings)
    assert len(read.lines) == LINES and len(expected) > 10_000
    assert got == expected, f"{len(got)} findings vs {len(expected)} ({took:.0f} s)"
    lines = pq.read_table(tmp_path / "out" / "lines.parquet", columns=["line_id", "payment", "rank"]).sort_by(
        "line_id"
    )
    assert lines.column("payment").to_pylist() == [r.payment for r in report.results]
    assert lines.column("rank").to_pylist() == [r.rank for r in report.results]
