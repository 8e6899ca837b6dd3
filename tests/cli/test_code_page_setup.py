"""`rvucheck code` as a practice types it (issue 15): codes paid outside the PFS say what pays them
instead of "$0.00, 0th percentile"; an unknown modifier is refused in one line;
"99213-25" is code 99213 with modifier 25."""

from __future__ import annotations

import json

from rvucheck.cli.main import main


def _page(data_dir, capsys, *args: str):  # type: ignore[no-untyped-def]
    code = main(["--data-dir", str(data_dir), "code", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_lab_code_says_clinical_lab_fee_schedule_not_zero_dollars(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _page(data_dir, capsys, "80053")
    assert code == 0
    assert "not paid under the physician fee schedule" in out
    assert "clinical laboratory fee schedule" in out
    assert "$0.00" not in out and "percentile" not in out


def test_drug_code_says_asp_not_zero_dollars(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _page(data_dir, capsys, "J1100")
    assert code == 0
    assert "ASP" in out and "$0.094 per 1 MG" in out
    assert "$0.00" not in out


def test_pfs_code_still_shows_its_payment_and_percentile(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _page(data_dir, capsys, "20983", "--date", "2026-08-01")
    assert code == 0
    assert "Payment (national): non-facility $4,905.92" in out
    assert "percentile" in out


def test_lab_code_json_has_no_category(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _page(data_dir, capsys, "80053", "--json")
    page = json.loads(out)
    assert code == 0 and page["category"] is None
    assert page["paid_outside_pfs"]["class"] == "lab"


def test_unknown_modifier_is_one_line_exit_2(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = _page(data_dir, capsys, "99213", "-m", "ZZ")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "modifier 'ZZ' is not a CPT or HCPCS modifier" in err


def test_known_modifier_is_accepted(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _page(data_dir, capsys, "99213", "-m", "25")
    assert code == 0 and "With modifier 25" in out


def test_code_with_dash_modifier_is_code_and_modifier(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _page(data_dir, capsys, "99213-25", "--json")
    page = json.loads(out)
    assert code == 0
    assert page["hcpcs"] == "99213" and page["adjusted"]["modifiers"] == ["25"]


def test_code_with_dash_unknown_modifier_is_refused(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = _page(data_dir, capsys, "99213-ZZ")
    assert code == 2 and "'ZZ'" in err


def test_contractor_priced_code_has_no_zero_payment(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _page(data_dir, capsys, "99199")  # status C, no RVUs
    assert code == 0
    assert "Payment: no national fee-schedule amount (status C: Contractor priced" in out
    assert "$0.00" not in out and "percentile" not in out
