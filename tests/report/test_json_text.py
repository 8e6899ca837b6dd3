"""The one-pass JSON text (`check --no-annotate --format json`) is json.dumps of the JSON object, character
for character, whatever the values: hand-built reports with the values a month rarely holds."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from rvucheck.model import CellRef, ChargeLine, Finding, LineResult, Report, UnreadableLine
from rvucheck.report.formats import summarize, to_json_obj, to_json_text


def _report(units: object = 1.0, payment: object = 95.19, reduction: object = None) -> Report:
    """Made-up lines on two sheets, out of order, with an unreadable row between them."""
    first = ChargeLine(CellRef("Sheet B", 7, 5), "99213", ("25", "59"), units, payer="Medicare")  # type: ignore[arg-type]
    second = ChargeLine(CellRef("Sheet A", 9, 5), "20610", (), 2, payer='Aetna "PPO", \u00e9')
    third = ChargeLine(CellRef("Sheet B", 8, 5), "J3301", ("RT",), 1.0, payer="")
    finding = Finding("GS01", "error", 'modifier "25", missing\n\u2014 see note', first.source)
    unreadable = UnreadableLine(CellRef("Sheet B", 10, 5), "no procedure code in E10")
    rd01 = Finding("RD01", "error", "row 10 could not be read: no procedure code in E10", unreadable.source)
    return Report(
        results=(
            LineResult(first, 1.3, 1.3, 2.85, payment, "XXX", "A", "RVU26C", (finding,), 1, reduction, "MP"),  # type: ignore[arg-type]
            LineResult(second, 0.77, 0.77, 2.06, 68.81, "000", "A", "RVU26C"),
            LineResult(third, None, None, None, None, "", "", ""),
        ),
        unreadable=(unreadable,),
        run_findings=(rd01, Finding("RD02", "warning", "stale NCCI", first.source)),
        release="RVU26C",
    )


@pytest.mark.parametrize(
    ("units", "payment", "reduction"),
    [
        (1.0, 95.19, None),
        (1, 95.19, 0.0),  # an int where floats are usual: written as json writes an int
        (-0.0, 1e-07, -0.0),  # signed zero and exponents
        (float("nan"), 95.19, float("-inf")),  # json's NaN / -Infinity
        (True, 0.1, 12345678901234567890),
        ("3, 4", 95.19, None),  # a text among the numbers: the plain way, same text
    ],
)
def test_text_is_json_dumps_of_the_object(units: object, payment: object, reduction: object) -> None:
    report = _report(units, payment, reduction)
    summary = summarize(_report())  # the figures of ordinary values (summing a text fails)
    text = to_json_text(report, summary)
    assert text == json.dumps(to_json_obj(report, summary), default=str)
    assert [(line["sheet"], line["row"]) for line in json.loads(text)["lines"]] == [
        ("Sheet A", 9), ("Sheet B", 7), ("Sheet B", 8), ("Sheet B", 10)
    ]  # fmt: skip


def test_payment_basis_and_empty_report() -> None:
    report = _report()
    summary = summarize(report)
    run = {"payers": True, "medicare_payers": ["Medicare"]}
    summary = replace(summary, extra={**summary.extra, "run": run})
    text = to_json_text(report, summary)
    assert text == json.dumps(to_json_obj(report, summary), default=str)
    bases = [line.get("payment_basis") for line in json.loads(text)["lines"]]
    assert bases == [
        "medicare_reference_rate",
        "medicare_fee_schedule",
        "medicare_fee_schedule_payer_unknown",
        None,
    ]
    empty = Report(results=(), unreadable=(), run_findings=())
    assert to_json_text(empty, summarize(empty)) == json.dumps(
        to_json_obj(empty, summarize(empty)), default=str
    )
    assert json.loads(to_json_text(empty, summarize(empty)))["lines"] == []


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_lines_encoded_by_chunks_give_the_same_text(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from rvucheck.report import csv_json

    monkeypatch.setattr(csv_json, "_CHUNK", chunk)
    summary = summarize(_report())
    for report in (_report(), _report(units="3, 4")):  # and a text among the numbers
        assert to_json_text(report, summary) == json.dumps(to_json_obj(report, summary), default=str)
