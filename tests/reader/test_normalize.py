"""Cell values as exports store them -> ChargeLine values."""

from __future__ import annotations

import datetime as dt

import pytest

from rvucheck.read.cells import (
    BadValue,
    clean_text,
    normalize_pos,
    parse_date,
    parse_money,
    parse_units,
    split_code,
    split_diagnoses,
    split_modifiers,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (99213, ("99213", ())),
        (99213.0, ("99213", ())),
        ("99213", ("99213", ())),
        (" 99213\xa0", ("99213", ())),
        ("'99213", ("99213", ())),
        ("99213.0", ("99213", ())),
        (100, ("00100", ())),  # anesthesia code typed as a number
        ("100", ("00100", ())),
        ("g2211", ("G2211", ())),
        ("0001T", ("0001T", ())),
        ("99213-25", ("99213", ("25",))),
        ("99213 25", ("99213", ("25",))),
        ("20610-RT-59", ("20610", ("RT", "59"))),
        ("office visit", ("OFFICE VISIT", ())),
        (True, ("TRUE", ())),
        (99213.5, ("99213.5", ())),
    ],
)
def test_split_code(value: object, expected: tuple[str, tuple[str, ...]]) -> None:
    assert split_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (25, ("25",)),
        (25.0, ("25",)),
        ("25,59", ("25", "59")),
        ("25 / 59", ("25", "59")),
        ("-25", ("25",)),
        ("rt", ("RT",)),
        ("RTLT", ("RT", "LT")),
        (5, ("05",)),
        ("", ()),
        (None, ()),
    ],
)
def test_split_modifiers(value: object, expected: tuple[str, ...]) -> None:
    assert split_modifiers(value) == expected


def test_units() -> None:
    assert parse_units("") == 1.0
    assert parse_units(2) == 2.0
    assert parse_units(" 3 ") == 3.0
    assert parse_units("1,000") == 1000.0
    assert parse_units(-1) == -1.0
    with pytest.raises(BadValue, match="'two' is not a number"):
        parse_units("two")
    with pytest.raises(BadValue):
        parse_units(True)


def test_dates_in_both_excel_systems_and_as_text() -> None:
    assert parse_date(46300) == dt.date(2026, 10, 5)  # 1900 system serial
    assert parse_date(46300 - 1462, True) == dt.date(2026, 10, 5)  # the same day in a 1904-system file
    assert parse_date(dt.datetime(2026, 10, 5, 13, 30)) == dt.date(2026, 10, 5)
    assert parse_date("10/05/2026") == dt.date(2026, 10, 5)
    assert parse_date("10/5/26") == dt.date(2026, 10, 5)
    assert parse_date("2026-10-05") == dt.date(2026, 10, 5)
    assert parse_date("2026-10-05T00:00:00") == dt.date(2026, 10, 5)
    assert parse_date("05-Oct-2026") == dt.date(2026, 10, 5)
    assert parse_date(20261005) == dt.date(2026, 10, 5)
    assert parse_date("") is None
    with pytest.raises(BadValue, match="'13/45/2026' is not a date"):
        parse_date("13/45/2026")
    with pytest.raises(BadValue):
        parse_date(dt.time(9, 30))


def test_diagnoses_get_their_dot() -> None:
    assert split_diagnoses("E119") == ("E11.9",)
    assert split_diagnoses("e11.9, I10") == ("E11.9", "I10")
    assert split_diagnoses("E119;I10 M17.11") == ("E11.9", "I10", "M17.11")
    assert split_diagnoses("S060X0A") == ("S06.0X0A",)
    assert split_diagnoses("") == ()
    assert split_diagnoses("not-a-code") == ("NOT-A-CODE",)  # kept as written; the engine reports it


def test_pos_money_text() -> None:
    assert normalize_pos(11) == "11"
    assert normalize_pos(2.0) == "02"
    assert normalize_pos("11 - Office") == "11"
    assert normalize_pos("POS 22") == "22"
    assert parse_money("$1,250.00") == 1250.0
    assert parse_money("(12.00)") == -12.0
    assert parse_money("n/a") is None
    assert clean_text(1234567890.0) == "1234567890"
    assert clean_text("  Dr\xa0 Smith ") == "Dr Smith"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Smith, Jo MD ", "Smith, Jo MD"),  # plain ASCII: the fast path, only the ends trimmed
        ("Smith,  Jo", "Smith, Jo"),  # a run of spaces: collapsed by the full path
        ("Smith,\tJo\n", "Smith, Jo"),  # tab and newline are whitespace, not printable: full path
        ("Jo\x07 Smith", "Jo? Smith"),  # a control character is shown as "?"
        ("Jo\xa0Smith", "Jo Smith"),  # a non-breaking space (not ASCII)
        ("José  Smith", "José Smith"),
    ],
)
def test_clean_text_fast_path_agrees_with_the_full_one(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected
    assert clean_text.__wrapped__(raw) == expected  # uncached, the same
