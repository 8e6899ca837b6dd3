"""The technical-component codes of a global-test-only code (data/global_tests.toml), and the technical
fee of any row: what the imaging / cardiovascular / ophthalmology MPPR ranks by and reduces.

The RVU file gives a code with a -TC row its technical fee directly; a global-test-only code (PC/TC
indicator 4, e.g. 93000) has no -TC row, its technical part is the stand-alone TC code(s) (93005).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from rvucheck.refdata.types import PricingData, RvuRow


@cache
def global_test_components() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Global-test-only code -> (its TC codes, its PC codes)."""
    text = resources.files("rvucheck.data").joinpath("global_tests.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)["components"]
    return {code: (tuple(parts["tc"]), tuple(parts["pc"])) for code, parts in table.items()}


def component_rows(ref: PricingData, row: RvuRow) -> tuple[tuple[RvuRow, ...], tuple[RvuRow, ...]] | None:
    """(technical rows, professional rows) whose fees make up a global row: the code's own -TC and -26
    rows, or a global-test-only code's stand-alone component codes; None when neither is priced."""
    tc, pc = ref.row(row.release, row.hcpcs, "TC"), ref.row(row.release, row.hcpcs, "26")
    if tc is not None and pc is not None:
        return (tc,), (pc,)
    parts = global_test_components().get(row.hcpcs)
    if parts is None:
        return None
    tcs = tuple(r for c in parts[0] if (r := ref.row(row.release, c)) is not None)
    pcs = tuple(r for c in parts[1] if (r := ref.row(row.release, c)) is not None)
    if len(tcs) != len(parts[0]) or len(pcs) != len(parts[1]):
        return None
    return tcs, pcs


def technical_rows(ref: PricingData, row: RvuRow) -> tuple[RvuRow, ...]:
    """The rows whose fees are the technical part of `row` (what the TC MPPRs rank by): the row itself when
    it is a -TC row or a technical-only code (PC/TC 3), none for a -26 row's own code when it has no -TC
    row, else the global row's technical components (the whole row when they are not known)."""
    if row.modifier == "TC" or row.pctc_indicator == "3":
        return (row,)
    if row.modifier == "26":
        tc = ref.row(row.release, row.hcpcs, "TC")
        return (tc,) if tc is not None else ()
    parts = component_rows(ref, row)
    return parts[0] if parts is not None else (row,)
