"""Values computed by the model itself."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle

import pytest

from rvucheck.model import CellRef, ChargeLine, Finding, LineResult, fast_init, replace_line

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


LINE = ChargeLine(
    SOURCE, "99213", ("25",), 2.0, dt.date(2026, 7, 1), "Dr A", "1234567890", "11", "G1", "P1", ("E11.9",),
    "11", 120.0, "MC", "C1", dt.date(2026, 7, 3), columns=(("hcpcs", 5),),
)  # fmt: skip


def test_a_charge_line_is_frozen_and_slotted() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        LINE.hcpcs = "99214"  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):  # TypeError: Python 3.11's frozen slots __setattr__
        LINE.extra = 1  # type: ignore[attr-defined]
    assert type(LINE) is ChargeLine and not hasattr(LINE, "__dict__")
    assert (LINE.units, LINE.patient, LINE.minutes, LINE.column_of("hcpcs")) == (2.0, "P1", None, 5)


def test_fast_construction_equals_the_dataclass_own() -> None:
    """Keyword, positional and default arguments give the line the dataclass's own __init__ gives."""
    fields = dataclasses.fields(ChargeLine)
    plain = dataclasses.make_dataclass(
        "Plain", [(f.name, f.type, dataclasses.field(default=f.default)) for f in fields]
    )
    values = {f.name: getattr(LINE, f.name) for f in dataclasses.fields(ChargeLine)}
    assert dataclasses.astuple(plain(**values)) == dataclasses.astuple(LINE)
    assert ChargeLine(**values) == LINE and hash(ChargeLine(**values)) == hash(LINE)
    assert ChargeLine(*values.values()) == LINE
    assert ChargeLine(SOURCE, "99213") == ChargeLine(source=SOURCE, hcpcs="99213", units=1.0, modifiers=())
    assert ChargeLine(SOURCE, "99213") != ChargeLine(SOURCE, "99214")
    assert repr(ChargeLine(SOURCE, "99213")).startswith("ChargeLine(source=CellRef(sheet='Charges', row=7")
    with pytest.raises(TypeError):
        ChargeLine(SOURCE)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ChargeLine(SOURCE, "99213", unknown=1)  # type: ignore[call-arg]


def test_a_line_survives_copies() -> None:
    assert pickle.loads(pickle.dumps(LINE)) == LINE  # process pools send lines to workers
    assert copy.copy(LINE) == LINE and copy.deepcopy(LINE) == LINE
    changed = dataclasses.replace(LINE, patient="K", units=3.0)
    assert (changed.patient, changed.units, changed.hcpcs) == ("K", 3.0, "99213")
    assert replace_line(LINE, patient="K", units=3.0) == changed
    assert replace_line(LINE) == LINE and LINE.patient == "P1"


def test_a_subclass_is_built_by_the_dataclass_init() -> None:
    @dataclasses.dataclass(frozen=True)
    class Tagged(ChargeLine):
        tag: str = "t"

    line = Tagged(SOURCE, "99213", tag="x")
    assert type(line) is Tagged and (line.hcpcs, line.tag) == ("99213", "x")


def test_fast_init_refuses_what_it_cannot_keep() -> None:
    with pytest.raises(TypeError, match="frozen=True, slots=True"):
        fast_init(dataclasses.make_dataclass("Open", [("a", int)], frozen=True))
    with pytest.raises(TypeError, match="plain fields"):
        fast_init(
            dataclasses.make_dataclass(
                "Listy", [("a", list, dataclasses.field(default_factory=list))], frozen=True, slots=True
            )
        )
