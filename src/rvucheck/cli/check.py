"""`rvucheck check FILE...` (also `rvucheck FILE`) and `rvucheck columns FILE`: arguments and output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rvucheck.errors import InputFileError

FORMATS = ("text", "json", "csv")
FAIL_ON = ("error", "warning", "never")


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser("check", help="check charge exports and write an annotated copy")
    check.add_argument("files", nargs="+", metavar="FILE", help=".xlsx, .xlsm or .csv charge export")
    _reading_options(check)
    check.add_argument("--out", type=Path, help="annotated copy path (default: FILE.rvucheck.xlsx beside it)")
    check.add_argument("--locality", help="MAC-locality (e.g. 01112-05) or a locality name; default national")
    check.add_argument("--qpp", action="store_true", default=None, help="use the QPP conversion factor")
    check.add_argument("--release", help="price with this PFS release (e.g. RVU26C)")
    check.add_argument("--rules", type=Path, action="append", metavar="DIR", help="extra rule folder")
    check.add_argument("--select", action="append", help="only these rule ids or families (comma list)")
    check.add_argument("--ignore", action="append", help="skip these rule ids or families (comma list)")
    check.add_argument("--config", type=Path, help="rvucheck.toml (default: the one beside FILE)")
    check.add_argument("--no-annotate", action="store_true", help="findings only, no workbook (fast)")
    check.add_argument("--format", choices=FORMATS, default="text", help="output on stdout")
    check.add_argument("--fail-on", choices=FAIL_ON, help="exit 1 when findings at or above (default error)")
    check.add_argument("--force", action="store_true", help="replace an existing annotated copy")
    check.set_defaults(func=run_check)
    columns = subparsers.add_parser("columns", help="show how the columns of a charge export are mapped")
    columns.add_argument("files", nargs=1, metavar="FILE")
    _reading_options(columns)
    columns.set_defaults(func=run_columns)


def _reading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sheet", help="the charge sheet (default: the one with a procedure code column)")
    parser.add_argument(
        "--map", action="append", default=[], metavar="FIELD=HEADER", help="use this column for a field"
    )


def parse_map(items: list[str]) -> dict[str, list[str]]:
    from rvucheck.read.headers import canonical_field

    mapping: dict[str, list[str]] = {}
    for item in items:
        field, sep, header = item.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise InputFileError(f"--map {item}: write it as FIELD=Header, e.g. --map hcpcs='Proc Code'")
        mapping.setdefault(canonical_field(field), []).append(header.strip())
    return mapping


def _comma_list(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A rich progress bar on stderr for large files when stderr is a terminal; otherwise a no-op."""
    if not enabled or not sys.stderr.isatty():
        yield lambda description, done=None: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("reading", total=4)

        def step(description: str, done: int | None = None) -> None:
            progress.update(task, description=description, completed=done)

        yield step


def run_check(args: argparse.Namespace) -> int:
    if args.out is not None and len(args.files) > 1:
        raise InputFileError("--out names one copy; give one FILE with --out, or leave --out off")
    mapping = parse_map(args.map)
    from rvucheck.read.safety import check_input

    for name in args.files:  # every file first: a bad one stops the run before any copy is written
        check_input(Path(name))
    outputs = []
    worst = 0
    for name in args.files:
        outcome, code = _check_one(Path(name), args, mapping)
        outputs.append(outcome)
        worst = max(worst, code)
    if args.format == "json":
        print(json.dumps(outputs[0] if len(outputs) == 1 else outputs, indent=1, default=str))
    return worst


