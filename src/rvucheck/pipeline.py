"""Check one charge file end to end: read -> engine -> outputs (text/json/csv) and the annotated copy.

The command line (`commands/check.py`) parses arguments and prints; this module does the work, so any front
end can run the same pipeline.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rvucheck.gc_pause import paused_gc

LARGE_FILE_BYTES = 1_000_000  # show progress above ~10k lines
FINDINGS_ON_SCREEN = 20  # with a copy written; the copy's Findings sheet holds the rest


@dataclass(frozen=True)
class CheckRequest:
    path: Path
    kind: str  # "xlsx", "xlsm", "csv" (from safety.check_input)
    size: int
    sheet: str | None
    mapping: dict[str, list[str]]
    data_dir: str | None
    settings: Any  # rvucheck.settings.Settings
    output_format: str
    plan: Any  # rvucheck.annotate.copy.OutputPlan, or None with --no-annotate


@dataclass(frozen=True)
class Analysis:
    output: Any  # text or CSV string, or the JSON object
    summary: Any  # rvucheck.report.formats.Summary
    annotations: Any  # rvucheck.annotate.plan.Annotations, or None with --no-annotate
    sheet: str


@dataclass(frozen=True)
class CheckOutcome:
    analysis: Analysis
    written: Any  # rvucheck.annotate.copy.Written, or None


def analyse(request: CheckRequest) -> Analysis:
    """Read and check one file; everything the outputs need, as plain data. Runs in a worker process for
    large workbooks so the engine's code tables are not in memory while openpyxl holds the workbook."""
    from rvucheck.annotate.plan import build_annotations
    from rvucheck.engine.runner import run
    from rvucheck.read.charges import read_charges
    from rvucheck.refdata import open_reference
    from rvucheck.report.formats import summarize, to_csv, to_json_obj, to_text
    from rvucheck.rules.ruleset import load_ruleset

    annotate = request.plan is not None
    with paused_gc():  # reading and checking build ~1M live objects and almost no cyclic garbage
        read = read_charges(request.path, sheet=request.sheet, mapping=request.mapping or None)
        ref = open_reference(request.data_dir)
        settings = request.settings
        report = run(read.lines, ref, load_ruleset(settings), settings, unreadable=read.unreadable)
    summary = summarize(report, tuple(read.totals_rows), read.blank_rows, hidden_rows=tuple(read.hidden_rows))
    if request.output_format == "json":
        output: Any = to_json_obj(report, summary)
    elif request.output_format == "csv":
        output = to_csv(report)
    else:
        output = to_text(report, summary, limit=FINDINGS_ON_SCREEN if annotate else None)
    annotations = build_annotations(read.layout, report, summary) if annotate else None
    return Analysis(output, summary, annotations, read.sheet)


def _fork_worker(request: CheckRequest) -> tuple[ProcessPoolExecutor | None, Future[Analysis] | None]:
    """Start `analyse` in a forked worker (where fork exists). Called before any thread starts (the
    progress bar has one), so the child cannot inherit a held lock."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None, None
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    return pool, pool.submit(analyse, request)


def check_file(request: CheckRequest, progress: Callable[[], AbstractContextManager[Any]]) -> CheckOutcome:
    """Check one file and write its annotated copy (when planned). `progress()` gives a context whose value
    `step(description, done)` reports progress (0..4); it is entered after the worker is forked, because a
    progress bar runs a thread and a forked child must not inherit a lock held by another thread."""
    from rvucheck.annotate.copy import open_workbook, write_annotated

    plan = request.plan
    # Large workbooks: read + check run in a worker process, so the engine's code tables and the lines are
    # gone (the worker has exited) before this process loads the workbook for the copy. Loading while the
    # worker runs would use both cores but put both memory peaks on the machine at once (bench_check at
    # 100k lines: 1,128 MB together, 865 MB one after the other; 37 s against 50 s, target <= 1 GB).
    large = request.size > LARGE_FILE_BYTES
    pool, future = _fork_worker(request) if (large and plan is not None) else (None, None)
    try:
        with progress() as step:
            step("reading and checking", 0)
            workbook: list[Any] = []  # handed over, so write_annotated can free it before its last pass
            analysis = future.result() if future is not None else analyse(request)
            if pool is not None:
                pool.shutdown(wait=True)  # the worker's memory is returned before the workbook loads
                pool = None
                step("loading the workbook", 1)
                loaded = open_workbook(request.path, request.kind, plan)
                workbook = [loaded] if loaded is not None else []
                del loaded
            written = None
            if plan is not None:
                step("writing the annotated copy", 2)
                needs_grid = plan.lost or request.kind == "csv"
                grid = _grid_for_report(request.path, request.kind, analysis.sheet) if needs_grid else None
                written = write_annotated(
                    request.path, request.kind, analysis.annotations, plan, grid, workbook
                )
            step("done", 4)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return CheckOutcome(analysis, written)


def _grid_for_report(path: Path, kind: str, sheet: str) -> list[list[object]]:
    from rvucheck.read.sources import XlsxBook, read_csv_grid

    return read_csv_grid(path).rows if kind == "csv" else XlsxBook(path).grid(sheet).rows
