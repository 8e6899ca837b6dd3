"""The parser every command uses, and its suggestions: a misspelt command or option gets a "did you mean"
(difflib), and a bare procedure code (`rvucheck 20983`) is pointed at `rvucheck code 20983`."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Iterator
from typing import NoReturn

CODE_LIKE = re.compile(r"^[0-9A-Z]{4}[0-9A-Z](-[0-9A-Z]{2})*$", re.IGNORECASE)


class Parser(argparse.ArgumentParser):
    """argparse, with "did you mean" on unknown options and sub-commands (exit 2, as argparse does)."""

    def error(self, message: str) -> NoReturn:
        hint = _hint(self, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}{hint}\n")


def _hint(parser: argparse.ArgumentParser, message: str) -> str:
    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        options = re.findall(r"'([^']*)'", choice.group(2)) or choice.group(2).split(", ")
        close = difflib.get_close_matches(choice.group(1), options, n=1, cutoff=0.6)
        return f"; did you mean {close[0]!r}?" if close else ""
    unknown = re.search(r"unrecognized arguments: (.*)", message)
    if unknown:
        known = sorted(set(_option_strings(parser)))
        for word in unknown.group(1).split():
            if word.startswith("-"):
                close = difflib.get_close_matches(word.split("=")[0], known, n=1, cutoff=0.6)
                if close:
                    return f"; did you mean {close[0]}?"
    return ""


def _option_strings(parser: argparse.ArgumentParser) -> Iterator[str]:
    for action in parser._actions:
        yield from (s for s in action.option_strings if s.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _option_strings(sub)


def command_hint(word: str, commands: list[str]) -> str | None:
    """What to say when `word`, in the place of a command, is neither a command nor an existing file: a
    code ("did you mean: rvucheck code 20983") or a misspelt command ("did you mean: rvucheck check")."""
    if CODE_LIKE.match(word) and "." not in word:
        return f"{word!r} is not a file; did you mean: rvucheck code {word}"
    close = difflib.get_close_matches(word, commands, n=1, cutoff=0.7)
    if close and "." not in word and "/" not in word:
        return f"{word!r} is not a command or a file; did you mean: rvucheck {close[0]}"
    return None
