"""The Spark workers' functions (batch.spark_worker) run in this process, without Spark: a partition's
buckets checked in engine runs of several whole buckets give each line exactly what one run per bucket
gives (lines, findings, figures); the runs split at bucket boundaries only."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.scale.months import month_csv, text_lines

from rvucheck.batch import spark_worker as worker
from rvucheck.batch.contract import bucket_of, settings_to_json
from rvucheck.batch.figures import RunSums
from rvucheck.batch.notes import DateNotes, merge_notes
from rvucheck.batch.spark_csv import csv_dialect
from rvucheck.read.charges import find_header, read_charges
from rvucheck.read.sources import read_csv_grid
from rvucheck.settings import Settings

SETTINGS = Settings(today=dt.date(2026, 12, 7))


def test_runs_split_at_bucket_boundaries_only() -> None:
    def runs(buckets: list[int], most: int) -> list[list[int]]:
        return worker.runs_of(pa.array(buckets, pa.int32()), most)

    assert runs([0, 0, 1, 1, 1, 2, 3, 3], 3) == [[0], [1], [2, 3]]
    assert runs([3, 1, 0, 1, 3, 1, 2, 0], 3) == [[0], [1], [2, 3]]  # any row order: the buckets' sizes
    assert runs([0] * 5 + [1], 3) == [[0], [1]]  # a big bucket alone, never cut
    assert runs([7, 4], 100) == [[4, 7]]
    assert runs([], 3) == []


def test_buckets_of_gives_each_row_bucket_of_its_key() -> None:
    keys = ["p1", None, "", "p2", "p1", "é", None, "p2", ""] * 50
    ids = list(range(1000, 1000 + len(keys)))
    table = pa.table({"patient_key": pa.array(keys, pa.string()), "line_id": pa.array(ids, pa.int64())})
    for n in (1, 7, 48):
        expected = [bucket_of(key, line_id, n) for key, line_id in zip(keys, ids, strict=True)]
        assert worker.buckets_of(table, n).to_pylist() == expected
    assert len(set(worker.buckets_of(table, 48).to_pylist())) > 10  # blank keys spread by line_id


@pytest.fixture(scope="module")
def partition(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> tuple[pa.Table, worker.Plan]:
    """A month's CSV as Spark hands it to prepare (its text lines, numbered), prepared: one partition."""
    csv = month_csv(tmp_path_factory.mktemp("worker-month") / "charges-2026-10.csv", 2026, 10, 3000, seed=7)
    return _prepared(csv, data_dir)


def _prepared(csv: Path, data_dir: Path) -> tuple[pa.Table, worker.Plan]:
    grid = read_csv_grid(csv)
    _index, column_map = find_header(grid.rows, None, csv, grid.name)
    names = [str(cell) for cell in grid.rows[0]]
    text = csv.read_text(encoding="utf-8")
    raw = text_lines(text)
    plan = worker.Plan(
        buckets=12, columns=tuple(sorted(column_map.as_mapping().items(), key=lambda item: item[1])),
        store_name="", settings_json=settings_to_json(SETTINGS), offsets={(0, 0): 0, (0, -1): 0},
        column_map=column_map, csv_header=tuple(names), sheets=(csv.stem,), store_path=str(data_dir),
        csv_dialect=csv_dialect(text), csv_above=1,
    )  # fmt: skip
    prepared = pa.Table.from_batches(list(worker.prepare(raw.to_batches(max_chunksize=1000), plan)))
    return prepared, plan


def test_the_figures_count_the_unreadable_rows(tmp_path: Path, data_dir: Path) -> None:
    """The driver takes the number of unreadable rows from the figures rows (no counting job of its own):
    every unreadable row the check stage emits is counted in one, once."""
    header, *rows = month_csv(tmp_path / "plain.csv", 2026, 10, 200, seed=3).read_text("utf-8").splitlines()
    rows[50:50] = ["C9,P9,10/05/2026,,,,,,,1", "C9,P9,not a date,,,,,,,1"]  # no code; no code, bad date
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    unreadable = len(read_charges(path).unreadable)
    assert unreadable == 2
    prepared, plan = _prepared(path, data_dir)
    out = pa.Table.from_batches(list(worker.check(prepared.to_batches(max_chunksize=70), plan)))
    figures = out.filter(pc.is_valid(out.column("figures"))).column("figures").to_pylist()
    emitted = pc.sum(pc.is_valid(out.column("unreadable"))).as_py()
    assert emitted == unreadable and sum(pickle.loads(blob)[3] for blob in figures) == unreadable


def _checked(partition: tuple[pa.Table, worker.Plan], run_lines: int, monkeypatch: Any) -> dict[str, Any]:
    prepared, plan = partition
    monkeypatch.setattr(worker, "RUN_LINES", run_lines)
    shuffled = prepared.take([(i * 7919) % prepared.num_rows for i in range(prepared.num_rows)])
    assert shuffled.num_rows == prepared.num_rows  # the shuffle's rows come in any order
    out = pa.Table.from_batches(list(worker.check(shuffled.to_batches(max_chunksize=700), plan)))
    lines = out.filter(pc.is_valid(out.column("line"))).column("line").to_pylist()
    findings = out.filter(pc.is_valid(out.column("finding"))).column("finding").to_pylist()
    sums, notes, firsts, runs = RunSums(), [], {}, 0
    figures = out.filter(pc.is_valid(out.column("figures"))).column("figures").to_pylist()
    for blob in figures:
        bucket_sums, bucket_notes, bucket_firsts, unread = pickle.loads(blob)
        runs += unread == 0
        sums.add(bucket_sums)
        notes.extend(bucket_notes)
        for dos, first in bucket_firsts.items():
            firsts[dos] = min(first, firsts.get(dos, first))
    return {
        "lines": sorted(lines, key=lambda row: row["line_id"]),
        "findings": sorted(findings, key=lambda row: (row["line_id"], row["rule_id"], row["message"])),
        "providers": sums.provider_list(), "rules": dict(sums.rules), "lines_n": sums.lines,
        "notes": [(n.rule, n.message) for n in merge_notes(DateNotes((), ""), notes)],  # as the driver
        "firsts": firsts, "runs": runs,
    }  # fmt: skip


def test_runs_of_several_buckets_give_what_one_run_per_bucket_gives(
    partition: tuple[pa.Table, worker.Plan], monkeypatch: Any
) -> None:
    per_bucket = _checked(partition, 1, monkeypatch)  # every bucket its own run
    together = _checked(partition, 100_000, monkeypatch)  # the whole partition one run
    assert per_bucket["runs"] == 12 and together["runs"] == 1
    assert together["lines_n"] == per_bucket["lines_n"] == len(together["lines"]) > 2500
    assert len(together["findings"]) > 100
    for key in ("lines", "findings", "providers", "rules", "notes", "firsts"):
        assert together[key] == per_bucket[key], key
