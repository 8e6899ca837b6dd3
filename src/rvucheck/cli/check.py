"""`rvucheck check FILE...` (also `rvucheck FILE`) and `rvucheck columns FILE`: arguments and output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.cli.common import add_check_options, exit_code, parse_map, reading_map, settings_from
from rvucheck.errors import InputFileError, RvucheckError
from rvucheck.session import Session

if TYPE_CHECKING:
    from rvucheck.read.safety import InputInfo

FORMATS = ("text", "json", "csv")
FAIL_ON = ("error", "warning", "never")


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser("check", help="check charge exports and write an annotated copy")
    check.add_argument(
        "files", nargs="+", metavar="FILE", help=".xlsx, .xlsm or .csv charge export, or an X12 837P file"
    )
    add_check_options(check)
    check.add_argument("--out", type=Path, help="annotated copy path (default: FILE.rvucheck.xlsx beside it)")
    check.add_argument("--no-annotate", action="store_true", help="findings only, no workbook (fast)")
    check.add_argument("--format", choices=FORMATS, default="text", help="output on stdout")
    check.add_argument("--pretty", action="store_true", help="indent the JSON output (slower on large files)")
    check.add_argument("--fail-on", choices=FAIL_ON, help="exit 1 when findings at or above (default error)")
    check.add_argument("--force", action="store_true", help="replace an existing annotated copy")
    check.add_argument(
        "--since",
        type=Path,
        metavar="LAST_COPY",
        help="the annotated copy of an earlier run (last.rvucheck.xlsx): mark each finding new / still open "
        "/ fixed and carry over its Status, Owner and Note",
    )
    from rvucheck.cli.scale import add_scale_options

    add_scale_options(check)
    from rvucheck.cli.spark import add_spark_options

    add_spark_options(check)
    check.set_defaults(func=run_check)
    from rvucheck.cli import columns

    columns.register(subparsers)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A rich progress bar on stderr when stderr is a terminal; otherwise a no-op."""
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
    from rvucheck.cli.scale import run_local_cli, wants_local
    from rvucheck.outputs import Outputs

    if getattr(args, "engine", None) == "spark":  # Parquet/Delta/CSV on a Spark cluster (cli/spark.py)
        from rvucheck.cli.spark import run_spark_cli

        return run_spark_cli(args)
    if wants_local(args):  # Parquet, or --engine local: patient buckets in a process pool (rvucheck.batch)
        return run_local_cli(args)
    if args.out is not None and len(args.files) > 1:
        raise InputFileError("--out names one copy; give one FILE with --out, or leave --out off")
    parse_map(args.map)  # a malformed --map stops the run before any file is read
    # every file and every output first: a bad one stops the run before any work; each input is validated
    # only here, and no copy may be (or link to) an input of the run or another copy
    infos, sessions = _validated(args)
    previous = _previous(args)
    with Outputs([info.path for info in infos], args.force) as outputs:
        plans = [_plan(info, args, outputs) for info in infos]
        results, written, worst = [], [], 0
        for info, plan in zip(infos, plans, strict=True):
            settings = settings_from(args, near=info.path, fail_on=args.fail_on)
            # one session per config file: files beside the same rvucheck.toml share the rules and data
            if settings.config_path not in sessions:
                sessions[settings.config_path] = Session.open(args.data_dir, settings)
            mapping = reading_map(args, settings)
            result, copy, code = _check_one(
                info, args, mapping, sessions[settings.config_path], plan, outputs, previous
            )
            results.append(result)
            written.append((info, copy))
            worst = max(worst, code)
        outputs.commit()  # all copies renamed into place together, only once every file was checked
    if args.format == "json":
        _print_json(results, args.pretty)
    for info, copy in written:
        _say_written(info, copy, args.format)
    return worst


def _validated(args: argparse.Namespace) -> tuple[list[InputInfo], dict[Path | None, Session]]:
    """Every input validated (read.safety.check_input), and the sessions opened so far. One large file
    checked without a copy, a core to spare: its session opens here while a forked child validates and
    scans the file (forks.two_processes); a bad file is still the error said first."""
    from rvucheck import pipeline
    from rvucheck.forks import two_processes
    from rvucheck.read.safety import check_input

    paths = [Path(name) for name in args.files]
    one_large = args.no_annotate and len(paths) == 1 and _size(paths[0]) > pipeline.LARGE_FILE_BYTES
    if not (one_large and pipeline.spare_core()):
        return [check_input(path, features=not args.no_annotate) for path in paths], {}

    def open_session() -> Session:
        session = Session.open(args.data_dir, settings_from(args, near=paths[0], fail_on=args.fail_on))
        pipeline.warm_up(session)
        return session

    try:
        session, info = two_processes(open_session, lambda: check_input(paths[0], features=False))
    except RvucheckError:
        check_input(paths[0], features=False)  # the file's own error first, as when it is checked alone
        raise
    return [info], {session.settings.config_path: session}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def _print_json(results: list[Any], pretty: bool) -> None:
    """One file's JSON document, or a list of them. Without --pretty each came encoded already (one pass,
    pipeline.CheckRequest.encoded) or is encoded here by the C encoder (an indent makes json use its
    pure-Python one: 100k lines 1.3 s -> 0.3 s); the texts are joined as json.dumps joins a list."""
    if pretty:
        document = results[0] if len(results) == 1 else results
        print(json.dumps(document, indent=1, default=str))
        return
    texts = [r if isinstance(r, str) else json.dumps(r, default=str) for r in results]
    print(texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]")


