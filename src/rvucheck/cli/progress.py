"""A spinner with what is being done, on stderr when it is a terminal, for commands that take more than a
second (audit, the no-add-in workbooks); `check` has its own bar (cli/check.py). Nothing in pipes or logs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def busy(text: str) -> Iterator[None]:
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(text):
        yield
