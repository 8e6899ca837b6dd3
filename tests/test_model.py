"""Values computed by the model itself."""

from __future__ import annotations

from rvucheck.model import CellRef, ChargeLine, Finding, LineResult

SOURCE = CellRef("Charges", 7, 5)


def _result(payment: float | None, *stakes: float | None) -> LineResult:
    findings = tuple(
        Finding(f"R{i}", "error", "m", SOURCE, dollars_at_stake=stake) for i, stake in enumerate(stakes)
    )
    return LineResult(ChargeLine(SOURCE, "99213"), payment=payment, findings=findings)


def test_a_line_loses_at_most_its_payment() -> None:
    assert _result(95.19, 95.19, 95.19).dollars_at_stake == 95.19  # GS01 and NC02 on one visit
    assert _result(95.19, 40.0, 20.0).dollars_at_stake == 60.0
    assert _result(None, 40.0, 20.0).dollars_at_stake == 40.0  # unpriced: the largest single figure
    assert _result(95.19).dollars_at_stake == 0.0
    assert _result(95.19, None).dollars_at_stake == 0.0


def test_cell_reference_in_a1_form() -> None:
    assert CellRef("Charges", 12, 3).a1() == "Charges!C12"
    assert CellRef("Charges", 1, 28).a1() == "Charges!AB1"
    assert CellRef("Charges", 5).a1() == "Charges!5"
