"""Release facts kept as package data (data/releases.toml): the download table and conversion factors per
year.
The calendar of release ids (A = Jan 1 ... D = Oct 1) is in calendar.py."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Download:
    """One dataset `rvucheck data install` fetches: its files (each a tuple of alternative URLs, tried in
    order), the CMS page listing it, and words for the console (see data/releases.toml)."""

    kind: str
    dataset: str
    what: str
    year: int
    quarter: int
    urls: tuple[tuple[str, ...], ...]
    page: str
    group: str = ""  # datasets of one kind that are installed side by side (NCCI "aoc" beside PTP/MUE)
    link: str = ""  # without urls: a pattern for the link on `page` to the current file (refdata/landing.py)
    unlike: str = ""  # links that match `link` but are not this dataset (Medicaid's files beside Medicare's)
    manual: str = ""  # without urls or link: why there is nothing to download, and what to do instead

    @property
    def starts(self) -> tuple[int, int]:
        return (self.year, self.quarter)


@cache
def _data() -> dict[str, object]:
    text = resources.files("rvucheck.data").joinpath("releases.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def conversion_factors(year: int) -> dict[str, float]:
    """Published CFs of a calendar year: nonqpp, qpp, anes_nonqpp, anes_qpp (empty when unknown)."""
    table = _data().get("conversion_factors", {})
    assert isinstance(table, dict)
    return {k: float(v) for k, v in table.get(str(year), {}).items()}


def downloads() -> list[Download]:
    """Every dataset of the package's download table, in the table's order (newest first per kind)."""
    items = _data().get("download", [])
    assert isinstance(items, list)
    return [
        Download(
            i["kind"],
            i["dataset"],
            i["what"],
            int(i["year"]),
            int(i["quarter"]),
            tuple((u,) if isinstance(u, str) else tuple(u) for u in i["urls"]),
            i["page"],
            i.get("group", i["kind"]),
            i.get("link", ""),
            i.get("unlike", ""),
            " ".join(i.get("manual", "").split()),
        )
        for i in items
    ]


def current(items: list[Download], year: int, quarter: int) -> list[Download]:
    """Per group, the newest listed dataset in effect in (year, quarter): what `data update` fetches."""
    chosen: dict[str, Download] = {}
    for item in items:
        if item.starts <= (year, quarter) and (
            item.group not in chosen or item.starts > chosen[item.group].starts
        ):
            chosen[item.group] = item
    return [i for i in items if chosen.get(i.group) is i]
