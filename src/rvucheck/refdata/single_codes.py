"""The one code that describes services an NCCI PTP edit keeps apart (package data data/single_codes.toml,
each entry with its source): 92553 with 92556 is 92557, 93307 with 93320 and 93325 is 93306."""

from __future__ import annotations

import tomllib
from collections.abc import Set
from functools import cache
from importlib import resources


@cache
def single_codes() -> tuple[tuple[frozenset[str], str, str], ...]:
    """(parts, code, why) of every entry (its source stays in the data file)."""
    text = resources.files("rvucheck.data").joinpath("single_codes.toml").read_text(encoding="utf-8")
    return tuple(
        (frozenset(entry["parts"]), entry["code"], entry["why"]) for entry in tomllib.loads(text)["single"]
    )


def single_code(column1: str, column2: str, billed: Set[str]) -> tuple[str, str] | None:
    """(code, why) of the entry whose parts include the edit's two codes and were all billed that day."""
    for parts, code, why in single_codes():
        if column1 in parts and column2 in parts and parts <= billed:
            return code, why
    return None
