"""One parser (refdata/periods.py) reads the periods CMS names in file, sheet, zip and link names, for both
the landing-page chooser (landing.period_of: the latest period, a bare year as month 0) and the NCCI
importer (ncci.formats.quarter_from_text: the first period, as a quarter). Every shape either accepted
before they shared it is still read the same way; the names are written here in CMS's shapes."""

from __future__ import annotations

import re

import pytest

from rvucheck.refdata.landing import period_of
from rvucheck.refdata.ncci.formats import quarter_from_text
from rvucheck.refdata.periods import periods_named

# quarter_from_text as it was before the shared parser, kept here to prove nothing it read changed
_OLD = (
    (re.compile(r"(20\d{2})[ _-]?Q([1-4])", re.I), lambda m: (int(m[1]), int(m[2]))),
    (
        re.compile(r"eff[_-]?(\d{2})[-_](\d{2})[-_](\d{4})", re.I),
        lambda m: (int(m[3]), (int(m[1]) - 1) // 3 + 1),
    ),
    (re.compile(r"(20\d{2})-(\d{2})-(\d{2})"), lambda m: (int(m[1]), (int(m[2]) - 1) // 3 + 1)),
    (re.compile(r"v(\d{2})(\d)r\d", re.I), lambda m: (1994 + int(m[1]), int(m[2]) + 1)),
)


def _old_quarter(text: str) -> tuple[int, int] | None:
    for pattern, quarter in _OLD:
        if match := pattern.search(text):
            return quarter(match)
    return None


NCCI_NAMES = [
    "ccipra-v321r0-f1.txt",
    "ccipra-v302r0-f4.xlsx",
    "ccioph-v320r0-f2",
    "ccipra-v323r0-f1.zip",
    "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv",
    "MCR_MUE_DMESupplierServices_Eff_01_01_2026.xlsx",
    "PractitionerSvcEff-10-01-2026",
    "PractitionerSvcEff07-01-2025",
    "AOC_V2026Q2-MCR_xlsx",
    "AOC_V2026 Q4-MCR",
    "aoc_v2025-q1-f-mcr.txt",
    "ncci_ptp_prac_2024-07-01.csv.gz",
    "AOC_V2026Q3 Eff_01-01-2026",  # two shapes: the quarter is read first, as before
    "ptp.txt",
    "MUE Practitioner Services",
]


@pytest.mark.parametrize("name", NCCI_NAMES)
def test_ncci_names_read_as_before(name: str) -> None:
    assert quarter_from_text(name) == _old_quarter(name)


def test_the_old_shapes_give_these_quarters() -> None:
    assert [quarter_from_text(n) for n in NCCI_NAMES[:4]] == [(2026, 2), (2024, 3), (2026, 1), (2026, 4)]
    assert quarter_from_text("MCR_MUE_DMESupplierServices_Eff_01_01_2026.xlsx") == (2026, 1)
    assert quarter_from_text("AOC_V2026Q3 Eff_01-01-2026") == (2026, 3)
    assert quarter_from_text("ptp.txt") is None


def test_shapes_the_landing_pages_taught_the_ncci_reader() -> None:
    """Before, only landing.period_of read these; the NCCI reader reads them too now."""
    assert quarter_from_text("Medicare NCCI Q3 2026 AOC") == (2026, 3)
    assert quarter_from_text("add-on code edits effective July 1, 2026") == (2026, 3)
    assert quarter_from_text("AOC effective 10012026") == (2026, 4)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2026Q3", (2026, 7)),
        ("v2026-q4", (2026, 10)),
        ("Q1 2027", (2027, 1)),
        ("07/01/2026", (2026, 7)),
        ("Eff_07_01_2026", (2026, 7)),
        ("07012026", (2026, 7)),
        ("2026-07-01", (2026, 7)),
        ("ccipra-v321r0-f1", (2026, 4)),
        ("sept 2025", (2025, 9)),
        ("July 1, 2021", (2021, 7)),
        ("13-01-2026", None),  # no 13th month
        ("Lab Code List 2025", None),  # a bare year is landing's fallback, not a period
    ],
)
def test_each_shape(text: str, period: tuple[int, int] | None) -> None:
    assert (periods_named(text) or [None])[0] == period


def test_landing_takes_the_latest_and_falls_back_to_a_bare_year() -> None:
    assert period_of("Q1 2026 and 2026Q3 files") == (2026, 7)
    assert period_of("Lab Code List 2024 and 2025") == (2025, 0)
    assert period_of("13-01-2026") == (2026, 0)
    assert period_of("Lab Code List ICD-10 (ZIP)") is None
