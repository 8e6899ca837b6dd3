"""`rvucheck check --engine local`: one machine's cores over a file of any size.

    read (Parquet or a Delta table's snapshot by batches, or CSV / xlsx / 837P through the reader) ->
    bucket files by patient-key hash (+ the history's rows of the same patients) -> a process pool checks
    one bucket file per task -> lines.parquet, findings.parquet and summary.json in --out DIR, through
    outputs.Outputs (nothing replaced without --force; all three renamed into place only when complete).

Memory is bounded by a batch in the driver and by a bucket in a worker, not by the file. The bucket files
live in a private temporary folder removed at the end, whatever happens. The run's notes come once from
the whole input (batch.notes), its figures are the buckets' sums (batch.figures).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rvucheck.batch.buckets import Bucketer
from rvucheck.batch.contract import Columns, settings_to_json
from rvucheck.batch.figures import RunSums, run_summary
from rvucheck.batch.history import earlier_lines, month_files, month_of, month_path
from rvucheck.batch.local_input import Source, open_source
from rvucheck.batch.notes import Note, date_notes, merge_notes
from rvucheck.batch.worker import BucketDone, BucketTask, check_bucket
from rvucheck.errors import OutputError
from rvucheck.model import UnreadableLine
from rvucheck.outputs import Outputs
from rvucheck.session import Session

HISTORY_IDS = 10**15  # the history's line_ids start here: after any run's lines (batch.history)
BUCKET_ROWS = 50_000  # lines per bucket by default: a worker holds one bucket's lines and report
OUTPUT_NAMES = ("lines.parquet", "findings.parquet", "summary.json")
Step = Callable[[str, int, int], None]  # (what, done, total): the progress bar


@dataclass(frozen=True)
class LocalRequest:
    path: Path
    out: Path
    session: Session
    mapping: dict[str, list[str]] = field(default_factory=dict)
    sheet: str | None = None
    workers: int = 0  # 0: the machine's cores
    buckets: int = 0  # 0: one per BUCKET_ROWS lines, at least one per worker
    history: Path | None = None
    month: str | None = None
    append_history: bool = False
    force: bool = False


@dataclass(frozen=True)
class LocalOutcome:
    summary: dict[str, Any]
    written: list[Path]


def run_local(request: LocalRequest, step: Step) -> LocalOutcome:
    source = open_source(request.path, request.session, request.mapping or None, request.sheet)
    workers = request.workers or os.cpu_count() or 1
    with Outputs([request.path], request.force) as outputs:
        targets = [outputs.plan(request.out / name) for name in OUTPUT_NAMES]
        month_file = None
        with tempfile.TemporaryDirectory(prefix="rvucheck-buckets-") as scratch:
            folder = Path(scratch)
            count = request.buckets or max(workers, math.ceil(max(source.rows, 1) / BUCKET_ROWS))
            bucketer = Bucketer(folder, count, _keyer(request))
            unreadable = _split(source, bucketer, request, step)
            month = None
            if request.history is not None:
                month = month_of(bucketer.months, request.month)
                for table in earlier_lines(request.history, month, bucketer.patients, HISTORY_IDS):
                    bucketer.add(table, history=True)
            filled = bucketer.close()
            done = _check(filled, bucketer, folder, request, source.layout, workers, step)
            sums, notes = RunSums(), list[Note]()
            for bucket_done in done.values():
                sums.add(bucket_done.sums)
                notes.extend(bucket_done.notes)
            dates = date_notes(list(bucketer.firsts.items()), source.layout, request.session)
            merged = merge_notes(dates, notes)
            step("writing", len(filled), len(filled))
            _concat(outputs, targets[0], [folder / f"lines-{b:05d}.parquet" for b in filled])
            _concat(outputs, targets[1], [folder / f"findings-{b:05d}.parquet" for b in filled])
            summary = _summary(request, source, sums, merged, dates.ncci_quarter, unreadable, workers, count)
            outputs.write(
                targets[2], lambda temp: temp.write_text(json.dumps(summary, indent=1, default=str))
            )
            if request.append_history and request.history is not None and month is not None:
                month_file = _append_history(outputs, request, month, [bucketer.path(b) for b in filled])
        written = outputs.commit()
    if month_file is not None:
        for stale in month_files(month_file.parent):  # a month Spark wrote earlier (--force replaced it)
            if stale != month_file:
                stale.unlink()
        summary["history_appended"] = str(month_file)
    return LocalOutcome(summary, written)


def _keyer(request: LocalRequest) -> Callable[[str], str] | None:
    """With --history the lines are linked by the patient's HMAC key, the history's own."""
    if request.history is None:
        return None
    from rvucheck.audit.keys import PatientKeyer
    from rvucheck.refdata.store import default_data_dir

    data_dir = Path(request.session.data_dir) if request.session.data_dir else default_data_dir()
    return PatientKeyer.for_dir(data_dir).key


def _split(source: Source, bucketer: Bucketer, request: LocalRequest, step: Step) -> list[UnreadableLine]:
    unreadable: list[UnreadableLine] = []
    for table, bad in source.batches:
        unreadable.extend(bad)
        bucketer.add(table)
        step("splitting into buckets", bucketer.rows, source.rows)
    return unreadable


def _check(
    filled: list[int], bucketer: Bucketer, folder: Path, request: LocalRequest, layout: Columns, workers: int,
    step: Step,
) -> dict[int, BucketDone]:  # fmt: skip
    session = request.session
    settings_json = settings_to_json(session.settings)
    store = str(session.data_dir) if session.data_dir else ""
    if not store:
        from rvucheck.refdata.store import default_data_dir

        store = str(default_data_dir())
    tasks = {
        b: BucketTask(
            bucketer.path(b),
            folder / f"lines-{b:05d}.parquet",
            folder / f"findings-{b:05d}.parquet",
            store,
            settings_json,
            layout,
        )
        for b in filled
    }
    done: dict[int, BucketDone] = {}
    step("checking", 0, len(tasks))
    # The driver checks the smallest bucket itself first: that opens the worker session (the store
    # read-only and immutable) and warms its caches (fee schedule rows, edits, code sets), which forked
    # workers then share instead of each loading them again. Immutable connections take no locks and
    # read with pread, so a forked worker may use them; elsewhere (no fork) workers are spawned.
    order = sorted(tasks, key=lambda b: tasks[b].bucket.stat().st_size)
    done[order[0]] = check_bucket(tasks[order[0]])
    step("checking", 1, len(tasks))
    rest = order[1:]
    if workers <= 1 or len(rest) <= 1:
        for b in rest:
            done[b] = check_bucket(tasks[b])
            step("checking", len(done), len(tasks))
        return done
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=min(workers, len(rest)), mp_context=get_context(method)) as pool:
        futures = {pool.submit(check_bucket, tasks[b]): b for b in rest}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            step("checking", len(done), len(tasks))
    return done


def _concat(outputs: Outputs, target: Path, parts: list[Path]) -> None:
    """The buckets' Parquet files as one (bucket order; sort by line_id for the input's), a part at a time."""

    def write(temp: Path) -> None:
        schema = pq.read_schema(parts[0]) if parts else pa.schema([])
        with pq.ParquetWriter(temp, schema) as writer:
            for part in parts:
                writer.write_table(pq.read_table(part))

    outputs.write(target, write)


def _append_history(outputs: Outputs, request: LocalRequest, month: str, buckets: list[Path]) -> Path:
    """The month's lines (keyed patients; history rows left out) as its partition of the history table."""
    assert request.history is not None
    target = month_path(request.history, month)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not request.force and [path for path in month_files(target.parent) if path != target]:
        raise OutputError(f"{target.parent} already holds the month {month}: give --force to replace it")
    outputs.plan(target)

    def write(temp: Path) -> None:
        schema = pq.read_schema(buckets[0])
        with pq.ParquetWriter(temp, schema) as writer:
            for part in buckets:
                table = pq.read_table(part)
                writer.write_table(table.filter(pa.compute.invert(table.column("history"))))

    outputs.write(target, write)
    return target


def _summary(
    request: LocalRequest, source: Source, sums: RunSums, notes: list[Note], ncci_quarter: str,
    unreadable: list[UnreadableLine], workers: int, buckets: int,
) -> dict[str, Any]:  # fmt: skip
    return {
        "file": request.path.name, "kind": source.kind, "engine": "local", "workers": workers,
        "buckets": buckets,
        **run_summary(sums, notes, ncci_quarter, len(unreadable), unreadable[:1000]),
    }  # fmt: skip
