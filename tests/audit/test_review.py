"""`rvucheck audit --reviewed`: the filled-in review sample read back into accuracy per provider and the
direction of the errors (console, JSON, a sheet)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rvucheck.audit.result import AuditResult
from rvucheck.audit.review import read_reviewed
from rvucheck.audit.workbook import write_workbook
from rvucheck.cli.main import main

ANSWERS = ("correct", "over-coded", "correct", "correct", "under-coded", "over-coded", "", "other error")


def _filled(audit: AuditResult, path: Path) -> Path:
    write_workbook(audit, path)
    book = load_workbook(path)
    ws = book["Review sample"]
    heads = [c.value for c in ws[1]]
    for row, answer in enumerate(ANSWERS, start=2):
        ws.cell(row, heads.index("Reviewer") + 1).value = "JS"
        ws.cell(row, heads.index("Result") + 1).value = answer or None
    book.save(path)
    return path


def test_accuracy_per_provider_and_direction(audits: tuple[AuditResult, AuditResult], tmp_path: Path) -> None:
    path = _filled(audits[1], tmp_path / "audit.xlsx")
    outcome = read_reviewed(path)
    providers = [c.value for c in load_workbook(path)["Review sample"]["B"][1:9]]
    by_name = {p.provider: p for p in outcome.providers}
    expected: dict[str, list[str]] = {}
    for name, answer in zip(providers, ANSWERS, strict=True):
        if answer:
            expected.setdefault(name, []).append(answer)
    assert {n: p.reviewed for n, p in by_name.items()} == {n: len(a) for n, a in expected.items()}
    for name, answers in expected.items():
        p = by_name[name]
        assert (p.correct, p.over, p.under) == tuple(
            answers.count(a) for a in ("correct", "over-coded", "under-coded")
        )
    total = outcome.total
    assert (total.reviewed, total.correct, total.over, total.under, total.other) == (7, 3, 2, 1, 1)
    assert total.accuracy == pytest.approx(3 / 7) and total.direction == "over-coding"
    assert outcome.not_reviewed == 1


def test_cli_prints_and_writes_json_and_a_sheet(
    audits: tuple[AuditResult, AuditResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _filled(audits[1], tmp_path / "audit.xlsx")
    out, js = tmp_path / "review.xlsx", tmp_path / "review.json"
    assert main(["audit", "--reviewed", str(path), "--json", str(js), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "review of audit.xlsx: 7 reviewed, 1 not yet" in said
    assert (
        "All providers: accuracy 43% (3/7); 2 over-coded, 1 under-coded, 1 other; direction: over-coding"
        in said
    )
    data = json.loads(js.read_text())
    assert data["total"]["accuracy"] == round(3 / 7, 4) and data["total"]["direction"] == "over-coding"
    sheet = load_workbook(out)["Review results"]
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[:4] == ["All providers", 7, 3, pytest.approx(3 / 7)] and sheet["D2"].number_format == "0.0%"


def test_a_wrong_result_or_file_is_one_line(
    audits: tuple[AuditResult, AuditResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _filled(audits[1], tmp_path / "audit.xlsx")
    book = load_workbook(path)
    book["Review sample"]["K3"] = "maybe"
    book.save(path)
    assert main(["audit", "--reviewed", str(path)]) == 2
    assert (
        "row 3: Result must be one of correct, over-coded, under-coded, other error"
        in capsys.readouterr().err
    )
    del book["Review sample"]
    book.save(path)
    assert main(["audit", "--reviewed", str(path)]) == 2
    assert "has no 'Review sample' sheet" in capsys.readouterr().err
    assert main(["audit", "--reviewed", str(path), str(path)]) == 2
