"""The Excel functions called as plain Python (how classic xlwings calls them), against the real CMS files."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from rvucheck.excel import udfs

pytestmark = pytest.mark.usefixtures("udf_data")


def pprrvu_2025_row(shared_cms: Path, hcpcs: str) -> list[str]:
    """The row of the real CY2025 October file, read with the csv module (independent of the importer)."""
    with (shared_cms / "RVU25D" / "PPRRVU2025_Oct.csv").open(newline="", encoding="latin-1") as handle:
        for row in csv.reader(handle):
            if row and row[0] == hcpcs and row[1] == "":
                return row
    raise AssertionError(f"{hcpcs} not in the 2025 file")


def test_rvu_work_by_default_and_every_component() -> None:
    assert udfs.RVU("20983") == 6.71
    assert udfs.RVU("20983", "work") == 6.71
    assert udfs.RVU("20983", "pe_nonfacility") == 139.34
    assert udfs.RVU("20983", "pe_facility") == 1.52
    assert udfs.RVU("20983", "mp") == 0.83
    assert udfs.RVU("20983", "total_nonfacility") == 146.88
    assert udfs.RVU("20983", "Total Facility") == 9.06


@pytest.mark.parametrize("code", [20983, 20983.0, "20983.0", " 20983 ", "'20983", [["20983"]]])
def test_codes_typed_as_numbers_or_text(code: object) -> None:
    assert udfs.RVU(code) == 6.71


def test_lowercase_hcpcs_and_number_that_lost_its_zeros() -> None:
    assert udfs.RVU("g2211") == udfs.RVU("G2211")
    assert udfs.RVU_STATUS(100) == udfs.RVU_STATUS("00100")  # anesthesia 00100 typed as a number
    assert udfs.RVU_STATUS("00100").startswith("J:")


def test_modifier_rows_26_and_tc() -> None:
    assert udfs.RVU("71046", "work", "26") == 0.21
    assert udfs.RVU("71046", "work", "TC") == 0.0
    assert udfs.RVU("71046", "total_nonfacility", "TC") == 0.69
    assert udfs.RVU("71046-26") == 0.21  # the modifier typed with the code, as exports often have it
    assert udfs.RVU_PAYMENT("71046-TC") == udfs.RVU_PAYMENT("71046", "TC")
    # a payment modifier does not change the published RVUs; 99213 has no 26 row, so its own row answers
    assert udfs.RVU("20983", None, "50") == 6.71
    assert udfs.RVU("99213", None, "26") == 1.3


def test_a_range_spills_with_its_shape_and_errors_per_cell() -> None:
    assert udfs.RVU([["20983", 99213], ["ZZZZZ", None]]) == [[6.71, 1.3], ["#N/A", ""]]
    assert udfs.RVU_GLOBAL([["20983"], ["27447"], ["99213"]]) == [["000"], ["090"], ["XXX"]]


def test_errors_are_excel_values_or_short_messages() -> None:
    assert udfs.RVU("ZZZZZ") == "#N/A"  # well-formed, not in the fee schedule
    assert udfs.RVU("1234567") == "#VALUE!"  # not a code
    assert udfs.RVU("") == "#VALUE!"
    assert udfs.RVU("20983", "weight") == "#VALUE!"
    assert udfs.RVU("20983", None, None, "not a date") == "#VALUE!"
    assert udfs.RVU_PAYMENT("20983", None, None, "moon") == "#VALUE!"
    message = udfs.RVU_PAYMENT("20983", None, "nowhere")
    assert message.startswith("rvucheck: no Medicare locality matches 'nowhere'") and len(message) <= 255
    old = udfs.RVU("20983", None, None, "2019-03-01")
    assert old.startswith("rvucheck: no CY2019 fee schedule installed")
    assert "Traceback" not in udfs.RVU_INFO("ZZZZZ")


def test_date_picks_the_release_in_effect(shared_cms: Path) -> None:
    row_2025 = pprrvu_2025_row(shared_cms, "20983")
    assert udfs.RVU("20983", None, None, "2025-11-15") == float(row_2025[5])
    assert udfs.RVU("20983", None, None, dt.date(2025, 11, 15)) == float(row_2025[5])
    assert udfs.RVU("20983", None, None, dt.datetime(2025, 11, 15, 9, 30)) == float(row_2025[5])
    assert udfs.RVU("20983", None, None, 45976.0) == float(row_2025[5])  # Excel serial of 2025-11-15
    assert float(row_2025[5]) != 6.71
    assert udfs.RVU("20983", None, None, "2026-08-01") == 6.71


def test_payment_national_and_by_setting() -> None:
    assert udfs.RVU_PAYMENT("20983") == 4905.92
    assert udfs.RVU_PAYMENT("20983", None, None, "facility") == 302.61
    assert udfs.RVU_PAYMENT("20983", None, "NATIONAL", 22) == 302.61  # POS 22: outpatient hospital
    assert udfs.RVU_PAYMENT("20983", None, None, 11) == 4905.92  # POS 11: office
    assert udfs.RVU_PAYMENT("20983", None, None, "nf") == 4905.92


def test_payment_qpp_uses_the_qpp_conversion_factor() -> None:
    # CY2026: the same RVUs, CF 33.5675 instead of 33.4009 (146.88 x 33.5675 = 4930.39)
    assert udfs.RVU_PAYMENT("20983", None, None, None, None, True) == 4930.39
    assert udfs.RVU_PAYMENT("20983", None, None, None, None, "QPP") == 4930.39


def test_payment_modifiers_follow_the_claims_processing_manual() -> None:
    national = Decimal(str(udfs.RVU_PAYMENT("27447", None, None, "facility")))
    cent = Decimal("0.01")
    bilateral, assistant = ((national * Decimal(f)).quantize(cent, ROUND_HALF_UP) for f in ("1.5", "0.16"))
    assert udfs.RVU_PAYMENT("27447", "50", None, "facility") == float(bilateral)  # 150%
    assert udfs.RVU_PAYMENT("27447", "80", None, "facility") == float(assistant)  # 16%
    assert udfs.RVU_PAYMENT("27447", "LT 50", None, "facility") == float(bilateral)


def test_payment_by_locality_equals_cms_payment_file(shared_cms: Path) -> None:
    """Every status-A row of CMS's own PFREV26B (nonQP) payment file, both settings, all 109 localities."""
    checked = 0
    with (shared_cms / "PFREV26B" / "nonQP" / "PFREV26B.txt").open(newline="", encoding="latin-1") as handle:
        for fields in csv.reader(handle):
            if len(fields) < 10 or fields[9] != "A":
                continue
            locality = f"{fields[1]}-{fields[2]}"
            code = fields[3]
            assert udfs.RVU_PAYMENT(code, None, locality) == float(fields[5]), (code, locality)
            assert udfs.RVU_PAYMENT(code, None, locality, "facility") == float(fields[6]), (code, locality)
            checked += 1
    assert checked > 3800


