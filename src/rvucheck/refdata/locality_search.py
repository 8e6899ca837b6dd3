"""Find the Medicare locality a user means, or say exactly why not. Three ways in, nothing guessed:

- a MAC-locality id: "01112-05" or "0111205";
- a locality name that names one locality: "MANHATTAN", "Dallas", "Marin" (a part of a name between its
  dashes, slashes or brackets counts), or a state with a single locality ("Alabama", "AZ");
- "county, state": "Los Angeles, CA", "Fairfax, Virginia", resolved through CMS's county crosswalk (the
  LOCCO file of the release: "COUNTIES INCLUDED IN 2026 LOCALITIES"), including its "ALL OTHER COUNTIES" rows.

Anything that fits more than one locality (a state such as "Texas" or "CA", "San Francisco", "San Jose") is an
UnknownLocality whose `candidates` list each locality that fits, one line each.
"""

from __future__ import annotations

import difflib
import re

from rvucheck.errors import RvucheckError
from rvucheck.refdata.types import Locality

STATES = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA", "COLORADO": "CO",
    "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC", "FLORIDA": "FL", "GEORGIA": "GA",
    "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL", "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS",
    "KENTUCKY": "KY", "LOUISIANA": "LA", "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA",
    "MICHIGAN": "MI", "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT",
    "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ", "NEW MEXICO": "NM",
    "NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND", "OHIO": "OH", "OKLAHOMA": "OK",
    "OREGON": "OR", "PENNSYLVANIA": "PA", "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD",
    "TENNESSEE": "TN", "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA",
    "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY", "PUERTO RICO": "PR", "VIRGIN ISLANDS": "VI",
    "GUAM": "GU", "AMERICAN SAMOA": "AS", "NORTHERN MARIANA ISLANDS": "MP",
}  # fmt: skip
# Guam, American Samoa and the Northern Marianas are paid at the Hawaii locality ("HAWAII, GUAM").
_SERVED_BY = {"GU": "HI", "AS": "HI", "MP": "HI"}
_SUFFIX = re.compile(r"\s+(COUNTY|CNTY|CNTYS|PARISH|BOROUGH)\.?$")
_IN_STATE = re.compile(r"\s+IN\s+([A-Z ]+)$")


class UnknownLocality(RvucheckError):
    """No locality, or several, fit what the user typed; `candidates` lists those that fit, one per line."""

    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.details = candidates


def resolve(table: dict[str, Locality], query: str, source: str = "the county crosswalk") -> Locality:
    """The one locality `query` names (see the module doc), or UnknownLocality listing the candidates."""
    text = " ".join(query.strip().upper().split())
    compact = text.replace("-", "").replace(" ", "")
    if len(compact) == 7 and compact.isdigit():
        key = f"{compact[:5]}-{compact[5:]}"
        if key in table:
            return table[key]
        raise UnknownLocality(f"no Medicare locality has the id {key}: see `rvucheck data localities`")
    if "," in text:
        county, _, state = text.rpartition(",")
        return _by_county(table, query, county.strip(), _state_code(state.strip(), query), source)
    found = _by_name(table, text)
    if len(found) == 1:
        return found[0]
    if not found:
        raise UnknownLocality(
            f"no Medicare locality matches {query!r}: give MAC-LOCALITY (e.g. 01112-05), a locality name, "
            'or "county, state" (e.g. "Dallas, TX"); `rvucheck data localities` lists them'
        )
    raise _ambiguous(query, found)


def _by_name(table: dict[str, Locality], text: str) -> list[Locality]:
    exact = [x for x in table.values() if _clean(x.name) == text]
    if exact:
        return exact
    state = STATES.get(text) or (text if len(text) == 2 and text in STATES.values() else None)
    if state:  # the state's own localities, and one across a border listing its counties (DC + MD/VA)
        served = _SERVED_BY.get(state, state)
        return [x for x in table.values() if x.state == served or state in _counties(x)]
    return [x for x in table.values() if text in _name_parts(x.name)]


