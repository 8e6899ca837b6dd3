"""One module per command group; each defines `register(subparsers)`. Argument parsing and output only."""

from __future__ import annotations

import datetime as dt

from rvucheck.errors import RvucheckError


def date_option(text: str | None) -> dt.date | None:
    """The `--date` option of any command: a date of service as YYYY-MM-DD, or None when not given."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = f"--date {text!r} is not a date: give the date of service as YYYY-MM-DD"
        raise RvucheckError(message) from None
