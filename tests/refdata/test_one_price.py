"""One pricing function (refdata/pricing/price.py) for every face: the same anesthesia line, Part B drug line
and status-A surgical line pay the same amount, to the cent, from the rules engine, from `rvucheck code
... --units N --json` and from the Excel function RVU_PAYMENT (its Python function, as classic xlwings
calls it), on the real installed CMS data (RVU26C national CF 33.4009, ANES2022_BASE base units, the 2026
national anesthesia CF 20.4975 of RVU26A/releases.toml, ASP 2025Q4 payment limits). A line no face should
price (anesthesia without time, units above 9,999) is priced by none, and stays out of the totals.

Published worked examples, recomputed on the 2026 data:
- Anesthesia, ASA "Anesthesia Payment Basics Series #3" (asahq.org, Aug. 2019, rev. Dec. 2022): total knee
  arthroplasty 27447 -> anesthesia 01402, 7 base units, 129 minutes = 8.6 time units (Medicare: to one
  decimal), 15.6 units x CF. On 2026 data: 01402 has 7 base units in CMS's CY2022 file; 15.6 x 20.4975 =
  319.761 -> $319.76; medically directed (QK/QX, Claims Processing Manual ch. 12 s. 50.C): 50 % = 159.8805
  -> $159.88.
- Anesthesia time, First Coast Service Options (MAC) "How anesthesia reimbursement is calculated" and
  Palmetto GBA "Anesthesia: Base & Time Units": 17 minutes reported as '0017' in the units field = 17 / 15
  time units (they print 1.13); CMS rounds to one decimal (ch. 12 s. 50.G): 1.1. 00400 (3 base units), 17
  minutes: (3 + 1.1) x 20.4975 = 84.03975 -> $84.04.
- Part B drug, CMS's JW example (MLN Matters MM6711 / Claims Processing Manual ch. 17 s. 40, as First Coast
  restates it): a single-use vial of 100 units, 95 administered on one line and 5 discarded on a second line
  with JW, both paid. With J0585 (onabotulinumtoxinA, 1 unit, ASP 2025Q4 limit $6.497 = ASP + 6 %):
  95 x 6.497 = 617.215 -> $617.22 and 5 x 6.497 = 32.485 -> $32.49 (each line rounded: $649.71 for the
  two, where the whole vial at once would be $649.70).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from rvucheck.cli.main import main
from rvucheck.engine import runner as engine
from rvucheck.excel import udfs
from rvucheck.model import CellRef, ChargeLine
from rvucheck.refdata.pricing.price import MAX_UNITS, price
from rvucheck.report.summary import summarize
from rvucheck.rules.cases import case_line
from rvucheck.rules.ruleset import Ruleset, load_all, select_rules
from rvucheck.settings import Settings

DAY = dt.date(2026, 7, 15)
IN_ASP_QUARTER = dt.date(2025, 11, 3)  # ASP 2025Q4: October 1 to December 31, 2025
ANES_CF = Decimal("20.4975")  # national non-QPP 2026 anesthesia CF (RVU26A ANES2026 header)


def cents(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def udf_data(data_dir: Path) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RVUCHECK_DATA", str(data_dir))
        yield data_dir


def engine_payments(ref: Any, raw: list[dict[str, Any]], **settings: Any) -> list[float | None]:
    lines = [case_line({"patient": f"P{i}", **r}, "Charges", i) for i, r in enumerate(raw)]
    report = engine.run(lines, ref, Ruleset(()), Settings(**settings))
    return [r.payment for r in report.results]


def code_json(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> dict[str, Any]:
    assert main([f"--data-dir={data_dir}", "code", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def pprrvu_row(shared_cms: Path, hcpcs: str) -> list[str]:
    """The real 2026 July row, read with the csv module (independent of the importer)."""
    with (shared_cms / "RVU26C" / "PPRRVU2026_Jul_nonQPP.csv").open(newline="", encoding="latin-1") as f:
        return next(row for row in csv.reader(f) if row and row[0] == hcpcs and row[1] == "")


@pytest.mark.usefixtures("udf_data")
def test_an_anesthesia_line_pays_alike_on_every_face(
    ref: Any, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 00790 (7 base units), 120 minutes = 8.0 time units: (7 + 8.0) x 20.4975 = 307.4625 -> $307.46
    expected = cents((7 + Decimal(8)) * ANES_CF)
    assert expected == 307.46
    (from_engine,) = engine_payments(ref, [{"hcpcs": "00790", "units": 120, "dos": DAY.isoformat()}])
    page = code_json(capsys, data_dir, "00790", "--units", "120", "--date", DAY.isoformat())
    from_udf = udfs.RVU_PAYMENT("00790", None, None, 22, DAY, None, 120)
    assert from_engine == page["adjusted"]["payment"] == from_udf == expected
    assert page["adjusted"]["basis"] == "anesthesia" and page["adjusted"]["units"] == 120
    # medically directed (QK): half; San Francisco's anesthesia CF 22.49: 15 x 22.49 = $337.35
    (directed,) = engine_payments(ref, [{"hcpcs": "00790", "modifiers": ["QK"], "units": 120}])
    assert directed == udfs.RVU_PAYMENT("00790", "QK", None, None, None, None, 120) == 153.73
    (local,) = engine_payments(ref, [{"hcpcs": "00790", "units": 120}], locality="01112-05")
    assert local == udfs.RVU_PAYMENT("00790", None, "01112-05", None, None, None, 120) == 337.35


@pytest.mark.usefixtures("udf_data")
def test_a_drug_line_pays_alike_on_every_face(
    ref: Any, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # J9035 bevacizumab, 10 mg billing unit, ASP 2025Q4 limit $73.201: 40 units = $2,928.04
    expected = cents(Decimal("73.201") * 40)
    assert expected == 2928.04
    (from_engine,) = engine_payments(
        ref, [{"hcpcs": "J9035", "units": 40, "dos": IN_ASP_QUARTER.isoformat()}]
    )
    page = code_json(capsys, data_dir, "J9035", "--units", "40", "--date", IN_ASP_QUARTER.isoformat())
    from_udf = udfs.RVU_PAYMENT("J9035", None, None, 11, IN_ASP_QUARTER, None, 40)
    assert from_engine == page["adjusted"]["payment"] == from_udf == expected
    assert page["adjusted"]["basis"] == "ASP" and "non_participating" not in page["adjusted"]
    assert not any("outside" in step for step in page["adjusted"]["explanation"])
    # a 2026 date: the same limit, said to be from another quarter
    stale = price(ref, "J9035", (), 40, on=DAY)
    assert stale.amount == expected and stale.stale == "ASP 2025Q4"


@pytest.mark.usefixtures("udf_data")
def test_a_surgical_line_pays_alike_on_every_face(
    ref: Any, data_dir: Path, shared_cms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = pprrvu_row(shared_cms, "27447")  # status A, facility total RVU 34.71 (column 13)
    assert (row[3], row[12]) == ("A", "34.71")
    expected = cents(Decimal(row[12]) * Decimal(row[25]))  # 34.71 x 33.4009 = 1159.345... -> $1,159.35
    assert expected == 1159.35
    (from_engine,) = engine_payments(ref, [{"hcpcs": "27447", "pos": "22", "dos": DAY.isoformat()}])
    page = code_json(capsys, data_dir, "27447", "--units", "1", "--pos", "22", "--date", DAY.isoformat())
    from_udf = udfs.RVU_PAYMENT("27447", None, None, 22, DAY)
    assert from_engine == page["adjusted"]["payment"] == from_udf == expected
    assert page["adjusted"]["basis"] == "fee schedule"


def test_the_published_worked_examples_on_2026_data(ref: Any) -> None:
    # ASA: 01402, 129 minutes: (7 + 8.6) x 20.4975 = $319.76; medically directed $159.88
    knee = engine_payments(
        ref,
        [
            {"hcpcs": "01402", "modifiers": ["AA"], "units": 129},
            {"hcpcs": "01402", "modifiers": ["QK"], "units": 129},
            {"hcpcs": "00400", "modifiers": ["QZ"], "units": 17},  # First Coast / Palmetto: 17 minutes
        ],
    )
    assert knee == [cents((7 + Decimal("8.6")) * ANES_CF), 159.88, cents((3 + Decimal("1.1")) * ANES_CF)]
    assert knee == [319.76, 159.88, 84.04]
    # CMS's JW example on J0585 at ASP 2025Q4: 95 administered + 5 discarded (JW), both paid
    vial = engine_payments(
        ref,
        [
            {"hcpcs": "J0585", "modifiers": [], "units": 95, "dos": IN_ASP_QUARTER.isoformat()},
            {"hcpcs": "J0585", "modifiers": ["JW"], "units": 5, "dos": IN_ASP_QUARTER.isoformat()},
        ],
    )
    # each line is rounded to the cent: $649.71 for the two lines, where the whole vial at once is $649.70
    assert vial == [617.22, 32.49] and cents(Decimal("6.497") * 100) == 649.70


def test_01996_pays_base_units_only_and_ad_needs_no_time(ref: Any) -> None:
    # Claims Processing Manual ch. 12 s. 50.G: no time units for 01995 / 01996; AD: 3 base units
    paid = engine_payments(
        ref, [{"hcpcs": "01996", "units": 1}, {"hcpcs": "00790", "modifiers": ["AD"], "units": 1}]
    )
    assert paid == [cents(3 * ANES_CF), cents(3 * ANES_CF)] == [61.49, 61.49]


@pytest.mark.usefixtures("udf_data")
def test_anesthesia_without_time_is_priced_by_no_face(
    ref: Any, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"hcpcs": "00790", "units": 1},
        {"hcpcs": "00790", "units": 0},
        {"hcpcs": "00790", "units": 1441},
    ]
    assert engine_payments(ref, lines) == [None, None, None]
    page = code_json(capsys, data_dir, "00790")  # no --units: the page shows the code, no line
    assert "adjusted" not in page and page["anesthesia"]["one_hour"] == 225.47
    blank = code_json(capsys, data_dir, "00790", "--units", "1")
    assert blank["adjusted"]["payment"] is None and blank["adjusted"]["basis"] == "not priced"
    assert blank["adjusted"]["explanation"][0].startswith("not priced: anesthesia time not reported")
    cell = udfs.RVU_PAYMENT("00790")
    assert isinstance(cell, str) and cell.startswith("rvucheck: not priced: anesthesia time not reported")
    assert udfs.RVU_PAYMENT("00790", None, None, None, None, None, 1441).startswith(
        "rvucheck: not priced: anesthesia time implausible: 1,441 minutes"
    )


def test_units_above_the_limit_are_not_priced_nor_totalled(ref: Any) -> None:
    raw = [
        {"hcpcs": "99213", "units": 1, "pos": "11"},
        {"hcpcs": "99213", "units": 1_000_000_000, "pos": "11", "patient": "P9"},
        {"hcpcs": "99213", "units": MAX_UNITS, "pos": "11", "patient": "P8"},
    ]
    lines = [
        case_line({"patient": f"P{i}", "dos": DAY.isoformat(), **r}, "Charges", i) for i, r in enumerate(raw)
    ]
    report = engine.run(lines, ref, select_rules(load_all(), Settings(select=("LN09",))), Settings())
    one, typo, most = report.results
    assert one.payment == 95.19 and most.payment == round(95.19 * MAX_UNITS, 2)
    assert typo.payment is None and typo.work_rvu is None and typo.credited_work_rvu is None
    assert typo.basis.startswith("not priced: 1,000,000,000 units is more than 9,999 on one line (LN09)")
    assert [f.rule for f in typo.findings] == ["LN09"]
    totals = summarize(report)
    assert totals.payment == round(95.19 + 95.19 * MAX_UNITS, 2)  # the typo line adds nothing
    assert totals.work_rvu == round(1.30 + 1.30 * MAX_UNITS, 2)
    # without the typo line the totals are the same
    clean = engine.run([lines[0], lines[2]], ref, Ruleset(()), Settings())
    assert summarize(clean).payment == totals.payment
    assert price(ref, "99213", (), MAX_UNITS + 1, on=DAY).amount is None


def test_an01_names_a_missing_units_column(ref: Any) -> None:
    # a real export's lines carry the columns the reader mapped: no units column -> every line's units are 1
    columns = (("hcpcs", 1), ("dos", 2), ("patient", 3))
    line = ChargeLine(CellRef("Charges", 2, 1), "00790", ("AA",), 1.0, DAY, patient="P1", columns=columns)
    mapped = ChargeLine(
        CellRef("Charges", 3, 1), "00790", ("AA",), 1.0, DAY, patient="P2", columns=(*columns, ("units", 4))
    )
    ruleset = select_rules(load_all(), Settings(select=("AN",)))
    report = engine.run([line, mapped], ref, ruleset, Settings())
    messages = [f.message for r in report.results for f in r.findings]
    assert len(messages) == 2 and all(m.startswith("00790: anesthesia time not reported") for m in messages)
    assert "the export has no units column" in messages[0]
    assert "the units cell is blank or 1" in messages[1]
    assert [r.payment for r in report.results] == [None, None]
