"""Command line: argument parsing and exit codes only; the work is in the command modules.

`rvucheck FILE ...` is short for `rvucheck check FILE ...`.
Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or input error (or a missing extra).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rvucheck import __version__
from rvucheck.errors import RvucheckError

# subcommand name -> module in rvucheck.cli that defines `register(subparsers)`;
# each register() sets `func=` on its parser, a function (args) -> int.
COMMANDS: dict[str, str] = {
    "check": "check",
    "columns": "check",
    "code": "code",
    "data": "data",
    "rules": "rules",
    "audit": "audit",
    "history": "audit",
    "excel": "excel",
    "workbook": "excel",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rvucheck", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--version", action="version", version=f"rvucheck {__version__}")
    parser.add_argument(
        "--data-dir", help="CMS data store folder (default: the user data dir, or $RVUCHECK_DATA)"
    )
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
        args_list.insert(position, "check")
        first = "check"
    # Only import the command that runs: keeps `rvucheck code X` fast to start.
    parser = build_parser(only=first if first in COMMANDS else None)
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except RvucheckError as exc:
        from rvucheck.report.text import printable  # a file name may hold terminal escapes

        print(f"rvucheck: {printable(str(exc), one_line=True)}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        package = (exc.name or "").split(".")[0]
        extra = EXTRAS.get(package)
        if extra is None:
            raise
        print(
            f"rvucheck: this needs {package}, which comes with the {extra} extra: "
            f"pip install 'rvucheck[{extra}]'",
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: not an error of the run
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("rvucheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
