"""Release facts kept as package data (data/releases.toml): download URLs and conversion factors per year.
The calendar of release ids (A = Jan 1 ... D = Oct 1) is in calendar.py."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


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
