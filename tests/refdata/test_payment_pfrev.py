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


def test_opps_cap_reproduces_cms_oppscap_file(ref, shared_cms: Path) -> None:  # type: ignore[no-untyped-def]
    """RVU25D's OPPSCAP_Oct.csv lists the capped amounts of the imaging codes per locality; the formula over
    the PPRRVU's "PE/MP used for OPPS" columns gives every priced (status A) row to the cent."""
    import datetime as dt

    on = dt.date(2025, 11, 1)
    localities = ref.localities(ref.release_for(on).release_id)
    with (shared_cms / "RVU25D" / "OPPSCAP_Oct.csv").open(encoding="latin-1", newline="") as fh:
        rows = [r for r in list(csv.reader(fh))[1:] if r[0] and r[2] == "A"]
    checked, wrong = 0, []
    for hcpcs, mod, _status, mac, loc, facility_price, nonfacility_price in rows:
        place = localities.get(f"{mac}-{loc}")
        if place is None:  # OPPSCAP also lists carrier/locality pairs that are no longer localities
            continue
        row = ref.rvu(hcpcs, mod, on)
        got = (ref.payment(row, place), ref.payment(row, place, facility=True))
        checked += 1
        if got != (float(nonfacility_price), float(facility_price)):
            wrong.append((hcpcs, mod, mac, loc, got))
    assert checked == 6322
    assert wrong == []
    capped = [
        (hcpcs, mod)
        for hcpcs, mod, *_ in rows[:2000]
        if ref.fee(ref.rvu(hcpcs, mod, on), localities["01112-05"]).opps_capped
    ]
    assert capped  # the cap really bites on some rows, not just equals the PFS amount


def test_contractor_priced_code_shows_its_cap(ref) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from rvucheck.refdata.code_page import lookup

    page = lookup(ref, "0633T", ("TC",), "01112-05", on=dt.date(2025, 11, 1))
    assert any("OPPS cap at this locality is $150.69" in note for note in page["notes"])
