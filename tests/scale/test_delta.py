"""A Delta table on `--engine local`: its current snapshot (deltalake: the files of its latest version, not
every file on disk) checked gives the one-process findings of the same rows; what plain Parquet files cannot
honour is refused in one line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.scale.months import delta_month, month_csv

from rvucheck.batch.delta import delta_snapshot
from rvucheck.cli.main import main
from rvucheck.errors import InputFileError
from rvucheck.session import Session

pytest.importorskip("deltalake")  # the scale extra: `make test` installs it
ROWS = 3000


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("delta")
    csv = month_csv(work / "charges-2026-10.csv", 2026, 10, ROWS, seed=3)
    return delta_month(csv, work / "charges", ROWS)


def rowless(message: str) -> str:
    """A message without its row references (a table's rows count from 1, a CSV's from its header)."""
    return re.sub(r"\brows? [\d, and]+", "row N", message)


def one_process(snapshot_csv: Path, data_dir: Path) -> list[tuple[Any, ...]]:
    session = Session.open(data_dir)
    read = session.read(snapshot_csv)
    report = session.check(read.lines, read.unreadable)
    return sorted(
        (i, f.rule, f.severity, rowless(f.message)) for i, r in enumerate(report.results) for f in r.findings
    )


def test_the_snapshot_is_not_every_file_on_disk(table: tuple[Path, Path]) -> None:
    folder, _copy = table
    snapshot = delta_snapshot(str(folder))
    on_disk = sorted(folder.glob("*.parquet"))
    assert snapshot.version == 2 and len(on_disk) > len(snapshot.files)
    assert snapshot.rows == sum(pq.read_metadata(f).num_rows for f in snapshot.files) < ROWS
    assert sum(pq.read_metadata(f).num_rows for f in on_disk) > ROWS


def test_a_delta_table_on_the_local_engine_equals_one_process(
    table: tuple[Path, Path], data_dir: Path, tmp_path: Path
) -> None:
    folder, copy = table
    args = [
        "--data-dir",
        str(data_dir),
        "check",
        str(folder),
        "--out",
        str(tmp_path / "out"),
        "--workers",
        "2",
    ]
    assert main([*args, "--fail-on", "never"]) == 0  # a Delta folder: the local engine by default
    found = pq.read_table(tmp_path / "out" / "findings.parquet").to_pylist()
    got = sorted((r["line_id"], r["rule_id"], r["severity"], rowless(r["message"])) for r in found)
    assert got == one_process(copy, data_dir) and got
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["kind"] == "delta" and summary["checked"] == delta_snapshot(str(folder)).rows


def test_a_partitioned_delta_table_is_refused_in_one_line(tmp_path: Path) -> None:
    from deltalake import write_deltalake

    write_deltalake(tmp_path / "t", pa.table({"CPT": ["99213"], "Payer": ["M"]}), partition_by=["Payer"])
    with pytest.raises(
        InputFileError, match=r"a Delta table partitioned by Payer cannot be read without Delta"
    ):
        delta_snapshot(str(tmp_path / "t"))


def test_a_folder_that_only_looks_like_delta_is_one_line(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "t" / "_delta_log").mkdir(parents=True)
    with pytest.raises(InputFileError, match=r"not a readable Delta table \(\w+\); check its _delta_log"):
        delta_snapshot(str(tmp_path / "t"))