def test_global_status_description_percentile() -> None:
    assert udfs.RVU_GLOBAL("20983") == "000"
    assert udfs.RVU_GLOBAL(27447) == "090"
    assert udfs.RVU_STATUS("20983").startswith("A: Active")
    assert udfs.RVU_DESC("20983") == "Ablate bone tumor(s) perq"  # from the installed CMS file
    assert udfs.RVU_PERCENTILE("20983") == 44  # issue 2's reference figure (Surgery)
    # the lab code itself is a statutory exclusion; its professional component (26 row) is paid
    assert udfs.RVU_STATUS("84165").startswith("X:")
    assert udfs.RVU_STATUS("84165", "26").startswith("A:")


def test_info_is_a_two_row_table_of_the_code_page() -> None:
    table = udfs.RVU_INFO("20983")
    assert len(table) == 2 and len(table[0]) == len(table[1])
    info = dict(zip(table[0], table[1], strict=True))
    assert info["hcpcs"] == "20983"
    assert info["work_rvu"] == 6.71
    assert info["conversion_factor"] == 33.4009
    assert info["payment.nonfacility"] == 4905.92
    assert info["payment.facility"] == 302.61
    assert info["global_days"] == "000"
    assert info["category.name"] == "Surgery"
    assert info["category.percentile"] == 44
    assert info["category.median"] == 8.0
    assert info["category.max"] == 106.19
    assert info["indicators.status_code"].startswith("A: ")
    assert all(not isinstance(v, dict | list) and v is not None for v in table[1])


def test_info_with_locality() -> None:
    info = dict(zip(*udfs.RVU_INFO("20983", None, "01112-05"), strict=True))
    assert info["locality.mac"] == "01112" and info["locality.locality"] == "05"
    assert info["payment.nonfacility"] == udfs.RVU_PAYMENT("20983", None, "01112-05")
