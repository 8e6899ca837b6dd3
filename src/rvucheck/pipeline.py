"""Check one charge file end to end: read -> engine -> outputs (text/json/csv) and the annotated copy.

The command line (`cli/check.py`) parses arguments and prints; this module does the work with a `Session`
(settings, rules and reference data loaded once), so any front end can run the same pipeline.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.forks import shared
from rvucheck.gc_pause import frozen_gc, paused_gc, return_freed_memory
from rvucheck.read.safety import VALUES_ONLY_KINDS, InputInfo
from rvucheck.session import Session

if TYPE_CHECKING:  # openpyxl, the report code and the process pool load only when used
    from concurrent.futures import Future, ProcessPoolExecutor

    from rvucheck.annotate.copy import AnnotateResult, OutputPlan
    from rvucheck.annotate.plan import Annotations
    from rvucheck.engine.runner import Share
    from rvucheck.model import Report
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
    also: tuple[str, ...] = ()  # more formats of the same report (the web page offers JSON and CSV both)
    # `json` as its encoded text (report.csv_json.to_json_text: no dict per line), not the object; the
    # command line prints it as is when it adds nothing to it (no --pretty, no --since)
    encoded: bool = False

    @property
    def path(self) -> Path:
        return self.info.path

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def needs_grid(self) -> bool:
        """A CSV, .xls or .ods export's copy is a new workbook holding the sheet's values."""
        return self.plan is not None and self.kind in VALUES_ONLY_KINDS


@dataclass(frozen=True)
class Analysis:
    output: str | dict[str, Any]  # text or CSV, or the JSON object
    summary: Summary
    annotations: Annotations | None  # None with --no-annotate
    sheet: str
    grid: Grid | None = None  # the sheet's values, when the request needs them (the sheet is read once)
    fields: frozenset[str] = frozenset()  # the fields a column was found for (ReadResult.fields)
    more: dict[str, str | dict[str, Any]] = field(default_factory=dict)  # format -> output (`also`)


@dataclass(frozen=True)
class CheckOutcome:
    analysis: Analysis
    written: AnnotateResult | None


def analyse(request: CheckRequest) -> Analysis:
    """Read and check one file; everything the outputs need, as plain data. Runs in a worker process for
    large workbooks so the engine's code tables are gone while the annotated copy is written."""
    from rvucheck.report.formats import summarize
    from rvucheck.report.run_info import run_block, with_run

    annotate = request.plan is not None
    session = request.session
    with frozen_gc():  # the lines and the report stay alive to the end: no collection walks them again
        with paused_gc():  # reading and checking build ~1M live objects and almost no cyclic garbage
            read = session.read(
                request.path,
                request.sheet,
                request.mapping or None,
                request.info,
                keep_grid=request.needs_grid,
            )
            # report-only: the rules shared with a child on a spare core (the copy's path runs in a worker)
            share = shared if not annotate and spare_core() else None
            report = session.check(read.lines, read.unreadable, share=share)
            # frozen before the collector resumes: its first pass would otherwise walk them all (0.4 s at
            # 100k lines) right after they were built
            gc.freeze()
        summary = summarize(
            report, tuple(read.totals_rows), read.blank_rows, hidden_rows=tuple(read.hidden_rows),
            control_rows=tuple(read.control_rows), titles={rule.id: rule.title for rule in session.ruleset},
        )  # fmt: skip
        summary = with_run(summary, run_block(report, session.reference, session.settings))
        limit = FINDINGS_ON_SCREEN if annotate else None  # with a copy, its Findings sheet holds the rest
        encoded = "json-text" if request.encoded and request.output_format == "json" else ""
        # the JSON's lines shared with a child too (forked now: it has the report as this process has it)
        shared_json = share if share is not None and _worth_sharing(len(report.results)) else None
        output = _output(encoded or request.output_format, report, summary, limit, shared_json)
        more = {name: _output(name, report, summary, limit) for name in request.also}
        annotations = None
        if annotate:
            from rvucheck.annotate.plan import build_annotations

            annotations = build_annotations(read.layout, report, summary)
        if annotations is not None and request.previous is not None:
            from rvucheck.annotate.since import compare

            annotations.since = compare(annotations.findings, request.previous, request.previous_name)
    return Analysis(output, summary, annotations, read.sheet, read.grid, read.fields, more)


