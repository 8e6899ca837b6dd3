"""CMS's own payment amounts (PFREV26B, April 2026 revision, nonQP and QP) reproduced to the cent from the
installed RVU26C RVUs and CY2026 GPCIs: every row of both files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest


def pfrev_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="latin-1", newline="") as fh:
        return [f for f in csv.reader(fh) if f and not f[0].startswith("TRL")]


@pytest.mark.parametrize(("variant", "qpp"), [("nonQP", False), ("QP", True)])
def test_every_pfrev26b_row_to_the_cent(ref, shared_cms: Path, variant: str, qpp: bool) -> None:  # type: ignore[no-untyped-def]
    rows = pfrev_rows(shared_cms / "PFREV26B" / variant / "PFREV26B.txt")
    assert len(rows) == 37 * 109
    wrong = []
    for year, mac, loc, hcpcs, mod, nonfac, fac, *_ in rows:
        assert year == "2026"
        row = ref.rvu(hcpcs, mod.strip())
        locality = ref.locality(f"{mac}-{loc}")
        got = (
            ref.payment(row, locality, facility=False, qpp=qpp),
            ref.payment(row, locality, facility=True, qpp=qpp),
        )
        if got != (float(nonfac), float(fac)):
            wrong.append((mac, loc, hcpcs, got, nonfac, fac))
    assert wrong == []


def test_national_20983(ref) -> None:  # type: ignore[no-untyped-def]
    row = ref.rvu("20983")
    assert (row.work_rvu, row.conversion_factor, row.global_days) == (6.71, 33.4009, "000")
    assert ref.payment(row) == 4905.92
    assert ref.payment(row, facility=True) == 302.61
    assert ref.conversion_factor(row.release, qpp=True) == 33.5675