def _previous(args: argparse.Namespace) -> tuple[Any, ...] | None:
    """`--since`: the earlier copy's findings, read before any work (a wrong file stops the run first)."""
    if args.since is None:
        return None
    if args.no_annotate:
        raise InputFileError("--since marks the findings in the annotated copy; leave --no-annotate off")
    from rvucheck.annotate.since import read_previous

    return tuple(read_previous(args.since))


def _plan(info: InputInfo, args: argparse.Namespace, outputs: Any) -> Any:
    if args.no_annotate:  # the copy needs openpyxl (the workbooks extra); --no-annotate runs without it
        return None
    if info.kind == "x12":  # an 837P has no cells to annotate
        if args.out is not None or args.since is not None:
            option = "--out" if args.out is not None else "--since"
            raise InputFileError(
                f"{info.path} is an X12 837P file: rvucheck writes no annotated copy of it, so {option} does "
                "not apply; leave it off (--format json or csv puts the findings on stdout)"
            )
        say(
            f"rvucheck: {info.path}: an X12 837P file gets no annotated copy; the findings are below",
            sys.stderr,
        )
        return None
    from rvucheck.annotate.copy import plan_output

    return plan_output(info.path, info.kind, args.out, args.force, outputs)


def _check_one(
    info: InputInfo,
    args: argparse.Namespace,
    mapping: dict[str, list[str]],
    session: Session,
    plan: Any,
    outputs: Any,
    previous: tuple[Any, ...] | None = None,
) -> tuple[Any, Any, int]:
    from rvucheck.pipeline import CheckRequest, check_file

    since_name = args.since.name if args.since else ""
    encoded = args.format == "json" and not args.pretty and previous is None
    request = CheckRequest(
        info, args.sheet, mapping, session, args.format, plan, previous, since_name, encoded=encoded
    )
    outcome = check_file(request, lambda: _progress(True), outputs)  # any file: a month takes seconds
    analysis = outcome.analysis
    result: Any = None
    missing = missing_columns(analysis.fields)
    since = analysis.annotations.since if analysis.annotations is not None else None
    if args.format == "json":
        result = analysis.output
        if since is not None:
            result = {**result, "since": {"file": since.source, **since.counts()}}
    elif args.format == "csv":
        sys.stdout.write(str(analysis.output))
    else:
        if analysis.output:
            print(analysis.output)
        _print_table(analysis.summary)
        if since is not None:
            say(since.line())
    if missing:
        say(
            f"rvucheck: {info.path}: no {', '.join(missing)} column found; "
            f"`rvucheck columns {info.path.name}` shows the mapping, --map FIELD=HEADER names a column",
            sys.stderr,
        )
    return result, outcome.written, exit_code(analysis.summary.findings, session.settings.fail_on)


def say(text: str, stream: Any = None) -> None:
    """One line to the terminal: a file name may hold control characters (terminal escapes)."""
    from rvucheck.report.text import printable

    print(printable(text, one_line=True), file=stream or sys.stdout)


def _say_written(info: InputInfo, written: Any, output_format: str) -> None:
    """After the copies are in place (not before: a run that fails at the end has written none)."""
    if written is None:
        return
    if output_format == "text":  # outside the table: a long path must not be cut to the terminal width
        say(f"written to {written.path}")
    if output_format != "text":
        say(f"rvucheck: annotated copy written to {written.path}", sys.stderr)


NOTED_FIELDS = ("modifiers", "dos", "patient")  # a missing one changes what the rules can see


def missing_columns(fields: frozenset[str]) -> list[str]:
    """The fields among modifiers, date of service and patient that no column was found for."""
    return [name for name in NOTED_FIELDS if name not in fields]


def _print_table(summary: Any) -> None:
    from rich.console import Console
    from rich.markup import escape
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
    run = summary.extra.get("run")
    if run:
        from rvucheck.report.run_info import payer_rows, run_rows, stale_banner

        for label, value in zip(("locality", "conversion factor", "QPP"), run_rows(run)[:3], strict=True):
            table.add_row(label, value[1])
        for payer_label, text in payer_rows(run):  # Medicare vs other payers (the profile's medicare_payers)
            table.add_row(payer_label.lower(), text)
    console = Console(highlight=False)
    console.print(table)
    banner = stale_banner(run) if run else None
    if banner:
        console.print(f"[bold white on red]{escape(banner)}[/]")