def _check_one(path: Path, args: argparse.Namespace, mapping: dict[str, list[str]]) -> tuple[Any, int]:
    from rvucheck.pipeline import LARGE_FILE_BYTES, CheckRequest, check_file
    from rvucheck.read.safety import check_input
    from rvucheck.settings import load_settings

    info = check_input(path)
    settings = load_settings(
        args.config, near=path, locality=args.locality, qpp=args.qpp, release=args.release,
        select=_comma_list(args.select), ignore=_comma_list(args.ignore), rule_dirs=args.rules,
        fail_on=args.fail_on,
    )  # fmt: skip
    plan = None
    if not args.no_annotate:  # the copy needs openpyxl (the workbooks extra); --no-annotate runs without it
        from rvucheck.annotate.copy import plan_output

        plan = plan_output(info.path, info.kind, args.out, args.force)
    request = CheckRequest(
        info.path, info.kind, info.size, args.sheet, mapping, args.data_dir, settings, args.format, plan
    )
    outcome = check_file(request, lambda: _progress(info.size > LARGE_FILE_BYTES))
    analysis, written = outcome.analysis, outcome.written
    result: Any = None
    if args.format == "json":
        result = analysis.output
    elif args.format == "csv":
        sys.stdout.write(analysis.output)
    else:
        if analysis.output:
            print(analysis.output)
        _print_table(analysis.summary, written)
    if written is not None and written.mode == "report":
        print(
            f"rvucheck: {path} holds {', '.join(written.lost)}, which a copy would lose; "
            f"results written to {written.path} instead",
            file=sys.stderr,
        )
    elif written is not None and args.format != "text":
        print(f"rvucheck: annotated copy written to {written.path}", file=sys.stderr)
    return result, _exit_code(analysis.summary.findings, settings.fail_on)


def _exit_code(counts: dict[str, int], fail_on: str) -> int:
    if fail_on == "never":
        return 0
    levels = ("error",) if fail_on == "error" else ("error", "warning")
    return 1 if any(counts.get(level, 0) for level in levels) else 0


def _print_table(summary: Any, written: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="rvucheck", show_header=False, box=None)
    read = f"{summary.lines:,} ({summary.checked:,} checked, {summary.unreadable:,} unreadable)"
    apart = f"{len(summary.totals_rows)} totals, {summary.blank_rows} blank rows"  # not charge lines
    if summary.hidden_rows:
        apart += f"; {len(summary.hidden_rows)} hidden rows checked too"
    table.add_row("lines", f"{read}; {apart}")
    table.add_row("work RVU", f"{summary.work_rvu:,.2f} (credited {summary.credited_work_rvu:,.2f})")
    table.add_row("est. payment", f"${summary.payment:,.2f} (${summary.dollars_at_stake:,.2f} at stake)")
    table.add_row("findings", ", ".join(f"{n:,} {s}" for s, n in summary.findings.items()))
    top = ", ".join(f"{r.rule} x{r.count}" for r in summary.rules[:5])
    table.add_row("top rules", top or "none")
    table.add_row("data", f"PFS {summary.release or 'none'}; NCCI {summary.ncci_quarter or 'none'}")
    Console(highlight=False).print(table)
    if written is not None:  # outside the table: a long path must not be cut to the terminal width
        print(f"written to {written.path}")


def run_columns(args: argparse.Namespace) -> int:
    from rvucheck.read.charges import read_charges
    from rvucheck.read.headers import SYNONYMS

    path = Path(args.files[0])
    read = read_charges(path, sheet=args.sheet, mapping=parse_map(args.map) or None)
    print(
        f"{path}: sheet '{read.sheet}', header on row {read.header_row}, "
        f"{read.rows_read:,} lines below it ({len(read.lines):,} readable)"
    )
    used: set[int] = set()
    for field in SYNONYMS:
        columns = read.columns_of.get(field, ())
        shown = (
            ", ".join(f"{_letters(c)} '{read.headers[c - 1]}'" for c in columns) if columns else "(not found)"
        )
        used.update(columns)
        print(f"  {field:<13} {shown}")
    other = [f"{_letters(i)} '{h}'" for i, h in enumerate(read.headers, start=1) if h and i not in used]
    if other:
        print(f"  not used: {', '.join(other)}")
    return 0


def _letters(column: int) -> str:
    from rvucheck.model import CellRef

    return CellRef("", 1, column).a1().split("!")[1].rstrip("0123456789")
