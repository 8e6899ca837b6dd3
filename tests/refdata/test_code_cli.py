"""`rvucheck code` and `rvucheck data` output on the real installed data."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from rvucheck.cli.main import main
from rvucheck.refdata.categories import category_of
from rvucheck.refdata.pricing.nonpar import limiting_charge, non_participating


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_code_20983_text(capsys, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, f"--data-dir={data_dir}", "code", "20983")
    assert code == 0
    assert "20983  Ablate bone tumor(s) perq" in out
    assert "  work                          6.71          6.71" in out
    assert "Conversion factor 33.4009 (non-QPP)" in out
    assert "Payment (national): non-facility $4,905.92, facility $302.61" in out
    assert "Global days 000" in out
    assert "Global 000: pre- and post-operative care on the day of the procedure is included." in out
    assert "modifier 25" in out
    assert (
        "Compared with Surgery codes (5,734 with work RVUs): 44th percentile, median 8.00, highest 106.19"
        in out
    )
    assert "Assistant at surgery (80/81/82/AS): 1  Statutory restriction" in out


def test_code_20983_json(capsys, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, f"--data-dir={data_dir}", "code", "20983", "--json")
    assert code == 0
    page = json.loads(out)
    required = {
        "hcpcs", "modifier", "release", "status_code", "work_rvu", "pe_rvu_nonfacility",
        "pe_rvu_facility", "mp_rvu", "total_rvu_nonfacility", "total_rvu_facility", "global_days",
        "conversion_factor", "payment", "locality", "category", "indicators", "notes",
    }  # fmt: skip
    assert required <= set(page)
    assert (page["hcpcs"], page["modifier"], page["release"], page["status_code"]) == (
        "20983",
        None,
        "RVU26C",
        "A",
    )
    assert (page["work_rvu"], page["pe_rvu_nonfacility"], page["pe_rvu_facility"], page["mp_rvu"]) == (
        6.71, 139.34, 1.52, 0.83,
    )  # fmt: skip
    assert (page["total_rvu_nonfacility"], page["total_rvu_facility"], page["global_days"]) == (
        146.88,
        9.06,
        "000",
    )
    assert page["conversion_factor"] == 33.4009
    assert page["payment"]["nonfacility"] == 4905.92 and page["payment"]["facility"] == 302.61
    assert page["payment"]["nonfacility_na"] is False
    assert page["locality"] is None
    assert page["category"] == {
        "name": "Surgery",
        "percentile": 44,
        "median": 8.0,
        "max": 106.19,
        "count": 5734,
    }
    assert page["indicators"]["global_days"]["code"] == "000"
    assert page["indicators"]["bilat_surg"]["meaning"].startswith("150%")
    assert any("modifier 25" in n for n in page["notes"])


def test_code_with_locality_pos_and_qpp(capsys, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    argv = ["code", "20983", "--locality", "01112-05", "--pos", "11", "--qpp", "--json"]
    code, out, _ = run(capsys, f"--data-dir={data_dir}", *argv)
    assert code == 0
    page = json.loads(out)
    assert page["locality"]["mac"] == "01112" and page["locality"]["locality"] == "05"
    assert page["conversion_factor"] == 33.5675
    # ((6.71 x 1.095) + (139.34 x 1.410) + (0.83 x 0.425)) x 33.5675, GPCIs of CY2026 (GPCI2026.csv)
    total = (
        Decimal("6.71") * Decimal("1.095")
        + Decimal("139.34") * Decimal("1.410")
        + Decimal("0.83") * Decimal("0.425")
    )
    expected = float((total * Decimal("33.5675")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert page["payment"]["nonfacility"] == expected
    assert page["setting"] == {
        "pos": "11", "name": "Office", "rate": "nonfacility", "amount": expected,
        "non_participating": non_participating(expected), "limiting_charge": limiting_charge(expected),
    }  # fmt: skip


def test_code_modifier_rows_and_adjustment(capsys, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, f"--data-dir={data_dir}", "code", "70551", "--modifier", "26", "--json")
    page = json.loads(out)
    assert (code, page["modifier"], page["work_rvu"]) == (0, "26", 1.44)  # 70551,26,...,1.44 in the July file
    code, out, _ = run(capsys, f"--data-dir={data_dir}", "code", "20983", "-m", "50")
    assert "With modifier 50: $7,358.88, credited work RVU 10.07" in out


def test_code_modifier_without_its_row_is_priced_as_billed(capsys, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    # the one pricer's answer on every face (was an error here only): 99213 has no TC row, so it is priced
    # from its own row, 2.85 total RVUs x CF 33.4009, and the page says why
    code, out, _ = run(capsys, f"--data-dir={data_dir}", "code", "99213", "-m", "TC", "--json")
    page = json.loads(out)
    assert (code, page["modifier"], page["adjusted"]["payment"], page["adjusted"]["work_rvu"]) == (
        0,
        None,
        95.19,
        1.3,
    )
    assert (
        "modifier TC: 99213 has no TC row (PC/TC indicator 0); it cannot be split, priced as billed"
        in (page["adjusted"]["explanation"])
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["code", "2098"],
            "'2098' is not a HCPCS/CPT code: codes have 5 characters (e.g. 99213, 0001F, G0438); "
            "codes starting 2098: 20982, 20983, 20985",
        ),
        (["code", "20984"], "close matches: 20983, 20985"),
        (["code", "20983", "--date", "2024-03-01"], "no CY2024 fee schedule installed"),
        (["code", "20983", "--locality", "Atlantis"], "no Medicare locality matches 'Atlantis'"),
        (["code", "20983", "--date", "03/01/2026"], "give the date of service as YYYY-MM-DD"),
    ],
)
def test_code_errors_exit_2(capsys, data_dir: Path, argv: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, f"--data-dir={data_dir}", *argv)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and out == ""


def test_code_without_data(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, f"--data-dir={tmp_path}", "code", "20983")
    assert code == 2 and "rvucheck data install" in err


def test_data_status_and_localities(capsys, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, f"--data-dir={data_dir}", "data", "status", "--date", "2027-02-01")
    assert code == 0
    assert "RVU26C     2026-07-01 to 2026-09-30   RVU, GPCI" in out
    assert "uses LOCCO of RVU26A, ANES of RVU26A" in out
    assert "RVU25D" in out and "OPPSCAP" in out
    assert "older than the quarter of the date given (2027-02-01)" in out
    code, out, _ = run(capsys, f"--data-dir={data_dir}", "data", "localities", "--state", "CA")
    assert code == 0
    assert out.count("\n01112-") + out.count("\n01182-") == 29
    assert "01112-05  CA  SAN FRANCISCO-OAKLAND-BERKELEY" in out and "1.095 1.410 0.425" in out


def test_category_ranges() -> None:
    assert [category_of(c) for c in ("99213", "00100", "20983", "70551", "88305", "90471", "99500", "0001F",
                                      "0042T", "G0438", "0001U")] == [
        "Evaluation and Management", "Anesthesia", "Surgery", "Radiology", "Pathology and Laboratory",
        "Medicine", "Medicine", "Category II", "Category III", "HCPCS Level II", "Pathology and Laboratory",
    ]  # fmt: skip


def test_locality_search(ref) -> None:  # type: ignore[no-untyped-def]
    assert ref.locality("0111205").key == "01112-05"
    assert ref.locality("San Francisco, CA").key == "01112-05"  # by CMS's county crosswalk
    assert ref.locality("AK").name == "ALASKA*"  # a state with one locality
    assert ref.locality("Manhattan").key == "13202-01"
