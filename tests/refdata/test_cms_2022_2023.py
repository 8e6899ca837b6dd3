"""CMS's CY2022 and CY2023 PFS files as CMS published them install and price (issue 10, item 4).

The fixtures (tests/fixtures/cms/rvu22a, rvu23a; written by make_fixtures_2022_2023.py) are in the exact byte
format of PPRRVU22_JAN.csv / PPRRVU23_JAN.csv and GPCI2022/2023.csv: ten header lines, 31 columns (no PRIC
IND), CRLF, quoted cells, the "ADDENDUM E" title rows, and the DOS end-of-file row (0x1A) that made
`data install` call the file damaged. Their RVUs and GPCIs are MADE UP; the conversion factors are CMS's.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from rvucheck.engine import runner as engine
from rvucheck.errors import InputFileError
from rvucheck.refdata import open_reference
from rvucheck.refdata.install import install_from
from rvucheck.refdata.pfs.importer import recognize
from rvucheck.refdata.pfs.layouts import csv_rows, decode, read_lines
from rvucheck.refdata.releases import conversion_factors
from rvucheck.refdata.store import Store
from rvucheck.rules.cases import case_line
from rvucheck.rules.ruleset import Ruleset
from rvucheck.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cms"


@pytest.fixture(scope="module")
def old_ref(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("cms-2022-2023") / "data"
    install_from([FIXTURES / "rvu22a", FIXTURES / "rvu23a"], Store(data))
    return open_reference(data)


def test_the_fixtures_end_with_cms_dos_end_of_file_row() -> None:
    for path in (
        FIXTURES / "rvu22a" / "madeup-rvu22-jan.csv",
        FIXTURES / "rvu23a" / "madeup-gpci-2023.csv",
    ):
        data = path.read_bytes()
        assert data.splitlines()[-1].startswith(b"\x1a,,,,,,")
        assert data.count(b"\r\n") == data.count(b"\n")  # CRLF throughout


def test_2022_and_2023_files_install_with_their_release_and_cf(old_ref: Any) -> None:
    for release, cf, year in (("RVU22A", 34.6062, 2022), ("RVU23A", 33.8872, 2023)):
        info = old_ref.dataset(release)
        assert info.contents == ("RVU", "GPCI")
        assert (info.effective_from, info.effective_to) == (dt.date(year, 1, 1), dt.date(year, 3, 31))
        assert info.meta["conversion_factors"] == {"nonqpp": cf, "qpp": cf}
        assert info.meta["notes"] == []
        rows = old_ref.rows(release)
        assert len(rows) == 7  # the 0x1A row is not a row
        assert rows[("71046", "26")].work_rvu == 0.2
        assert rows[("99213", "")].pric_ind == ""  # the 2022/2023 layout has no PRIC IND column
        assert len(old_ref.localities(release)) == 3  # footnotes and the 0x1A row are not localities


def test_quoted_numbers_and_quoted_descriptions_are_read(old_ref: Any) -> None:
    visit = old_ref.rows("RVU23A")[("99214", "")]  # work RVU written "2.00" in quotes
    assert (visit.work_rvu, visit.total_rvu_nonfacility, visit.conversion_factor) == (2.0, 3.6, 33.8872)
    assert old_ref.rows("RVU23A")[("99213", "")].description == "MADE-UP office visit, 2 cells"
    sf = old_ref.localities("RVU23A")["01112-05"]  # PE GPCI written "1.500" in quotes
    assert (sf.work_gpci, sf.pe_gpci, sf.mp_gpci) == (1.2, 1.5, 0.4)


def test_a_2022_date_prices_from_the_2022_release(old_ref: Any) -> None:
    dates = ["2022-02-10", "2023-02-10", "2023-05-02"]
    lines = [
        case_line({"hcpcs": "99213", "dos": d, "patient": f"P{i}"}, "Charges", i) for i, d in enumerate(dates)
    ]
    report = engine.run(lines, old_ref, Ruleset(()), Settings())
    jan22, jan23, may23 = report.results
    # made-up 99213: work 1.00 + non-facility PE 1.00 + MP 0.10 = 2.10 RVUs, national GPCIs 1.0
    assert (jan22.release, jan22.payment) == ("RVU22A", round(2.10 * 34.6062, 2))
    assert (jan23.release, jan23.payment) == ("RVU23A", round(2.10 * 33.8872, 2))
    assert may23.release == "RVU23A"  # Q2 2023 not installed: the same year's nearest release answers
    sf = engine.run(lines[:1], old_ref, Ruleset(()), Settings(locality="01112-05")).results[0]
    assert sf.payment == round((1.0 * 1.2 + 1.0 * 1.5 + 0.1 * 0.4) * 34.6062, 2)


@pytest.mark.parametrize("year", [2022, 2023])
@pytest.mark.parametrize(
    ("month", "letter"), [("January", "A"), ("April", "B"), ("July", "C"), ("October", "D")]
)
def test_every_quarter_of_2022_and_2023_is_recognised(
    tmp_path: Path, year: int, month: str, letter: str
) -> None:
    source = FIXTURES / f"rvu{year % 100}a" / f"madeup-rvu{year % 100}-jan.csv"
    text = source.read_bytes().replace(b"January Release", f"{month} Release".encode())
    path = tmp_path / "quarter.csv"
    path.write_bytes(text)
    item = recognize(path)
    assert item is not None and (item.role, item.dataset_id) == ("PPRRVU", f"RVU{year % 100}{letter}")


def test_the_2022_and_2023_conversion_factors_are_known() -> None:
    assert conversion_factors(2022) == {
        "nonqpp": 34.6062,
        "qpp": 34.6062,
        "anes_nonqpp": 21.5623,
        "anes_qpp": 21.5623,
    }
    assert conversion_factors(2023) == {
        "nonqpp": 33.8872,
        "qpp": 33.8872,
        "anes_nonqpp": 21.1249,
        "anes_qpp": 21.1249,
    }


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"a,b\r\nc,d\r\n\x1a,,\r\n", ["a,b", "c,d"]),  # CMS's: the mark with its row's empty cells
        (b"a,b\r\nc,d\r\n\x1a", ["a,b", "c,d"]),  # the mark alone, no line end
        (b"a,b\r\nc,d\x1a", ["a,b", "c,d"]),  # the mark right after the last row
        (b"\xef\xbb\xbfa,b\nc,d\n", ["a,b", "c,d"]),  # a re-saved file's BOM
        (b"a,b\r\nc,d\r\n", ["a,b", "c,d"]),  # no mark
    ],
)
def test_decode_stops_at_the_dos_end_of_file_mark(data: bytes, lines: list[str]) -> None:
    assert read_lines(data) == lines
    assert csv_rows(data)[0] == [line.split(",") for line in lines]


def test_a_mark_with_data_after_it_is_not_an_end_of_file() -> None:
    assert decode(b"a,b\r\n\x1a,c\r\nd,e\r\n") == "a,b\r\n\x1a,c\r\nd,e\r\n"


def test_a_0x1a_row_followed_by_data_is_still_damage(tmp_path: Path) -> None:
    folder = tmp_path / "rvu23a"
    shutil.copytree(FIXTURES / "rvu23a", folder)
    path = folder / "madeup-rvu23-jan.csv"
    path.write_bytes(path.read_bytes() + b"99215,,MADE-UP,A\r\n")
    with pytest.raises(InputFileError, match=r"madeup-rvu23-jan.csv: line 18: .*damaged"):
        install_from([folder], Store(tmp_path / "data"))


@pytest.mark.parametrize("folder", ["rvu22b", "rvu23d", "RVU23C"])
def test_a_gpci_file_alone_takes_the_release_of_its_cms_named_folder(tmp_path: Path, folder: str) -> None:
    (tmp_path / folder).mkdir()
    path = Path(shutil.copy(FIXTURES / "rvu22a" / "madeup-gpci-2022.csv", tmp_path / folder))
    item = recognize(path)
    assert item is not None and (item.role, item.dataset_id) == ("GPCI", folder.upper())
