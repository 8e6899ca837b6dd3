"""Release facts kept as package data (data/releases.toml): download URLs, conversion factors per year,
and the calendar rules of CMS release ids (A = Jan 1, B = Apr 1, C = Jul 1, D = Oct 1 of the year)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

QUARTER_START_MONTH = {1: 1, 2: 4, 3: 7, 4: 10}


@dataclass(frozen=True)
class DownloadableRelease:
    release_id: str
    year: int
    quarter: int
    url: str
    verified: bool


@cache
def _data() -> dict[str, object]:
    text = resources.files("rvucheck.data").joinpath("releases.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def conversion_factors(year: int) -> dict[str, float]:
    """Published CFs of a calendar year: nonqpp, qpp, anes_nonqpp, anes_qpp (empty when unknown)."""
    table = _data().get("conversion_factors", {})
    assert isinstance(table, dict)
    return {k: float(v) for k, v in table.get(str(year), {}).items()}


def downloadable() -> list[DownloadableRelease]:
    items = _data().get("release", [])
    assert isinstance(items, list)
    return [
        DownloadableRelease(i["id"], int(i["year"]), int(i["quarter"]), i["url"], bool(i.get("verified")))
        for i in items
    ]


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


def effective_dates(release_id: str) -> tuple[dt.date, dt.date, int]:
    """RVU26C -> (2026-07-01, 2026-09-30, 3). A correction (RVU26AR) covers the same quarter."""
    year = 2000 + int(release_id[3:5])
    quarter = "ABCD".index(release_id[5].upper()) + 1
    start, end = quarter_dates(year, quarter)
    return start, end, quarter
