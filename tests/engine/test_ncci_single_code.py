"""NC01/NC02 name the one code to bill where one code describes the pair (issue 12): a combination's own
code (data/single_codes.toml), else the column 1 code when the edit's rationale says it includes the column
2 code; never a code the data does not support. Real NCCI edits (2024-07-01 practitioner PTP file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rvucheck.engine.runner import run
from rvucheck.model import CellRef, ChargeLine
from rvucheck.refdata.single_codes import single_code, single_codes
from rvucheck.rules.ruleset import load_all, select_rules
from rvucheck.settings import Settings

SETTINGS = Settings(today=dt.date(2026, 12, 31))


def _messages(ref: Any, *codes: str) -> dict[str, str]:
    """column 2 code -> its NC01/NC02 message, for one patient's day with these codes."""
    lines = [
        ChargeLine(source=CellRef("Charges", row), hcpcs=code, modifiers=(), units=1.0,
                   dos=dt.date(2026, 7, 6), provider="DR1", patient="P1", diagnoses=("I10",), pos="11")
        for row, code in enumerate(codes, start=2)
    ]  # fmt: skip
    report = run(lines, ref, select_rules(load_all(), Settings(select=("NC",))), SETTINGS)
    return {codes[f.source.row - 2]: f.message for f in report.findings if f.rule in ("NC01", "NC02")}


def test_a_combination_names_its_own_code(ref: Any) -> None:
    found = _messages(ref, "92553", "92556")
    assert list(found) == ["92556"] and "bill 92557 alone" in found["92556"]


def test_a_combination_needs_all_its_parts(ref: Any) -> None:
    complete = _messages(ref, "93307", "93320", "93325")
    assert set(complete) == {"93320", "93325"}
    assert all("bill 93306 alone" in message for message in complete.values())
    spectral_only = _messages(ref, "93307", "93320")  # no color flow Doppler: 93306 does not describe it
    assert "93306" not in spectral_only["93320"] and "remove the 93320 line" in spectral_only["93320"]


@pytest.mark.parametrize(
    ("codes", "column2", "says"),
    [
        (("77066", "77065"), "77065", "bill 77066 alone (its definition includes 77065)"),  # indicator 0
        (("93970", "93971"), "93971", "otherwise bill 93970 alone (its definition includes 93971)"),  # 1
        (("92012", "92014"), "92014", "bill only the one that was done (mutually exclusive"),
    ],
)
def test_the_edit_rationale_names_column_1(ref: Any, codes: tuple[str, str], column2: str, says: str) -> None:
    assert says in _messages(ref, *codes)[column2]


def test_an_em_column_2_code_gets_25_not_a_code(ref: Any) -> None:
    message = _messages(ref, "96372", "99213")["99213"]
    assert "put 25 on the E/M" in message and "bill 96372 alone" not in message


def test_the_table_entries_and_their_lookup() -> None:
    assert all(code not in parts and len(parts) >= 2 for parts, code, _why in single_codes())
    assert single_code("92553", "92556", {"92553", "92556", "99213"}) == (
        "92557", "comprehensive audiometry: 92553 and 92556 in one code")  # fmt: skip
    assert single_code("92553", "92556", {"92556"}) is None  # 92553 not billed
    assert single_code("93307", "93320", {"93307", "93320"}) is None  # 93325 missing
