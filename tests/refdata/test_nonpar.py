"""Non-participating amount and limiting charge (refdata.pricing.nonpar) on every face that shows them.

Sources: SSA sec. 1848(a)(3) (non-participating: 95 % of the fee schedule amount) and 42 CFR 414.48(b)
(limiting charge: 115 % of the non-participating fee schedule amount), i.e. 109.25 % of the fee: a
participating fee of $100.00 gives $95.00 non-participating and a $109.25 limiting charge.
Recomputed on 2026 data (RVU26C, CF 33.4009, national): 99213 non-facility $95.19 ->
non-par 95.19 x 0.95 = 90.4305 -> $90.43; limiting 95.19 x 1.0925 = 103.995075 -> $104.00
(rounding the non-par amount first would give 90.43 x 1.15 = 103.9945 -> $103.99).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rvucheck.cli.main import main
from rvucheck.refdata.code_page import lookup
from rvucheck.refdata.pricing.nonpar import amounts, applies, limiting_charge, non_participating
from rvucheck.refdata.reference import Reference


@pytest.mark.parametrize(
    ("fee", "nonpar", "limit"),
    [
        (100.0, 95.0, 109.25),  # the MAC example itself
        (95.19, 90.43, 104.0),  # 99213 national 2026: limiting from the fee, not from $90.43 (-> 103.99)
        (57.45, 54.58, 62.76),  # 99213 facility: 54.5775 -> 54.58; 62.764125 -> 62.76
        (4905.92, 4660.62, 5359.72),  # 20983 non-facility: 4660.624 -> 4660.62; 5359.7176 -> 5359.72
        (0.0, 0.0, 0.0),  # a status not paid separately: nothing to charge above either
    ],
)
def test_nonpar_and_limiting_to_the_cent(fee: float, nonpar: float, limit: float) -> None:
    assert non_participating(fee) == nonpar
    assert limiting_charge(fee) == limit
    assert amounts(fee) == {"non_participating": nonpar, "limiting_charge": limit}


def test_limiting_charge_is_not_chained_from_rounded_cents() -> None:
    assert limiting_charge(95.19) != round(non_participating(95.19) * 1.15, 2)  # 104.00 vs 103.99


def test_code_page_shows_both_settings_on_real_data(ref: Reference) -> None:
    page = lookup(ref, "99213", pos="11")
    pay = page["payment"]
    assert (pay["nonfacility"], pay["facility"]) == (95.19, 57.45)
    assert pay["non_participating"] == {"nonfacility": 90.43, "facility": 54.58}
    assert pay["limiting_charge"] == {"nonfacility": 104.0, "facility": 62.76}
    assert (page["setting"]["non_participating"], page["setting"]["limiting_charge"]) == (90.43, 104.0)


def test_code_page_adjusted_line_uses_the_adjusted_fee(ref: Reference) -> None:
    page = lookup(ref, "20983", ("80",))  # assistant at surgery: 16 % of the fee
    adj = page["adjusted"]
    assert adj["payment"] < page["payment"]["nonfacility"]
    assert adj["non_participating"] == non_participating(adj["payment"])
    assert adj["limiting_charge"] == limiting_charge(adj["payment"])


def test_code_cli_text_and_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    assert main([f"--data-dir={data_dir}", "code", "99213"]) == 0
    out = capsys.readouterr().out
    assert "Non-participating (95 %): non-facility $90.43, facility $54.58" in out
    assert "limiting charge (115 % of that): non-facility $104.00, facility $62.76" in out
    assert main([f"--data-dir={data_dir}", "code", "99213", "--json"]) == 0
    page = json.loads(capsys.readouterr().out)
    assert page["payment"]["limiting_charge"]["nonfacility"] == 104.0
    assert "42 CFR 414.48" in page["payment"]["non_participating_source"]


def test_limiting_charge_applies_to_paid_fee_schedule_services_only() -> None:
    assert applies("A") and applies("R") and applies("T")
    assert not applies("E") and not applies("B") and not applies("")  # drugs (ASP), bundled, no PFS row
