"""Anesthesia (CPT 00100-01999) priced as (base units + time units) x the anesthesia CF, on the real
installed CMS files: base units from ANES2022_BASE (CY2022, the newest found), CFs from RVU26A ANES2026 and
releases.toml (national 2026 non-QPP 20.4975).

Worked example (Claims Processing Manual ch. 12 sec. 50: time units = minutes / 15 to one decimal, payment =
(base + time units) x CF; sec. 50.C / 140.3.3: medical direction QK/QX/QY 50 %, AA/QZ 100 %, AD three base
units): 00790 (upper abdomen, base 7 in CMS's file), 62 minutes -> 62 / 15 = 4.133 -> 4.1 time units;
national: (7 + 4.1) x 20.4975 = 227.52225 -> $227.52; QK or QX: x 50 % = 113.761 -> $113.76;
AD: 3 x 20.4975 = 61.4925 -> $61.49. San Francisco 01112-05 (ANES2026 non-QPP CF 22.49):
11.1 x 22.49 = 249.639 -> $249.64. 00400 (base 3), 30 minutes, QZ: (3 + 2.0) x 20.4975 = $102.49.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from rvucheck.engine import runner as engine
from rvucheck.model import Report
from rvucheck.refdata import anes_base
from rvucheck.refdata.install import install_from
from rvucheck.refdata.pricing.anesthesia import anesthesia_payment, is_anesthesia, time_units
from rvucheck.refdata.store import Store
from rvucheck.rules.cases import case_line
from rvucheck.rules.ruleset import load_ruleset
from rvucheck.settings import Settings

DAY = "2026-07-03"


def check(raw: list[dict[str, Any]], ref: Any, locality: str | None = None) -> Report:
    lines = [case_line({"dos": DAY, "pos": "22", **r}, "Charges", i) for i, r in enumerate(raw)]
    settings = Settings(select=("ST",), today=dt.date(2026, 12, 31), locality=locality)
    return engine.run(lines, ref, load_ruleset(settings), settings)


@pytest.mark.parametrize(("minutes", "units"), [(62, "4.1"), (60, "4.0"), (7, "0.5"), (8, "0.5"), (0, "0.0")])
def test_one_time_unit_per_15_minutes_to_one_decimal(minutes: float, units: str) -> None:
    assert str(time_units(minutes)) == units


def test_the_worked_example_national_and_by_modifier(ref: Any) -> None:
    report = check(
        [
            {"hcpcs": "00790", "modifiers": ["AA"], "units": 62, "patient": "P1"},
            {"hcpcs": "00790", "modifiers": ["QK"], "units": 62, "patient": "P2"},
            {"hcpcs": "00790", "modifiers": ["QX"], "units": 62, "patient": "P3"},
            {"hcpcs": "00790", "modifiers": ["AD"], "units": 62, "patient": "P4"},
            {"hcpcs": "00400", "modifiers": ["QZ", "QS"], "units": 30, "patient": "P5"},
            {"hcpcs": "00790", "modifiers": ["AA", "P3"], "units": 62, "patient": "P6"},
            {"hcpcs": "99213", "pos": "11", "patient": "P7"},
        ],
        ref,
    )
    assert [r.payment for r in report.results] == [227.52, 113.76, 113.76, 61.49, 102.49, 227.52, 95.19]


def test_the_locality_cf_is_used(ref: Any) -> None:
    report = check([{"hcpcs": "00790", "modifiers": ["AA"], "units": 62}], ref, locality="01112-05")
    assert report.results[0].payment == 249.64


def test_the_explanation_names_the_base_unit_year_and_source() -> None:
    paid = anesthesia_payment(7, "2022", 62, 20.4975, "the national anesthesia CF 2026", ("QY", "P2"))
    assert paid.payment == 113.76 and paid.units == 11.1
    assert paid.explanation[0].startswith("anesthesia: (7 base units (CMS CY2022 file) + 4.1 time units")
    assert "Claims Processing Manual ch. 12 sec. 50" in paid.explanation[0]
    assert any(
        step.startswith("P2: physical status modifier, no Medicare payment") for step in paid.explanation
    )
    full = anesthesia_payment(7, "2022", 62, 20.4975, "CF", ("AA",))
    assert full.payment == 227.52  # the same line without the 50 % modifier


def test_only_the_anesthesia_section_is_anesthesia() -> None:
    assert is_anesthesia("00100") and is_anesthesia("01999") and is_anesthesia("00790")
    assert not is_anesthesia("00099") and not is_anesthesia("02000") and not is_anesthesia("0001F")


def test_the_base_unit_file_installs_by_its_content(shared_cms: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    (info,) = install_from([shared_cms / "ANES2022_BASE"], store)  # the xlsx beside it is skipped
    assert (info.kind, info.dataset_id, info.meta["rows"]) == ("anes_base", "2022", 276)
    base = anes_base.AnesBase(store)
    assert (base.year, base.units("00100"), base.units("00103"), base.units("01967")) == ("2022", 5, 5, 5)
    assert base.units("99213") is None
    other = tmp_path / "other.txt"
    other.write_text("CODE\tDESCRIPTION\n00100\t5\n")
    assert anes_base.recognize(other) is None


def test_code_page_names_base_units_year_and_one_hour(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    from rvucheck.cli.main import main

    # 60 minutes = 4.0 time units: (7 + 4) x 20.4975 = 225.4725 -> $225.47; SF 11 x 22.49 = $247.39
    assert main([f"--data-dir={data_dir}", "code", "00790"]) == 0
    out = capsys.readouterr().out
    assert "Anesthesia: 7 base units (CMS CY2022 base-unit file)" in out
    assert "x the national anesthesia CF 2026 $20.4975: 60 minutes pay $225.47" in out
    assert main([f"--data-dir={data_dir}", "code", "00790", "-l", "01112-05", "--json"]) == 0
    import json

    page = json.loads(capsys.readouterr().out)
    assert (
        page["anesthesia"]["one_hour"] == 247.39
        and page["anesthesia"]["basis"] == "the anesthesia CF of 01112-05"
    )
    assert main([f"--data-dir={data_dir}", "code", "99213", "--json"]) == 0
    assert "anesthesia" not in json.loads(capsys.readouterr().out)
