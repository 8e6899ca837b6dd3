"""Check one charge file end to end: read -> engine -> outputs (text/json/csv) and the annotated copy.

The command line (`cli/check.py`) parses arguments and prints; this module does the work with a `Session`
(settings, rules and reference data loaded once), so any front end can run the same pipeline.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import pickle
import tempfile
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


def warm_up(session: Session, today: dt.date | None = None) -> None:
    """The modules a check imports and the reference data it opens, made ready while a forked child
    validates the file (this process would only wait for it): the tables a check of this month's or last
    month's lines loads whole in this process before it shares any rule too (Reference.preload: 0.25 s at
    100k lines, taken off the check; the check still picks every table by its lines' dates). Only what
    fits in the wait: a table a rule loads (lab NCDs) may load on the other core during the check, and the
    wait is the scan's time less the session's. A reference that cannot be opened or read is left to the
    check, which says why at the point it always did."""
    import importlib

    from rvucheck.refdata.reference import Reference

    for name in CHECK_MODULES:
        importlib.import_module(name)
    today = today or dt.date.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    try:
        reference = session.reference  # opened on first use: this is its first use
        if isinstance(reference, Reference):  # the installed data (not a caller's own lookups)
            for on in dict.fromkeys((today, last_month)):  # the same tables, most months: loaded once
                reference.preload(on)
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


def _fork_worker(
    request: CheckRequest, handoff: int
) -> tuple[ProcessPoolExecutor | None, Future[None] | None]:
    """Start `analyse` in a forked worker (where fork exists), its result written to the file open on
    descriptor `handoff`. Called before any thread starts (the progress bar has one), so the child cannot
    inherit a held lock."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None, None
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    return pool, pool.submit(_analyse_in_worker, request, handoff)


def _analyse_in_worker(request: CheckRequest, handoff: int) -> None:
    """`analyse`, its result pickled as it is made (no copy of it held in memory) into the unnamed temp
    file the parent opened before the fork (descriptor `handoff`, inherited). Through a file rather than
    the pool's pipe, so the worker has exited before the parent loads it: sent through the pipe, the
    worker's resident size (~1 GB at 1,000,000 lines: the freed lines' memory is not all returned) and the
    pickled bytes in both processes added up to the run's memory peak."""
    analysis = analyse(request)
    return_freed_memory()
    try:
        with os.fdopen(os.dup(handoff), "wb") as out:
            pickle.dump(analysis, out, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        raise _handoff_error(exc) from None


def _handoff_error(exc: OSError) -> Exception:
    from rvucheck.errors import OutputError
    from rvucheck.outputs import describe_os_error

    return OutputError(describe_os_error(exc, tempfile.gettempdir(), "cannot hold the check's results"))


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
    if plan is not None:  # openpyxl (the workbooks extra) only when a copy is written; before the work
        import rvucheck.annotate.copy  # noqa: F401
    # Large workbooks: read + check run in a worker process, so the engine's code tables and the lines are
    # gone (the worker has exited) before this process loads its result and writes the copy (streamed: it
    # never loads the workbook). A threaded caller (the web page) passes fork=False.
    large = fork and request.info.size > LARGE_FILE_BYTES
    if not large or plan is None:
        return _check_here(request, progress, outputs)
    try:
        # unnamed: nothing else can open or replace it (closed by the `with` below)
        handoff = tempfile.TemporaryFile()  # noqa: SIM115
    except OSError as exc:
        raise _handoff_error(exc) from None
    with handoff:
        pool, future = _fork_worker(request, handoff.fileno())
        if pool is None or future is None:
            return _check_here(request, progress, outputs)
        try:
            with progress() as step:
                step("reading and checking", 0)
                future.result()
                pool.shutdown(wait=True)  # the worker's memory is returned before its result is loaded
                handoff.seek(0)
                analysis: Analysis = pickle.load(handoff)  # our own child's, through our own unnamed file
                handoff.truncate(0)
                return _write_copy(request, analysis, plan, outputs, step)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _check_here(
    request: CheckRequest, progress: Callable[[], AbstractContextManager[Any]], outputs: Outputs | None
) -> CheckOutcome:
    """`check_file` in this process."""
    with progress() as step:
        step("reading and checking", 0)
        analysis = analyse(request)
        plan = request.plan
        return _write_copy(request, analysis, plan, outputs, step) if plan else _done(analysis, step)


def _done(analysis: Analysis, step: Callable[[str, int], None]) -> CheckOutcome:
    step("done", 4)
    return CheckOutcome(analysis, None)


def _write_copy(
    request: CheckRequest,
    analysis: Analysis,
    plan: OutputPlan,
    outputs: Outputs | None,
    step: Callable[[str, int], None],
) -> CheckOutcome:
    from rvucheck.annotate.copy import write_annotated

    step("writing the annotated copy", 2)
    assert analysis.annotations is not None  # built whenever a copy is planned
    written = write_annotated(request.path, request.kind, analysis.annotations, plan, analysis.grid, outputs)
    step("done", 4)
    return CheckOutcome(analysis, written)
