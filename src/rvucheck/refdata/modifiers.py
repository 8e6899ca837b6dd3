"""CPT and HCPCS Level II modifiers in words: the one table (package data data/modifiers.toml) that says which
modifier codes exist, what each means, its category and its source. The LN06 validity rule, the code page and
messages all read it from here.

Ambulance origin/destination modifiers are built from the table's place letters (origin then destination; X
is a destination only), as CMS defines them: 10 x 11 = 110 two-letter codes. Some of them also spell another
modifier (GP, GN, ...); their meaning then says both.
"""

from __future__ import annotations

import difflib
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from rvucheck.errors import UnknownCode
from rvucheck.refdata.types import Modifier

AMBULANCE = "ambulance"
CODE_SECTIONS = ("cpt", "cpt_anesthesia", "cpt_category_ii", "hcpcs")


@cache
def _data() -> dict[str, Any]:
    text = resources.files("rvucheck.data").joinpath("modifiers.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def modifier_table() -> dict[str, Modifier]:
    """Every modifier code rvucheck knows -> its Modifier."""
    data = _data()
    sources: dict[str, str] = data["sources"]
    table: dict[str, Modifier] = {}
    for section in CODE_SECTIONS:
        for code, entry in data[section].items():
            table[code] = Modifier(code, entry["meaning"], entry["category"], sources[section])
    for code, trip in ambulance_pairs().items():
        other = table.get(code)
        meaning = f"ambulance {trip}"
        if other is None:
            table[code] = Modifier(code, meaning, AMBULANCE, sources[AMBULANCE], trip)
        else:  # e.g. GP: physical therapy plan of care, or hospital-based ESRD facility -> physician's office
            both = f"{other.meaning}; on an ambulance transport code: {trip}"
            table[code] = Modifier(code, both, other.category, other.source, trip)
    return table


@cache
def ambulance_pairs() -> dict[str, str]:
    """Two-letter ambulance origin/destination modifiers -> "from <origin> to <destination>"."""
    section = _data()[AMBULANCE]
    places: dict[str, str] = section["places"]
    destination_only = set(section["destination_only"])
    return {
        origin + destination: f"from {places[origin]} to {places[destination]}"
        for origin in places
        if origin not in destination_only
        for destination in places
    }


def modifier_meaning(code: str) -> str | None:
    """Short meaning of a modifier code (None when it is not a CPT or HCPCS modifier)."""
    found = modifier_table().get(code.strip().upper())
    return found.meaning if found else None


def valid_modifiers() -> frozenset[str]:
    return frozenset(modifier_table())


def check_modifiers(mods: tuple[str, ...]) -> None:
    """UnknownCode naming the first modifier data/modifiers.toml does not list (e.g. ZZ)."""
    known = modifier_table()
    for mod in mods:
        if mod not in known:
            close = difflib.get_close_matches(mod, sorted(known), n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UnknownCode(
                f"modifier {mod!r} is not a CPT or HCPCS modifier{hint}: "
                "give a modifier such as 25, 26, TC, 59"
            )
