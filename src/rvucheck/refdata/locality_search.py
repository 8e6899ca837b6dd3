"""Find a Medicare locality as a user types it: "01112-05", "0111205", a name, a state, or a county."""

from __future__ import annotations

from rvucheck.refdata.types import Locality


def search_localities(table: dict[str, Locality], query: str) -> list[Locality]:
    text = query.strip().upper()
    compact = text.replace("-", "").replace(" ", "")
    if len(compact) == 7 and compact.isdigit():
        key = f"{compact[:5]}-{compact[5:]}"
        return [table[key]] if key in table else []
    exact = [x for x in table.values() if x.name.rstrip("* ").upper() == text]
    if exact:
        return exact
    if len(text) == 2 and text.isalpha():
        return [x for x in table.values() if x.state == text]
    found = [x for x in table.values() if text in x.name.upper() or text in x.counties.upper()]
    # "san francisco" names two localities of the same metro area; the county list tells them apart
    by_county = [x for x in found if x.counties.upper().startswith(text)]
    return by_county if len(found) > 1 and len(by_county) == 1 else found
