"""Command line: argument parsing and exit codes only; the work is in the command modules.

`rvucheck FILE ...` is short for `rvucheck check FILE ...`.

Exit codes:
  0    ok
  1    findings at or above --fail-on (never anything else)
  2    an error the user can fix: input, output, data store, audit history or its secret, disk full, file-size
       limit, permissions, out of memory, a missing extra. One line on stderr naming the file and what to do.
  3    internal error (a bug): one line with the exception's type only (its message may hold cell values) and
       where to report it; `rvucheck --debug ...` shows the traceback
  130  interrupted (Ctrl-C); 143 terminated (SIGTERM). Temp files are removed in both cases.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sqlite3
import sys
import traceback
import zipfile
import zlib
from collections.abc import Sequence

from rvucheck import __version__
from rvucheck.cli.suggest import Parser, command_hint
from rvucheck.errors import RvucheckError
from rvucheck.outputs import Terminated, describe_os_error, install_signal_handlers, restore_signal_handlers

BUG_REPORT = "https://github.com/rvucheck/rvucheck/issues"

HELP = """Check Medicare physician charges against the CMS fee schedule and coding policy (NCCI, MUE, global
periods, ICD-10-CM ...): rvucheck reads a charge export (xlsx or csv) and writes an annotated copy with a
finding beside each line that needs a look, a summary, and a month-end coding audit.

`rvucheck FILE` is short for `rvucheck check FILE`."""

EPILOG = """first time:
  rvucheck init                             write rvucheck.toml (locality, QPP, providers) by a few questions
  rvucheck data install                     download the CMS files the rules use (fee schedule, GPCI,
                                            localities, NCCI, MUE, add-on codes, ICD-10-CM ...)
examples:
  rvucheck charges.xlsx                     check a month's charges; writes charges.rvucheck.xlsx
  rvucheck check charges.csv --locality "Dallas, TX" --json out.json
  rvucheck audit jan.xlsx feb.xlsx          month-end coding audit (workbook + HTML)
  rvucheck code 20983 --locality 01112-05   one code's RVUs, payment and indicators
  rvucheck code 99213-25                    a code as billed, with its modifier
  rvucheck data localities --state TX       the Medicare localities and their counties
  rvucheck COMMAND --help                   every option of one command

exit codes:
  0  ok: no finding at or above --fail-on
  1  findings at or above --fail-on (default: errors)
  2  a problem you can fix (file, option, data not installed ...): one line says what to do
  3  internal error (a bug): please report it; rvucheck --debug ... shows the details"""

# subcommand name -> module in rvucheck.cli that defines `register(subparsers)`;
# each register() sets `func=` on its parser, a function (args) -> int.
COMMANDS: dict[str, str] = {
    "check": "check",
    "init": "init",
    "columns": "check",
    "code": "code",
    "data": "data",
    "rules": "rules",
    "audit": "audit",
    "history": "audit",
    "excel": "excel",
    "workbook": "excel",
    "serve": "serve",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = Parser(
        prog="rvucheck",
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rvucheck {__version__}")
    parser.add_argument(
        "--data-dir", help="CMS data store folder (default: the user data dir, or $RVUCHECK_DATA)"
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = sorted(set(COMMANDS.values())) if only is None else [COMMANDS[only]]
    for name in modules:
        try:
            module = importlib.import_module(f"rvucheck.cli.{name}")
        except ModuleNotFoundError as exc:  # a command still being built must not break the others
            if exc.name != f"rvucheck.cli.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


# import name -> the extra of pyproject.toml that installs it: a lean install (`pip install rvucheck`) reads
# charge files and runs the engine; writing workbooks, charts and the Excel add-in need these.
EXTRAS: dict[str, str] = {
    "openpyxl": "workbooks",
    "PIL": "workbooks",
    "xlwings": "excel",
    "starlette": "web",  # `rvucheck serve`, the local web page
    "uvicorn": "web",
    "jinja2": "web",
    "pyarrow": "scale",  # `rvucheck check --engine local`, Parquet in and out (rvucheck.batch)
    "pyspark": "spark",  # `rvucheck check --engine spark` (rvucheck.batch.spark; it also needs Java 17+)
    "xlsxwriter": "test",  # only the synthetic sample-month writer (rvucheck.testing) uses it
}


# top-level options that take a value: their value is not the command
_GLOBAL_OPTIONS_WITH_VALUE = {"--data-dir"}


def _first_positional(args: list[str]) -> int | None:
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
        elif arg in _GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return index
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    position = _first_positional(args_list)
    first = args_list[position] if position is not None else None
    if position is not None and first not in COMMANDS:
        hint = command_hint(first or "", sorted(COMMANDS)) if not os.path.exists(first or "") else None
        if hint:
            print(f"rvucheck: {hint}", file=sys.stderr)
            return 2
        args_list.insert(position, "check")
        first = "check"
    # Only import the command that runs: keeps `rvucheck code X` fast to start.
    parser = build_parser(only=first if first in COMMANDS else None)
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    previous = install_signal_handlers(), sys.unraisablehook
    if not args.debug:  # an error in a finaliser (a half-written zip, a parser's generator) stays quiet
        sys.unraisablehook = _quiet
    try:
        code = int(args.func(args))
    except BaseException as exc:
        if args.debug:
            traceback.print_exc()
        code = _failed(exc, args)
        gc.collect()  # the failed run's finalisers run now, while quiet
    finally:
        restore_signal_handlers(previous[0])
        sys.unraisablehook = previous[1]
    if argv is None and args.command in FAST_EXIT_COMMANDS:  # the process's own entry, not a caller's
        _exit_now(code)
    return code


# Commands whose process ends with os._exit once its outputs are written: a check of 100k lines leaves
# ~1M objects, and freeing them one by one at interpreter exit took 0.4 s for nothing.
FAST_EXIT_COMMANDS = frozenset({"check"})


def _exit_now(code: int) -> None:
    """End the process without tearing down the interpreter. Every output file was written through
    `Outputs` (closed and renamed) before this; what stdout and stderr still buffer is flushed here, and a
    failed flush is reported as the interpreter's own exit would (a closed pipe is no error of the run)."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # a closed pipe, or a stream closed after one
        pass
    except OSError as exc:
        print(f"rvucheck: {describe_os_error(exc, '<stdout>')}", file=sys.stderr)
        code = max(code, 2)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def _quiet(unraisable: object) -> None:
    """Nothing to print: the run's own error (if any) has said what failed."""


