"""Arguments as Excel passes them -> plain values, and failures -> what a cell shows.

Codes arrive as numbers (99213, 99213.0, "99213.0") or text, dates as serials or datetimes, settings as
words or place-of-service codes. A failure becomes an Excel error value (`#N/A` for a code or locality the
fee schedule does not list, `#VALUE!` for an argument that cannot be read) or one short message, never a
traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from rvucheck.errors import RvucheckError
from rvucheck.read.cells import BadValue, normalize_pos, parse_date, split_code, split_modifiers
from rvucheck.refdata.pricing.places import is_facility_pos

NOT_AVAILABLE = "#N/A"
BAD_VALUE = "#VALUE!"

# component argument of RVU() -> RvuRow attribute
COMPONENTS: dict[str, str] = {
    "work": "work_rvu",
    "pe_nonfacility": "pe_rvu_nonfacility",
    "pe_facility": "pe_rvu_facility",
    "mp": "mp_rvu",
    "total_nonfacility": "total_rvu_nonfacility",
    "total_facility": "total_rvu_facility",
}
_COMPONENT_ALIASES = {
    "": "work",
    "wrvu": "work",
    "malpractice": "mp",
    "pe": "pe_nonfacility",
    "total": "total_nonfacility",
    "nonfacility": "total_nonfacility",
    "facility": "total_facility",
}

_SETTING_WORDS = {
    "facility": True,
    "fac": True,
    "f": True,
    "nonfacility": False,
    "non-facility": False,
    "non facility": False,
    "nonfac": False,
    "nf": False,
    "office": False,
}


class CellError(Exception):
    """A lookup that answers with an Excel error value (or a short message) instead of a number."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def excel_safe(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every failure into what the cell shows: an error value or one short line, never a traceback."""

    @wraps(function)
    def wrapper(*args: Any) -> Any:
        try:
            return function(*args)
        except CellError as exc:
            return exc.value
        except BadValue:
            return BAD_VALUE
        except RvucheckError as exc:  # data not installed, unknown locality: the one-line message
            return f"rvucheck: {exc}"[:255]
        except Exception as exc:  # a cell must show something short, not a stack trace
            return f"rvucheck error: {type(exc).__name__}: {exc}"[:255]

    return wrapper


def each_cell(function: Callable[..., Any]) -> Callable[..., Any]:
    """Apply a one-code function over a range in the first argument, keeping the range's shape (it spills).

    A 1x1 range answers with a plain value, so `=RVU(A2)` and `=RVU("20983")` look the same."""

    @wraps(function)
    def wrapper(first: Any, *rest: Any) -> Any:
        if isinstance(first, list | tuple):
            rows = [list(r) if isinstance(r, list | tuple) else [r] for r in first]
            if len(rows) == 1 and len(rows[0]) == 1:
                return function(rows[0][0], *rest)
            return [[function(cell, *rest) if cell not in (None, "") else "" for cell in row] for row in rows]
        return function(first, *rest)

    return wrapper


# ---------------------------------------------------------------------------------------------------------
# Reading arguments


def code_and_modifiers(value: object) -> tuple[str, tuple[str, ...]]:
    """("71046", ("26",)) from "71046-26"; ("99213", ()) from 99213.0. #VALUE! when it is no code."""
    if value is None or value == "":
        raise CellError(BAD_VALUE)
    code, modifiers = split_code(value)
    if len(code) != 5 or not code.isalnum():
        raise CellError(BAD_VALUE)
    return code, modifiers


def modifiers_of(value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple):  # a range of modifier cells, e.g. B2:E2
        cells = [c for row in value for c in (row if isinstance(row, list | tuple) else [row])]
        return tuple(m for c in cells for m in split_modifiers(c))
    return split_modifiers(value)


def date_of(value: object) -> dt.date | None:
    if isinstance(value, list | tuple):
        raise CellError(BAD_VALUE)
    return parse_date(value)


def flag_of(value: object) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool | int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1", "qpp", "qp"):
        return True
    if text in ("false", "no", "n", "0", "nonqpp", "non-qpp", "nonqp"):
        return False
    raise CellError(BAD_VALUE)


def facility_of(value: object) -> bool:
    """Facility setting from a word (facility / nonfacility / F / NF) or a place-of-service code."""
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _SETTING_WORDS:
        return _SETTING_WORDS[word]
    pos = normalize_pos(value)
    if pos.isdigit() and len(pos) == 2:
        return is_facility_pos(pos)
    raise CellError(BAD_VALUE)


def component_of(value: object) -> str:
    word = "" if value is None else str(value).strip().lower().replace(" ", "_").replace("-", "")
    word = word.replace("non_facility", "nonfacility")
    word = _COMPONENT_ALIASES.get(word, word)
    if word not in COMPONENTS:
        raise CellError(BAD_VALUE)
    return COMPONENTS[word]


def locality_text(value: object) -> str:
    """Localities are text ("01112-05", a name); a number typed in a cell loses its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
