"""The patient's date of birth and age (for the MCE age edits, DX07): read when the export has them, never a
reason to skip a line, and the age on the date of service counted in whole years."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rvucheck.engine.kinds.mce import age_on
from rvucheck.model import CellRef, ChargeLine
from rvucheck.read.cells import parse_age
from rvucheck.read.charges import read_charges


def test_date_of_birth_and_age_columns_are_read(tmp_path: Path) -> None:
    path = tmp_path / "ages.csv"
    path.write_text(
        "MRN,DOB,Age,DOS,CPT,Dx\n"
        "P1,03/15/1950,,2026-03-02,99213,I10\n"
        "P2,,45,2026-03-02,99213,I10\n"
        "P3,not a date,old,2026-03-02,99213,I10\n"
    )
    lines = read_charges(path).lines
    assert [(line.birth_date, line.age) for line in lines] == [
        (dt.date(1950, 3, 15), None),
        (None, 45),
        (None, None),
    ]


def test_no_such_columns_no_ages(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("MRN,DOS,CPT,Dx\nP1,2026-03-02,99213,I10\n")
    (line,) = read_charges(path).lines
    assert (line.birth_date, line.age) == (None, None)


def test_parse_age() -> None:
    assert [parse_age(v) for v in (0, 17, "64", 45.0, " 80 ")] == [0, 17, 64, 45, 80]
    assert [parse_age(v) for v in (None, "", -1, 125, 45.5, "4 5", True, "old")] == [None] * 8


def _line(**fields: object) -> ChargeLine:
    return ChargeLine(CellRef("s", 2), "99213", dos=dt.date(2026, 7, 15), **fields)  # type: ignore[arg-type]


def test_age_on_the_date_of_service() -> None:
    assert age_on(_line(birth_date=dt.date(2008, 7, 15))) == 18  # the 18th birthday
    assert age_on(_line(birth_date=dt.date(2008, 7, 16))) == 17  # the day before it
    assert age_on(_line(birth_date=dt.date(2026, 7, 10))) == 0
    assert age_on(_line(birth_date=dt.date(2026, 8, 1))) is None  # born after the service: not judged
    assert age_on(_line(age=70)) == 70
    assert age_on(_line(birth_date=dt.date(1950, 1, 1), age=3)) == 76  # the date of birth wins
    assert age_on(_line()) is None
