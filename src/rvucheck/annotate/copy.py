"""Report + workbook -> the annotated copy `charges.rvucheck.xlsx`. The input is never modified; the output
goes to a temp file beside it, then is renamed (rvucheck.outputs: the one layer every command writes
through).

On the charge sheet: appended columns (Work RVU, Credited wRVU, Total RVU, Est. Payment, Global, Status,
Severity, Findings), each row with findings filled by its worst severity, a note on each offending cell,
and a filter over the data. Then a Findings sheet (one row per finding, linked to its cell) and a Summary
sheet (figures and native charts).

The copy is streamed (annotate.stream): the input is never loaded into an object model, the charge sheet's
XML is rewritten in one pass, and every part the copy does not change is copied as its compressed bytes,
so nothing the workbook holds is lost (macros, pivot tables, slicers, sparklines, threaded comments...).
The new sheets are written by openpyxl into a small side workbook and grafted in. A CSV, .xls or .ods
export first becomes a workbook of its values, annotated the same way.
"""

from __future__ import annotations

import errno
import gc
import io
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from rvucheck.annotate.documentation_sheet import write_documentation_sheet
from rvucheck.annotate.late_rows import LateRows, Side
from rvucheck.annotate.plan import Annotations, build_annotations
from rvucheck.annotate.sheets import write_findings_sheet, write_summary_sheet
from rvucheck.annotate.stream.safe import UnsafePart
from rvucheck.annotate.stream.sheet import NotASheet
from rvucheck.annotate.stream.writer import write_copy
from rvucheck.annotate.stream.zipraw import PackageTooLarge
from rvucheck.errors import InputFileError, OutputError
from rvucheck.gc_pause import paused_gc
from rvucheck.model import Report, SheetLayout
from rvucheck.outputs import Outputs, describe_os_error
from rvucheck.read.safety import VALUES_ONLY_KINDS
from rvucheck.report.summary import Summary
from rvucheck.report.xlsx import append_values


@dataclass(frozen=True)
class AnnotateResult:
    path: Path


def default_output(source: Path) -> Path:
    suffix = ".xlsm" if source.suffix.lower() == ".xlsm" else ".xlsx"
    return source.with_name(f"{source.stem}.rvucheck{suffix}")


@dataclass(frozen=True)
class OutputPlan:
    path: Path
    force: bool = False  # an existing file at `path` may be replaced


def plan_output(
    source: Path, kind: str, out: Path | None, force: bool, outputs: Outputs | None = None
) -> OutputPlan:
    """Where the copy goes, checked before any work is done (so a refused run writes nothing). `outputs`:
    the run's outputs (checked against every input and every other output of the run); default: this
    file alone."""
    path = out or default_output(source)
    if kind == "xlsm" and path.suffix.lower() != ".xlsm":
        raise InputFileError(f"{path}: the copy of a macro workbook must end in .xlsm to keep its macros")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputFileError(f"{path}: the annotated copy is a workbook; give --out a .xlsx name")
    (outputs or Outputs([source], force)).plan(path, force)
    return OutputPlan(path, force)


def annotate(
    source: Path,
    layout: SheetLayout,
    report: Report,
    summary: Summary,
    plan: OutputPlan,
    grid: Sequence[Sequence[object]] | None = None,
) -> AnnotateResult:
    """Write the annotated copy. `grid` = the sheet's cell values (needed for CSV / xls / ods input)."""
    return write_annotated(source, layout.kind, build_annotations(layout, report, summary), plan, grid)


def write_annotated(
    source: Path,
    kind: str,
    annotations: Annotations,
    plan: OutputPlan,
    grid: Sequence[Sequence[object]] | None = None,
    outputs: Outputs | None = None,
) -> AnnotateResult:
    """Write the copy through a temp file beside it. `outputs`: the run's outputs, which rename it into
    place with the run's other outputs at their `commit()`; without it the copy is renamed here."""
    if outputs is None:
        with Outputs([source], plan.force) as own:
            own.plan(plan.path)
            result = write_annotated(source, kind, annotations, plan, grid, own)
            own.commit()
        return result
    out = plan.path
    note = ""
    package = source
    try:
        if kind in VALUES_ONLY_KINDS:
            made_from = "a CSV export" if kind == "csv" else f"an .{kind} workbook"
            note = f"Made from {made_from}: the charge sheet holds its values; add your own formatting."
            package = outputs.scratch(out)
            with paused_gc():
                _values_workbook(annotations.sheet, grid or []).save(package)
        write_copy(package, outputs.stage(out), annotations, _side_writer(annotations, source.name, note))
    except OSError as exc:
        raise OutputError(describe_os_error(exc, out)) from None
    except (KeyError, StopIteration, zipfile.BadZipFile, etree.XMLSyntaxError, NotASheet, ValueError) as exc:
        raise InputFileError(
            f"{source}: the annotated copy cannot be made: a workbook part is missing or unreadable "
            f"({type(exc).__name__}); run with --no-annotate for the findings, or save it again from Excel"
        ) from None
    except UnsafePart:
        raise InputFileError(
            f"{source}: a workbook part declares XML entities (a DOCTYPE), which rvucheck refuses to copy; "
            f"run with --no-annotate for the findings, or save it again from Excel"
        ) from None
    except PackageTooLarge:
        raise OutputError(f"{out}: the annotated copy would be over 4 GB; run with --no-annotate") from None
    return AnnotateResult(path=out)


def _side_writer(annotations: Annotations, source_name: str, note: str) -> Callable[[set[str], bool], Side]:
    """The side workbook's writer: sheets named like the input's (placeholders) so the new ones get
    unique titles and their links resolve, then the Findings and Summary sheets (their data rows as
    LateRows, written into the copy as XML)."""

    def side(names: set[str], date1904: bool) -> Side:
        wb = Workbook()
        if date1904:
            wb.epoch = CALENDAR_MAC_1904
        placeholder = wb.active
        assert placeholder is not None
        ordered = sorted(names)
        placeholder.title = ordered[0] if ordered else annotations.sheet
        for name in ordered[1:]:
            wb.create_sheet(name)
        late: list[LateRows] = []
        write_findings_sheet(wb, annotations.findings, link_to_cells=True, since=annotations.since, late=late)
        write_documentation_sheet(wb, annotations.documentation, late=late)
        if annotations.summary is not None:
            write_summary_sheet(wb, annotations.summary, source_name, copy_note=note)
        return Side(_saved(wb), late)

    return side


def _saved(wb: Workbook) -> bytes:
    """The workbook's bytes. openpyxl writes each sheet to a temp file first: when that write fails (a
    file-size limit), its abandoned sheet writers fail again as they are freed; that second report is
    swallowed here so the run ends with its one line."""
    data = io.BytesIO()
    failed = ""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        try:
            wb.save(data)
        except etree.SerialisationError as exc:
            failed = str(exc) or "SerialisationError"
        if failed:
            gc.collect()
    finally:
        sys.unraisablehook = hook
    if "EFBIG" in failed:
        raise OSError(errno.EFBIG, "File too large")
    if failed:
        raise OSError(errno.EIO, failed)
    return data.getvalue()


def _values_workbook(sheet: str, grid: Sequence[Sequence[object]]) -> Workbook:
    """A new workbook whose one sheet holds the charge sheet's values at their original addresses."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in grid:
        append_values(ws, row)  # text from the export stays text
    return wb
