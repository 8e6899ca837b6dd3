"""Check one charge file end to end: read -> engine -> outputs (text/json/csv) and the annotated copy.

The command line (`cli/check.py`) parses arguments and prints; this module does the work with a `Session`
(settings, rules and reference data loaded once), so any front end can run the same pipeline.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.gc_pause import paused_gc
from rvucheck.read.safety import VALUES_ONLY_KINDS, InputInfo
from rvucheck.session import Session

if TYPE_CHECKING:  # openpyxl and the report code load only when a check runs
    from openpyxl import Workbook

    from rvucheck.annotate.copy import AnnotateResult, OutputPlan
    from rvucheck.annotate.plan import Annotations
    from rvucheck.outputs import Outputs
    from rvucheck.read.sources import Grid
    from rvucheck.report.formats import Summary

LARGE_FILE_BYTES = 1_000_000  # show progress above ~10k lines
FINDINGS_ON_SCREEN = 20  # with a copy written; the copy's Findings sheet holds the rest


@dataclass(frozen=True)
class CheckRequest:
    info: InputInfo  # the file as validated by safety.check_input (once per run, not again here)
    sheet: str | None
    mapping: dict[str, list[str]]
    session: Session
    output_format: str
    plan: OutputPlan | None  # None with --no-annotate
    previous: tuple[Any, ...] | None = None  # `--since`: the last copy's findings (annotate.since)
    previous_name: str = ""

    @property
    def path(self) -> Path:
        return self.info.path

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def needs_grid(self) -> bool:
        """A CSV, or a workbook a copy would damage, gets a new workbook holding the sheet's values."""
        return self.plan is not None and (bool(self.plan.lost) or self.kind in VALUES_ONLY_KINDS)


@dataclass(frozen=True)
class Analysis:
    output: str | dict[str, Any]  # text or CSV, or the JSON object
    summary: Summary
    annotations: Annotations | None  # None with --no-annotate
    sheet: str
    grid: Grid | None = None  # the sheet's values, when the request needs them (the sheet is read once)
    fields: frozenset[str] = frozenset()  # the fields a column was found for (ReadResult.fields)


@dataclass(frozen=True)
class CheckOutcome:
    analysis: Analysis
    written: AnnotateResult | None


def analyse(request: CheckRequest) -> Analysis:
    """Read and check one file; everything the outputs need, as plain data. Runs in a worker process for
    large workbooks so the engine's code tables are not in memory while openpyxl holds the workbook."""
    from rvucheck.annotate.plan import build_annotations
    from rvucheck.report.formats import summarize, to_csv, to_json_obj, to_text

    annotate = request.plan is not None
    session = request.session
    with paused_gc():  # reading and checking build ~1M live objects and almost no cyclic garbage
        read = session.read(
            request.path, request.sheet, request.mapping or None, request.info, keep_grid=request.needs_grid
        )
        report = session.check(read.lines, read.unreadable)
    summary = summarize(
        report, tuple(read.totals_rows), read.blank_rows, hidden_rows=tuple(read.hidden_rows),
        control_rows=tuple(read.control_rows), titles={rule.id: rule.title for rule in session.ruleset},
    )  # fmt: skip
    output: str | dict[str, Any]
    if request.output_format == "json":
        output = to_json_obj(report, summary)
    elif request.output_format == "csv":
        output = to_csv(report)
    else:
        output = to_text(report, summary, limit=FINDINGS_ON_SCREEN if annotate else None)
    annotations = build_annotations(read.layout, report, summary) if annotate else None
    if annotations is not None and request.previous is not None:
        from rvucheck.annotate.since import compare

        annotations.since = compare(annotations.findings, request.previous, request.previous_name)
    return Analysis(output, summary, annotations, read.sheet, read.grid, read.fields)


def _fork_worker(request: CheckRequest) -> tuple[ProcessPoolExecutor | None, Future[Analysis] | None]:
    """Start `analyse` in a forked worker (where fork exists). Called before any thread starts (the
    progress bar has one), so the child cannot inherit a held lock."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None, None
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    return pool, pool.submit(analyse, request)


def check_file(
    request: CheckRequest, progress: Callable[[], AbstractContextManager[Any]], outputs: Outputs | None = None
) -> CheckOutcome:
    """Check one file and write its annotated copy (when planned). `outputs`: the run's outputs; the copy
    is staged there and renamed at their `commit()` (default: renamed here). `progress()` gives a context
    whose value `step(description, done)` reports progress (0..4); it is entered after the worker is
    forked, because a progress bar runs a thread and a forked child must not inherit a lock held by another
    thread."""
    plan = request.plan
    if plan is not None:  # openpyxl (the workbooks extra) only when a copy is written
        from rvucheck.annotate.copy import open_workbook, write_annotated
    # Large workbooks: read + check run in a worker process, so the engine's code tables and the lines are
    # gone (the worker has exited) before this process loads the workbook for the copy. Loading while the
    # worker runs would use both cores but put both memory peaks on the machine at once (bench_check at
    # 100k lines: 1,128 MB together, 865 MB one after the other; 37 s against 50 s, target <= 1 GB).
    large = request.info.size > LARGE_FILE_BYTES
    pool, future = _fork_worker(request) if (large and plan is not None) else (None, None)
    workbook: list[Workbook] = []  # handed over, so write_annotated can free it before its last pass
    try:
        with progress() as step:
            step("reading and checking", 0)
            analysis = future.result() if future is not None else analyse(request)
            if pool is not None and plan is not None:
                pool.shutdown(wait=True)  # the worker's memory is returned before the workbook loads
                pool = None
                step("loading the workbook", 1)
                loaded = open_workbook(request.path, request.kind, plan)
                workbook = [loaded] if loaded is not None else []
                del loaded
            written = None
            if plan is not None:
                step("writing the annotated copy", 2)
                assert analysis.annotations is not None  # built whenever a copy is planned
                written = write_annotated(
                    request.path, request.kind, analysis.annotations, plan, analysis.grid, workbook, outputs
                )
            step("done", 4)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return CheckOutcome(analysis, written)
