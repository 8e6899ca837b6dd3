"""Fuzz the value parsers with anything a cell can hold (any text, any float including inf/nan, huge
integers, any datetime, times, booleans): nothing but the parser's own BadValue escapes, and what they
return is safe to pass on (finite units, dates in 1900-2100, codes and modifiers free of control
characters, modifiers in plain ASCII)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rvucheck.read.cells import (
    CONTROL,
    FIRST_DATE,
    LAST_DATE,
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

DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩０１２３４５６７８９۰۱۲۳"
ANY_CELL = st.one_of(
    st.none(),
    st.text(max_size=24),
    st.text(alphabet=DIGITS + "-/.,eE+ :TtabcRTLT\x1b\x07\x00\u00a0", max_size=16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.booleans(),
)
FUZZ = settings(max_examples=600, deadline=None)


def _call(parser, value):  # type: ignore[no-untyped-def]
    """The parser's result, or None when it refused the value with BadValue (the only allowed error)."""
    try:
        return parser(value)
    except BadValue as exc:
        assert str(exc), "a BadValue says why"
        return None


@FUZZ
@given(ANY_CELL)
def test_units_are_finite_or_refused(value: object) -> None:
    units = _call(parse_units, value)
    assert units is None or (isinstance(units, float) and math.isfinite(units))


@FUZZ
@given(ANY_CELL, st.booleans())
def test_dates_are_in_range_or_refused(value: object, date1904: bool) -> None:
    date = _call(lambda v: parse_date(v, date1904), value)
    assert date is None or FIRST_DATE <= date <= LAST_DATE


@FUZZ
@given(ANY_CELL)
def test_codes_carry_no_control_characters(value: object) -> None:
    code, modifiers = split_code(value)
    assert not CONTROL.search(code)
    assert all(m.isascii() and not CONTROL.search(m) for m in modifiers)


@FUZZ
@given(ANY_CELL)
def test_modifiers_are_ascii_or_refused(value: object) -> None:
    modifiers = _call(split_modifiers, value)
    assert modifiers is None or all(m.isascii() and not CONTROL.search(m) for m in modifiers)


@FUZZ
@given(ANY_CELL)
def test_other_parsers_never_raise(value: object) -> None:
    assert not CONTROL.search(clean_text(value))
    split_diagnoses(value)
    normalize_pos(value)
    money = parse_money(value)
    assert money is None or math.isfinite(money)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("inf", "not a number"),
        ("1e400", "not a finite number"),
        (float("nan"), "not a finite number"),
        ("2٥", "U\\+0665"),
        ("#REF!", "not a number"),
    ],
)
def test_units_refused_with_the_reason(value: object, reason: str) -> None:
    with pytest.raises(BadValue, match=reason):
        parse_units(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("１", 1.0), ("1,000", 1000.0), (" 2 ", 2.0), ("", 1.0), (3, 3.0), ("1e9", 1e9)],
)
def test_units_read(value: object, expected: float) -> None:
    assert parse_units(value) == expected


@pytest.mark.parametrize(
    "value", ["3000000", 3000000, "20261399", "٢٠٢٦١٠٠٥", "1899-12-01", "2101-01-01", dt.datetime(2200, 1, 1)]
)
def test_dates_outside_1900_2100_are_refused(value: object) -> None:
    with pytest.raises(BadValue):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("２０２６-１０-０５", dt.date(2026, 10, 5)),
        ("20261005", dt.date(2026, 10, 5)),
        (46300, dt.date(2026, 10, 5)),
    ],
)
def test_dates_read(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


def test_full_width_folds_and_foreign_digits_are_refused() -> None:
    assert split_modifiers("２５") == ("25",)
    assert split_code("９９２１３－２５") == ("99213", ("25",))
    with pytest.raises(BadValue, match="U\\+0665"):
        split_modifiers("2٥")
    code, _ = split_code("9921٣")
    assert code == "9921٣"  # left as typed: not a code's shape, so the engine reports it (CV01)


def test_control_characters_are_shown_not_passed_on() -> None:
    assert clean_text("P3\x01X") == "P3?X"
    assert split_code("\x1b]0;x\x07")[0] == "?]0;X?"