def _by_county(table: dict[str, Locality], query: str, county: str, state: str, source: str) -> Locality:
    name = _county_name(county)
    served = _SERVED_BY.get(state, state)
    in_state = [x for x in table.values() if x.state == served]
    if not in_state:
        raise UnknownLocality(f"no Medicare localities for state {state} in the installed GPCI file")
    listed = {x.key: _counties(x) for x in table.values()}
    named = [x for x in table.values() if name in listed[x.key].get(state, set())]
    excepted = {x.key for x in in_state if name in _exceptions(x)}
    named += [x for x in in_state if _covers_all(x) and x.key not in excepted and x not in named]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise _ambiguous(query, named)
    rest = [x for x in in_state if "ALL OTHER" in x.counties.upper()]
    known = sorted({c for x in table.values() for c in listed[x.key].get(state, set())})
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.8)
    if close:
        hint = ", ".join(c.title() for c in close)
        raise UnknownLocality(
            f"{query!r}: {source} names no county {name.title()} in {state}; did you mean {hint}?",
            tuple(_line(x) for x in table.values() if any(c in listed[x.key].get(state, ()) for c in close)),
        )
    others = any(state in listed[x.key] for x in table.values() if x.state != served)
    if len(rest) == 1 or (len(in_state) == 1 and not others):
        return (rest or in_state)[0]
    raise UnknownLocality(f"{query!r}: no locality of {state} lists county {name.title()}", _lines(in_state))


def _covers_all(x: Locality) -> bool:
    text = x.counties.upper()
    return text.startswith("ALL COUNTIES") or text.startswith("ALL COUNTY EQUIVALENTS")


def _exceptions(x: Locality) -> set[str]:
    text = x.counties.upper()
    if "EXCEPT" not in text:
        return set()
    return _split(text.split("EXCEPT", 1)[1])


def _counties(x: Locality) -> dict[str, set[str]]:
    """State -> the counties a locality's crosswalk row (and the "(... CNTY)" of its name) lists."""
    out: dict[str, set[str]] = {}
    text = x.counties.upper()
    inner = re.search(r"\(([^)]*CNTY)\)", x.name.upper())
    parts = [*text.split(";"), *([inner.group(1)] if inner else [])]
    for part in parts:
        part = part.strip()
        if part.startswith("ALL "):
            continue
        where = _IN_STATE.search(part)
        owner = STATES.get(where.group(1).strip(), x.state) if where else x.state
        if where:
            part = part[: where.start()]
        out.setdefault(owner, set()).update(_split(part))
    return out


def _split(text: str) -> set[str]:
    pieces = re.split(r"\s*(?:,|/|;|\bAND\b)\s*", text.upper())
    return {_county_name(p) for p in pieces if p.strip() and not p.strip().startswith("ALL ")}


def _county_name(text: str) -> str:
    name = _SUFFIX.sub("", " ".join(text.upper().split()))
    name = re.sub(r"^(SAINT|ST\.?)\s+", "ST. ", name)
    return {"ORAGNGE": "ORANGE"}.get(name, name)  # CMS's 26LOCCO spells Orange County "ORAGNGE"


def _state_code(text: str, query: str) -> str:
    text = text.rstrip(".").strip()
    if text in STATES.values():
        return text
    if text in STATES:
        return STATES[text]
    raise UnknownLocality(
        f"{query!r}: {text.title() or '(nothing)'} is not a US state; "
        'write "county, state", e.g. "Dallas, TX"'
    )


def _clean(name: str) -> str:
    return " ".join(name.rstrip("* ").upper().split())


def _name_parts(name: str) -> set[str]:
    """ "SAN FRANCISCO-OAKLAND-BERKELEY (MARIN CNTY)" -> the name and each part: SAN FRANCISCO, MARIN."""
    clean = _clean(name)
    parts = {clean, *(_county_name(p) for p in re.split(r"\s*[-/()+,]\s*", clean) if p.strip())}
    return {p for p in parts if p}


def _ambiguous(query: str, found: list[Locality]) -> UnknownLocality:
    return UnknownLocality(
        f"{query!r} fits {len(found)} Medicare localities; give one of these MAC-LOCALITY ids "
        '(or "county, state", e.g. "San Francisco, CA"):',
        _lines(found),
    )


def _lines(found: list[Locality]) -> tuple[str, ...]:
    return tuple(_line(x) for x in sorted(found, key=lambda x: x.key))


def _line(x: Locality) -> str:
    counties = f"  (counties: {x.counties})" if x.counties else ""
    return f"{x.key}  {x.state}  {x.name}{counties}"
