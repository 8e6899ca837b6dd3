"""Report + workbook -> the annotated copy `charges.rvucheck.xlsx` (or a report workbook when a copy
would lose something). The input is never modified; the output goes to a temp file beside it, then is
renamed (rvucheck.outputs: the one layer every command writes through).

On the charge sheet (charge_sheet.py): appended columns (Work RVU, Credited wRVU, Total RVU, Est.
Payment, Global, Status, Severity, Findings), each row with findings filled by its worst severity, a note
on each offending cell, and a filter over the data. Then a Findings sheet (one row per finding, linked to
its cell) and a Summary sheet (figures and native charts). The workbook is loaded once with openpyxl (the
values were read with calamine) and saved once: that single round trip is the cost floor the benchmark
compares with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from rvucheck.annotate.charge_sheet import annotate_charge_sheet
from rvucheck.annotate.inject import inject_rows
from rvucheck.annotate.lossy import lost_in_copy
from rvucheck.annotate.plan import Annotations, build_annotations
from rvucheck.annotate.sheets import write_findings_sheet, write_summary_sheet
from rvucheck.errors import InputFileError, OutputError
from rvucheck.gc_pause import paused_gc
from rvucheck.model import PackageContents, Report, SheetLayout
from rvucheck.outputs import Outputs, describe_os_error
from rvucheck.read.safety import VALUES_ONLY_KINDS
from rvucheck.report.summary import Summary
from rvucheck.report.xlsx import append_values


@dataclass(frozen=True)
class AnnotateResult:
    path: Path
    mode: str  # "copy" (annotated copy of the workbook) or "report" (separate report workbook)
    lost: list[str] = field(default_factory=list)  # what a copy would have lost (mode "report")


def default_output(source: Path, report_workbook: bool = False) -> Path:
    suffix = ".xlsm" if source.suffix.lower() == ".xlsm" and not report_workbook else ".xlsx"
    stem = f"{source.stem}.rvucheck-report" if report_workbook else f"{source.stem}.rvucheck"
    return source.with_name(stem + suffix)


@dataclass(frozen=True)
class OutputPlan:
    path: Path
    lost: list[str]  # features a copy would lose: non-empty means a separate report workbook
    rich_text: bool = False  # formatted text runs: only then pay for openpyxl's rich-text parsing
    force: bool = False  # an existing file at `path` may be replaced


def plan_output(
    source: Path,
    kind: str,
    out: Path | None,
    force: bool,
    contents: PackageContents | None = None,
    outputs: Outputs | None = None,
) -> OutputPlan:
    """Where the results go, checked before any work is done (so a refused run writes nothing).
    `contents`: what the workbook holds beyond cells (None for CSV). `outputs`: the run's outputs (checked
    against every input and every other output of the run); default: this file alone."""
    lost = lost_in_copy(contents) if contents is not None and kind not in VALUES_ONLY_KINDS else []
    path = out or default_output(source, report_workbook=bool(lost))
    if kind == "xlsm" and not lost and path.suffix.lower() != ".xlsm":
        raise InputFileError(f"{path}: the copy of a macro workbook must end in .xlsm to keep its macros")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputFileError(f"{path}: the annotated copy is a workbook; give --out a .xlsx name")
    (outputs or Outputs([source], force)).plan(path, force)
    return OutputPlan(path, lost, contents.rich_text if contents else False, force)


def annotate(
    source: Path,
    layout: SheetLayout,
    report: Report,
    summary: Summary,
    plan: OutputPlan,
    grid: Sequence[Sequence[object]] | None = None,
) -> AnnotateResult:
    """Write the annotated copy (xlsx/xlsm) or, for CSV input or a workbook a copy would damage, a new
    workbook holding the charge sheet's values with the same annotations. `grid` = the sheet's cell values
    (needed for those two cases)."""
    return write_annotated(source, layout.kind, build_annotations(layout, report, summary), plan, grid)


def open_workbook(source: Path, kind: str, plan: OutputPlan) -> Workbook | None:
    """The input loaded for an annotated copy; None when a new workbook is written (CSV, report mode).
    Separate so the check can load it while the engine runs in its worker."""
    if kind in VALUES_ONLY_KINDS or plan.lost:
        return None
    try:
        with paused_gc():
            return load_workbook(source, keep_vba=kind == "xlsm", rich_text=plan.rich_text, keep_links=True)
    except MemoryError:
        raise InputFileError(
            f"{source}: the workbook writer ran out of memory opening it (a huge merged range or sheet "
            f"size?); run with --no-annotate for the findings, or save a smaller copy from Excel"
        ) from None
    except Exception as exc:  # openpyxl raises many types for parts it cannot parse
        raise InputFileError(
            f"{source}: the workbook writer cannot open it ({type(exc).__name__}: {str(exc)[:80]}); "
            f"run with --no-annotate for the findings, or save it again from Excel"
        ) from None


def write_annotated(
    source: Path,
    kind: str,
    annotations: Annotations,
    plan: OutputPlan,
    grid: Sequence[Sequence[object]] | None = None,
    workbook_box: list[Workbook] | None = None,
    outputs: Outputs | None = None,
) -> AnnotateResult:
    """Write the copy through temp files beside it. `outputs`: the run's outputs, which rename it into place
    with the run's other outputs at their `commit()`; without it the copy is renamed into place here.
    `workbook_box` may hold the input already loaded by `open_workbook`; it is emptied so the workbook can be
    freed before the last pass."""
    if outputs is None:
        with Outputs([source], plan.force) as own:
            own.plan(plan.path)
            result = write_annotated(source, kind, annotations, plan, grid, workbook_box, own)
            own.commit()
        return result
    wb = workbook_box[0] if workbook_box else None
    lost, out = plan.lost, plan.path
    as_report = bool(lost)
    note = ""
    if kind in VALUES_ONLY_KINDS:
        wb = _values_workbook(annotations.sheet, grid or [])
        made_from = "a CSV export" if kind == "csv" else f"an .{kind} workbook"
        note = f"Made from {made_from}: the charge sheet holds its values; add your own formatting."
    elif as_report:
        wb = _values_workbook(annotations.sheet, grid or [])
        note = (
            f"{source.name} holds {', '.join(lost)}, which the annotated copy would lose; this report "
            f"workbook holds its charge sheet's values and the results instead."
        )
    elif wb is None:
        wb = open_workbook(source, kind, plan)
    assert wb is not None
    charge_sheet = wb[annotations.sheet]
    rendered = annotate_charge_sheet(charge_sheet, annotations)
    write_findings_sheet(wb, annotations.findings, link_to_cells=True, since=annotations.since)
    if annotations.summary is not None:
        write_summary_sheet(wb, annotations.summary, source.name, copy_note=note)
    last_column = get_column_letter(max(charge_sheet.max_column, annotations.header_count))
    saved, final = outputs.scratch(out), outputs.stage(out)
    try:
        with paused_gc():
            wb.save(saved)
        part = charge_sheet.path.lstrip("/")  # the part name is given while saving
        # the workbook is no longer needed (the XML pass below streams and needs little memory; no gc.collect:
        # walking openpyxl's millions of objects costs a second)
        del wb, charge_sheet
        if workbook_box is not None:
            workbook_box.clear()
        inject_rows(saved, final, part, rendered, last_column)
    except OSError as exc:
        raise OutputError(describe_os_error(exc, out)) from None
    return AnnotateResult(path=out, mode="report" if as_report else "copy", lost=lost)


def _values_workbook(sheet: str, grid: Sequence[Sequence[object]]) -> Workbook:
    """A new workbook whose one sheet holds the charge sheet's values at their original addresses."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in grid:
        append_values(ws, row)  # text from the export stays text
    return wb
