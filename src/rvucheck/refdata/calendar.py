"""The calendar of CMS fee-schedule release ids, in one place: RVU<yy><A|B|C|D>[R] is the release of year
20yy that takes effect on Jan 1 (A), Apr 1 (B), Jul 1 (C) or Oct 1 (D); a trailing R is a correction of the
same quarter (RVU26AR). Pure arithmetic: the engine uses it to pin a release, the importers to date one.
"""

from __future__ import annotations

import datetime as dt

QUARTER_LETTERS = "ABCD"
QUARTER_START_MONTH = {1: 1, 2: 4, 3: 7, 4: 10}


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_dates(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, QUARTER_START_MONTH[quarter], 1)
    end = (
        dt.date(year, 12, 31)
        if quarter == 4
        else dt.date(year, QUARTER_START_MONTH[quarter + 1], 1) - dt.timedelta(1)
    )
    return start, end


def release_id(year: int, quarter: int, correction: str = "") -> str:
    """(2026, 3) -> RVU26C."""
    return f"RVU{year % 100:02d}{QUARTER_LETTERS[quarter - 1]}{correction}"


def release_quarter(release_id: str) -> tuple[int, int] | None:
    """RVU26C (or rvu26c, 26C) -> (2026, 3); None when it is not a release id."""
    tail = release_id.strip().upper().removeprefix("RVU")
    if len(tail) < 3 or not tail[:2].isdigit() or tail[2] not in QUARTER_LETTERS:
        return None
    return 2000 + int(tail[:2]), QUARTER_LETTERS.index(tail[2]) + 1


def effective_dates(release_id: str) -> tuple[dt.date, dt.date, int]:
    """RVU26C -> (2026-07-01, 2026-09-30, 3). A correction (RVU26AR) covers the same quarter."""
    found = release_quarter(release_id)
    if found is None:
        raise ValueError(f"{release_id!r} is not a fee schedule release id like RVU26C")
    start, end = quarter_dates(*found)
    return start, end, found[1]
