"""Code classes (data/code_classes.toml): which fee schedule pays a code, and which MUE table a line meets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rvucheck.refdata.code_classes import class_of, code_classes, mue_tables

DOS = dt.date(2026, 7, 15)


@pytest.mark.parametrize(
    ("code", "class_id"),
    [
        ("3044F", "category_ii"),
        ("0591T", "category_iii"),
        ("A0425", "ambulance"),
        ("E0601", "dmepos"),
        ("K0001", "dmepos"),
        ("L3000", "dmepos"),
        ("B4035", "dmepos"),
        ("A4253", "dmepos"),
        ("J3301", "drug"),
        ("Q5103", "drug"),
        ("85025", "lab"),
        ("0001U", "lab"),
        ("99213", None),
        ("G8427", None),
        ("36415", None),
        ("A9270", None),
    ],
)
def test_class_of(code: str, class_id: str | None) -> None:
    found = class_of(code)
    assert (found.id if found else None) == class_id


def test_every_class_names_its_payer_and_source() -> None:
    for item in code_classes():
        assert item.name.startswith(("a ", "an ")) and item.paid_by and item.source and item.patterns


def test_mue_table_by_code_and_specialty() -> None:
    assert mue_tables("99213") == ("practitioner",)
    assert mue_tables("E0601") == ("dme_supplier", "practitioner")
    assert mue_tables("J7613", "A5") == ("dme_supplier",)  # a pharmacy is a DME supplier
    assert mue_tables("J7613", "11") == ("practitioner",)


def test_reference_picks_the_dme_supplier_table(ref: Any) -> None:
    e0601 = ref.mue("E0601", DOS)
    assert (e0601.units, e0601.mai) == (1, "3")  # practitioner table: 0
    assert ref.mue("J7613", DOS).units == 10
    assert ref.mue("J7613", DOS, "A5").units == 1395
    assert ref.mue("A4550", DOS).units == 0  # a DMEPOS shape the DME table does not list: practitioner's


def test_code_page_says_which_fee_schedule_pays(ref: Any) -> None:
    from rvucheck.errors import UnknownCode
    from rvucheck.refdata.code_page import lookup

    drug = lookup(ref, "J3301", on=dt.date(2025, 11, 3))["paid_outside_pfs"]
    assert (drug["class"], drug["asp"]["limit"], drug["asp"]["per"]) == ("drug", 0.844, "10 MG")
    assert lookup(ref, "3044F")["paid_outside_pfs"]["class"] == "category_ii"
    assert "paid_outside_pfs" not in lookup(ref, "99213")
    with pytest.raises(UnknownCode, match=r"E0601 is a DMEPOS code .* DMEPOS fee schedule"):
        lookup(ref, "E0601")
    with pytest.raises(UnknownCode, match="J1030 is not a code of the fee schedule"):
        lookup(ref, "J1030")  # a J code neither the PFS nor the ASP file lists