# What checking a file imports first (a tenth of a second): imported while a child validates the file
CHECK_MODULES = (
    "rvucheck.read.charges", "rvucheck.engine.runner", "rvucheck.rules.payer_scope",
    "rvucheck.report.formats", "rvucheck.report.run_info",
)  # fmt: skip


def warm_up(session: Session) -> None:
    """The modules a check imports and the reference data it opens, made ready while a forked child
    validates the file (this process would only wait for it). A reference that cannot be opened is left
    to the check, which says why at the point it always did."""
    import importlib

    for name in CHECK_MODULES:
        importlib.import_module(name)
    try:
        session.reference  # noqa: B018  # opened on first use: this is its first use
    except Exception:  # not installed, damaged: the check opens it again and its error is said there
        return


def spare_core() -> bool:
    """Whether a second process would get a core of its own: the machine's 1-minute load average is below
    the cores this process may run on. On a busy machine the second process only competes with others for
    the same cores (more CPU in all, no sooner done), so the work stays in one process."""
    try:
        cores = len(os.sched_getaffinity(0))
        return cores > 1 and os.getloadavg()[0] < cores
    except (AttributeError, OSError):  # no affinity or load average (macOS, Windows): the cores alone
        return (os.cpu_count() or 1) > 1


def _worth_sharing(lines: int) -> bool:
    """Whether work on this many lines is worth a fork: the sizes at which the engine shares its rules."""
    from rvucheck.engine.runner import SPLIT_LINES, SPLIT_MAX_LINES

    return SPLIT_LINES <= lines <= SPLIT_MAX_LINES


def _output(
    output_format: str, report: Report, summary: Summary, limit: int | None, share: Share[Any] | None = None
) -> str | dict[str, Any]:
    """The text, CSV or JSON object of a report (the command line prints it); `share`: the JSON text's
    lines shared out by it (forks.shared)."""
    from rvucheck.report.formats import to_csv, to_json_obj, to_json_text, to_text

    if output_format == "json-text":
        return to_json_text(report, summary, share)
    if output_format == "json":
        return to_json_obj(report, summary)
    if output_format == "csv":
        return to_csv(report)
    return to_text(report, summary, limit=limit)


def _fork_worker(request: CheckRequest) -> tuple[ProcessPoolExecutor | None, Future[Analysis] | None]:
    """Start `analyse` in a forked worker (where fork exists). Called before any thread starts (the
    progress bar has one), so the child cannot inherit a held lock."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None, None
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    return pool, pool.submit(_analyse_in_worker, request)


def _analyse_in_worker(request: CheckRequest) -> Analysis:
    """`analyse`, then the memory its lines and report held given back before the result is sent: the
    worker's resident size adds to the main process's while it receives it."""
    analysis = analyse(request)
    return_freed_memory()
    return analysis


def check_file(
    request: CheckRequest,
    progress: Callable[[], AbstractContextManager[Any]],
    outputs: Outputs | None = None,
    fork: bool = True,
) -> CheckOutcome:
    """Check one file and write its annotated copy (when planned). `outputs`: the run's outputs; the copy
    is staged there and renamed at their `commit()` (default: renamed here). `progress()` gives a context
    whose value `step(description, done)` reports progress (0..4); it is entered after the worker is
    forked, because a progress bar runs a thread and a forked child must not inherit a lock held by another
    thread. `fork=False`: never fork (a caller that runs threads of its own, such as the web server)."""
    plan = request.plan
    if plan is not None:  # openpyxl (the workbooks extra) only when a copy is written
        from rvucheck.annotate.copy import write_annotated
    # Large workbooks: read + check run in a worker process, so the engine's code tables and the lines are
    # gone (the worker has exited) before this process writes the copy (streamed: it never loads the
    # workbook, but the Findings and Summary sheets are built in memory). A threaded caller (the web page)
    # passes fork=False.
    large = fork and request.info.size > LARGE_FILE_BYTES
    pool, future = _fork_worker(request) if (large and plan is not None) else (None, None)
    try:
        with progress() as step:
            step("reading and checking", 0)
            analysis = future.result() if future is not None else analyse(request)
            if pool is not None:
                pool.shutdown(wait=True)  # the worker's memory is returned before the copy is written
                pool = None
            written = None
            if plan is not None:
                step("writing the annotated copy", 2)
                assert analysis.annotations is not None  # built whenever a copy is planned
                written = write_annotated(
                    request.path, request.kind, analysis.annotations, plan, analysis.grid, outputs
                )
            step("done", 4)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return CheckOutcome(analysis, written)
