"""`rvucheck check --engine local`: the options of checking at scale and their run (rvucheck.batch).

    rvucheck check month.parquet --out results/ [--workers N] [--buckets N]
    rvucheck check month.csv --engine local --out results/ --history history/ [--append-history]

The local engine is the default for a Parquet file; `--engine single` (the default for spreadsheets and
CSV) is the one-process check with its annotated copy.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rvucheck.batch.delta import is_delta
from rvucheck.errors import InputFileError
from rvucheck.read.x12.sniff import holds_x12_files

ENGINES = ("auto", "single", "local", "spark")
SCALE_SUFFIXES = (".parquet",)  # inputs the one-process check does not read


def add_scale_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "checking at scale (needs the scale extra: pip install 'rvucheck[scale]')"
    )
    group.add_argument(
        "--engine", choices=ENGINES, default="auto",
        help="local: patient buckets in a process pool, Parquet out (default for .parquet); "
        "single: one process",
    )  # fmt: skip
    group.add_argument(
        "--workers", type=_positive, default=0, metavar="N", help="worker processes (default: cores)"
    )
    group.add_argument(
        "--buckets", type=_positive, default=0, metavar="N", help="patient buckets (default: by size)"
    )
    group.add_argument(
        "--history", type=Path, metavar="DIR",
        help="charge-history table (Parquet by month): earlier months' lines of the same patients are joined",
    )  # fmt: skip
    group.add_argument("--month", help="the month checked, YYYY-MM (default: most lines' month)")
    group.add_argument(
        "--append-history", action="store_true", help="add the month's lines to --history DIR after the check"
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("give 1 or more")
    return value


def wants_local(args: argparse.Namespace) -> bool:
    engine = getattr(args, "engine", "auto")
    if engine == "auto":
        return any(
            Path(name).suffix.lower() in SCALE_SUFFIXES or is_delta(name) or holds_x12_files(Path(name))
            for name in args.files
        )
    return bool(engine == "local")


def run_local_cli(args: argparse.Namespace) -> int:
    from rvucheck.batch.local import LocalRequest, run_local  # pyarrow (the scale extra): before any work
    from rvucheck.cli.common import exit_code, parse_map, reading_map, settings_from
    from rvucheck.session import Session

    if len(args.files) != 1:
        raise InputFileError("--engine local checks one file at a time; give one FILE")
    if args.append_history and args.history is None:
        raise InputFileError("--append-history adds the month to a history table: give --history DIR too")
    parse_map(args.map)
    path = Path(args.files[0])
    if not path.exists() or (not path.is_file() and not path.is_dir()):
        raise InputFileError(
            f"{path}: not a file; give the charge file (Parquet, CSV, a workbook or 837P), a Delta table or "
            "a folder of 837P files"
        )
    out = args.out if args.out is not None else path.with_name(path.stem + ".rvucheck")
    if out.exists() and not out.is_dir():
        raise InputFileError(f"--out {out}: is a file; the local engine writes a folder, give a folder name")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from rvucheck.outputs import describe_os_error

        raise InputFileError(describe_os_error(exc, out, "cannot make the folder")) from None
    settings = settings_from(args, near=path, fail_on=args.fail_on)
    session = Session.open(args.data_dir, settings)

    request = LocalRequest(
        path, out, session, reading_map(args, settings), args.sheet, args.workers, args.buckets, args.history,
        args.month, args.append_history, args.force,
    )  # fmt: skip
    with _bar() as step:
        outcome = run_local(request, step)
    summary = outcome.summary
    lines, unreadable, history = summary["lines"], summary["unreadable"], summary["history_lines"]
    print_summary(summary, args, f"{lines:,} lines ({unreadable:,} unreadable), {history:,} history lines",
                  f"{out} ({', '.join(p.name for p in outcome.written)})")  # fmt: skip
    return exit_code(summary["findings"], settings.fail_on)


def print_summary(summary: dict[str, Any], args: argparse.Namespace, counted: str, written: str) -> None:
    """A batch engine's summary on stdout: its JSON (--format json), or the counts, the run notes and where
    the outputs were written, one line each (the local and the Spark engine say it the same way)."""
    if args.format == "json":
        import json

        print(json.dumps(summary, indent=1 if args.pretty else None, default=str))
        return
    found = ", ".join(f"{n:,} {s}" for s, n in summary["findings"].items())
    say(f"{counted}; {found}")
    for note in summary["notes"]:
        say(f"note {note['rule']}: {note['message']}")
    for warning in summary.get("warnings", ()):  # cells read as blank for an Excel error, as the one process
        say(f"note: {warning}")
    say(f"written to {written}")


def say(text: str) -> None:
    """One line to the terminal (a file name may hold control characters)."""
    from rvucheck.report.text import printable

    print(printable(text, one_line=True))


@contextmanager
def _bar() -> Iterator[Any]:
    """A rich progress bar on stderr when it is a terminal (what, done, total); else nothing."""
    if not sys.stderr.isatty():
        yield lambda what, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("reading", total=None)

        def step(what: str, done: int, total: int) -> None:
            progress.update(task, description=what, completed=done, total=total or None)

        yield step
