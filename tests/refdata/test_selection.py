"""Release selection: the release in effect on the date; else the nearest of the same year (with a note);
never another year's; default the newest. Companion files (GPCI/LOCCO/ANES) from the same year."""

from __future__ import annotations

import datetime as dt

from rvucheck.refdata.calendar import effective_dates
from rvucheck.refdata.selection import choose_release, companion_for
from rvucheck.refdata.store import DatasetInfo


def release(release_id: str, contents: tuple[str, ...] = ("RVU",)) -> DatasetInfo:
    start, end, quarter = effective_dates(release_id)
    return DatasetInfo("pfs", release_id, start.year, quarter, start, end, "", contents, (), {}, "")


INSTALLED = [release("RVU26C"), release("RVU26A"), release("RVU25D")]  # newest first, as Store.datasets()


def test_effective_dates() -> None:
    assert effective_dates("RVU26A") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), 1)
    assert effective_dates("RVU26B") == (dt.date(2026, 4, 1), dt.date(2026, 6, 30), 2)
    assert effective_dates("RVU26C") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), 3)
    assert effective_dates("RVU25D") == (dt.date(2025, 10, 1), dt.date(2025, 12, 31), 4)
    assert effective_dates("RVU26AR")[:2] == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def test_default_is_newest() -> None:
    assert choose_release(INSTALLED, None).release_id == "RVU26C"
    assert choose_release(INSTALLED, None).note is None


def test_release_in_effect() -> None:
    choice = choose_release(INSTALLED, dt.date(2026, 8, 15))
    assert (choice.release_id, choice.year, choice.quarter, choice.note) == ("RVU26C", 2026, 3, None)
    assert choose_release(INSTALLED, dt.date(2026, 3, 31)).release_id == "RVU26A"
    assert choose_release(INSTALLED, dt.date(2025, 12, 31)).release_id == "RVU25D"


def test_missing_quarter_takes_nearest_of_same_year_with_note() -> None:
    choice = choose_release(INSTALLED, dt.date(2026, 5, 1))  # Q2 not installed; A and C both 1 away
    assert choice.release_id == "RVU26A"  # the tie goes to the release already in effect before the date
    assert choice.note is not None and "Q2 2026" in choice.note and "RVU26A" in choice.note
    assert choose_release(INSTALLED, dt.date(2026, 12, 1)).release_id == "RVU26C"
    assert choose_release(INSTALLED, dt.date(2025, 2, 1)).release_id == "RVU25D"


def test_never_another_years_release() -> None:
    for day in (dt.date(2024, 6, 1), dt.date(2027, 1, 1)):
        choice = choose_release(INSTALLED, day)
        assert choice.release_id == ""
        assert choice.note is not None and f"no CY{day.year} fee schedule installed" in choice.note


def test_companions_come_from_the_same_year() -> None:
    c = release("RVU26C", ("RVU", "GPCI"))
    a = release("RVU26A", ("GPCI", "LOCCO", "ANES"))
    d = release("RVU25D", ("RVU", "GPCI", "LOCCO", "ANES", "OPPSCAP"))
    datasets = [c, a, d]
    assert companion_for(datasets, c, "GPCI") is c
    assert companion_for(datasets, c, "LOCCO") is a
    assert companion_for(datasets, c, "ANES") is a
    assert companion_for(datasets, c, "OPPSCAP") is None  # 2025's cap file never serves 2026


def test_reference_answers_with_the_release_of_the_date(ref) -> None:  # type: ignore[no-untyped-def]
    assert ref.rvu("20983", on=dt.date(2025, 11, 3)).release == "RVU25D"
    assert ref.rvu("20983", on=dt.date(2025, 11, 3)).work_rvu == 6.88
    assert ref.rvu("20983", on=dt.date(2026, 7, 2)).release == "RVU26C"
    assert ref.rvu("20983", on=dt.date(2024, 7, 2)) is None
    assert ref.release_for(dt.date(2026, 2, 1)).note is not None  # RVU26A has no PPRRVU: RVU26C answers
    # RVU26C borrows RVU26A's counties and anesthesia CFs
    assert ref.locality("01112-05").anes_cf == 22.49


def test_release_ids_and_their_quarters_are_one_calendar() -> None:
    from rvucheck.engine.facts import release_pin_date
    from rvucheck.refdata.calendar import release_id, release_quarter

    assert [release_id(2026, q) for q in (1, 2, 3, 4)] == ["RVU26A", "RVU26B", "RVU26C", "RVU26D"]
    assert release_quarter("RVU26C") == release_quarter(" rvu26c ") == release_quarter("26C") == (2026, 3)
    assert release_quarter("RVU26AR") == (2026, 1)
    assert [release_quarter(bad) for bad in ("RVU26E", "RVU2", "26", "PFS26C")] == [None] * 4
    assert release_pin_date("RVU25D") == dt.date(2025, 10, 1)
    assert release_pin_date("RVU26E") is None