def _failed(exc: BaseException, args: argparse.Namespace) -> int:
    """The exit code of a run that raised, after one line on stderr (see the module docstring)."""
    code, message = _classify(exc, args)
    if message:
        from rvucheck.report.text import printable  # a file name may hold terminal escapes

        print(f"rvucheck: {printable(message, one_line=True)}", file=sys.stderr)
        for line in getattr(exc, "details", ()):  # e.g. the localities an ambiguous --locality fits
            print(f"  {printable(line, one_line=True)}", file=sys.stderr)
    if isinstance(exc, BrokenPipeError):
        sys.stderr.close()
    return code


def _classify(exc: BaseException, args: argparse.Namespace) -> tuple[int, str]:
    if isinstance(exc, RvucheckError):
        return 2, str(exc)
    if isinstance(exc, SystemExit):
        raise exc
    if isinstance(exc, KeyboardInterrupt):
        return 130, "interrupted"
    if isinstance(exc, Terminated):
        return 128 + exc.signum, "terminated"
    if isinstance(exc, BrokenPipeError):  # output piped into `head` and the like: not an error of the run
        return 0, ""
    if isinstance(exc, ModuleNotFoundError):
        package = (exc.name or "").split(".")[0]
        extra = EXTRAS.get(package)
        if extra is not None:
            return 2, (
                f"this needs {package}, which comes with the {extra} extra: pip install 'rvucheck[{extra}]'"
            )
    if isinstance(exc, MemoryError):
        return (
            2,
            f"{_subject(args)}: ran out of memory; split the file into smaller ones or use a larger machine",
        )
    if isinstance(exc, (zipfile.BadZipFile, zlib.error)) or _xml_error(exc):  # met after the reader's checks
        damaged = f"the workbook is damaged ({type(exc).__name__})"
        return 2, f"{_subject(args)}: {damaged}; open it in Excel and save it again"
    if isinstance(exc, sqlite3.DatabaseError):  # the reference store (the history reports its own)
        return 2, (
            f"the CMS data store in {_data_dir(args)} is damaged or unreadable ({str(exc)[:60]}); "
            "install it again: rvucheck data install --from FOLDER (or give another --data-dir)"
        )
    if isinstance(exc, OSError) and exc.errno is not None:
        return 2, describe_os_error(exc, doing="failed")
    return 3, (
        f"internal error ({type(exc).__name__}); this is a bug: please report it at {BUG_REPORT} with the "
        "command you ran (not your data); rvucheck --debug ... shows the traceback"
    )


def _xml_error(exc: BaseException) -> bool:
    """lxml's XMLSyntaxError or xml.etree's ParseError: a workbook part calamine accepted, a parser not."""
    return isinstance(exc, SyntaxError) and type(exc).__module__.startswith(("lxml", "xml."))


def _subject(args: argparse.Namespace) -> str:
    files = getattr(args, "files", None) or []
    return ", ".join(str(f) for f in files) or "rvucheck"


def _data_dir(args: argparse.Namespace) -> str:
    from rvucheck.refdata.store import default_data_dir

    return str(getattr(args, "data_dir", None) or default_data_dir())


if __name__ == "__main__":
    sys.exit(main())
