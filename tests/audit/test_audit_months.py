"""An audit keeps to its month (issue 10, item 5): lines of other months are reported, never counted or
stored; a multi-month export without --month names its months and asks for one, or --each-month audits
each in turn; a --release that is not installed stops the run. Synthetic months, real CMS data, a data dir
with its own empty history per test."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from rvucheck.audit.history import HISTORY_FILE, HistoryStore
from rvucheck.audit.result import AuditResult, OutsideMonth
from rvucheck.audit.run import split_month
from rvucheck.cli.main import main
from rvucheck.model import CellRef, ChargeLine
from rvucheck.testing.synthetic.month import generate_month
from rvucheck.testing.synthetic.write import write_csv

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "sample-charges-2026-10.xlsx"
THIRTEEN = [(2025, m) for m in range(10, 13)] + [(2026, m) for m in range(1, 11)]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("audit-months")
    write_csv(
        generate_month(2026, 7, 60, seed=7) + generate_month(2026, 8, 200, seed=8), work / "jul-aug.csv"
    )
    write_csv(generate_month(2026, 7, 30, seed=17), work / "jul.csv")
    write_csv(generate_month(2026, 8, 40, seed=18), work / "aug.csv")
    lines = [line for year, month in THIRTEEN for line in generate_month(year, month, 15, seed=month)]
    write_csv(lines, work / "thirteen.csv")
    return work


@pytest.fixture
def data(data_dir: Path, tmp_path: Path) -> Path:
    """The installed reference data (symlinked) with an empty history of its own."""
    data = tmp_path / "data"
    data.mkdir()
    for item in data_dir.glob("*.sqlite"):
        if item.name == "catalog.sqlite":
            shutil.copyfile(item, data / item.name)
        elif item.name != HISTORY_FILE:
            (data / item.name).symlink_to(item.resolve())
    return data


def _audit(data: Path, export: Path, *options: str) -> int:
    return main([f"--data-dir={data}", "audit", str(export), "--sample-size", "0", *options])


def _stored(data: Path) -> list[tuple[str, int]]:
    return [(m.month, m.line_count) for m in HistoryStore(data).months()]


def test_month_counts_and_stores_only_its_own_lines(
    exports: Path, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "aug.json"
    assert _audit(data, exports / "jul-aug.csv", "--month", "2026-08", "--json", str(out)) == 0
    printed = capsys.readouterr().out
    result = json.loads(out.read_text())
    assert len(result["check"]["lines"]) == 200
    assert _stored(data) == [("2026-08", 200)]  # on main: 260 lines stored as August
    july = result["outside_month"]
    assert [(o["month"], o["lines"]) for o in july] == [("2026-07", 60)]
    assert july[0]["first"].startswith("2026-07-") and july[0]["last"].startswith("2026-07-")
    assert "60 lines outside 2026-08 not audited (neither counted nor stored): 2026-07: 60 lines" in printed
    assert sum(p["lines"] for p in result["providers"]) == 200


def test_a_multi_month_export_without_month_names_its_months(
    exports: Path, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _audit(data, exports / "thirteen.csv") == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "dates of service in 13 months: 2025-10 (15 lines), 2025-11 (15 lines)," in err
    assert "2026-10 (15 lines); give the month to audit with --month YYYY-MM" in err
    assert "--each-month" in err
    assert _stored(data) == []  # nothing stored


def test_two_exports_of_two_months_are_both_named(
    exports: Path, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([f"--data-dir={data}", "audit", str(exports / "jul.csv"), str(exports / "aug.csv")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err == (
        "rvucheck: the 2 exports (jul.csv, aug.csv): dates of service in 2 months: 2026-07 (30 lines), "
        "2026-08 (40 lines); give the month to audit with --month YYYY-MM, or audit each month in turn with "
        "--each-month"
    )
    assert _stored(data) == []
    main([f"--data-dir={data}", "audit", str(exports / "jul.csv"), str(exports / "aug.csv"), "--each-month"])
    assert _stored(data) == [("2026-07", 30), ("2026-08", 40)]


def test_each_month_audits_and_stores_every_month_in_turn(
    exports: Path, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit.json"
    assert _audit(data, exports / "thirteen.csv", "--each-month", "--json", str(out)) == 0
    months = [f"{y}-{m:02d}" for y, m in THIRTEEN]
    assert _stored(data) == [(m, 15) for m in months]  # on main: one month of 195 lines
    assert sorted(p.name for p in tmp_path.glob("audit-*.json")) == [f"audit-{m}.json" for m in months]
    assert not out.exists()
    last = json.loads((tmp_path / "audit-2026-10.json").read_text())
    assert last["month"] == "2026-10" and last["previous_months"] == months[:-1]
    assert len(last["check"]["lines"]) == 15 and last["outside_month"] == []
    printed = capsys.readouterr().out
    assert printed.count("audit 20") == 13 and "not audited" not in printed


def test_a_month_without_lines_stops_before_anything_is_stored(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _audit(data, SAMPLE, "--month", "2026-09") == 2
    err = capsys.readouterr().err
    assert "no line is dated in 2026-09 (the dates of service are in 2026-10)" in err
    assert _stored(data) == []


def test_month_and_each_month_together_are_refused(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _audit(data, SAMPLE, "--month", "2026-10", "--each-month") == 2
    assert "--month and --each-month: give one of them" in capsys.readouterr().err


def test_the_sample_month_is_one_month(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "oct.json"
    assert _audit(data, SAMPLE, "--json", str(out)) == 0
    assert json.loads(out.read_text())["outside_month"] == []
    assert _stored(data) == [("2026-10", 2000)]


def test_a_release_that_is_not_installed_stops_the_audit(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "oct.json"
    assert _audit(data, SAMPLE, "--release", "RVU24A", "--json", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rvucheck: release RVU24A: its RVU file is not installed")
    assert "(fee schedules installed: RVU26C, RVU25D)" in err and "\n" not in err
    assert not out.exists() and _stored(data) == []  # on main: 2,000 lines at $0 stored


def _line(row: int, dos: dt.date | None) -> ChargeLine:
    return ChargeLine(CellRef("Charges", row), "99213", dos=dos, patient="P1")


def test_split_month_keeps_undated_lines_with_the_month_and_sums_the_others() -> None:
    lines = [
        _line(2, dt.date(2026, 8, 3)),
        _line(3, dt.date(2026, 7, 31)),
        _line(4, None),
        _line(5, dt.date(2026, 7, 2)),
        _line(6, dt.date(2026, 9, 1)),
    ]
    kept, outside = split_month(lines, "2026-08")
    assert [ln.source.row for ln in kept] == [2, 4]
    assert outside == (
        OutsideMonth("2026-07", 2, dt.date(2026, 7, 2), dt.date(2026, 7, 31)),
        OutsideMonth("2026-09", 1, dt.date(2026, 9, 1), dt.date(2026, 9, 1)),
    )
    assert [ln.source.row for ln in split_month(lines, "2026-08", keep_undated=False)[0]] == [2]


def test_outside_note_reads_as_one_line() -> None:
    fields: dict[str, Any] = dict.fromkeys(AuditResult.__dataclass_fields__)
    july = OutsideMonth("2026-07", 1, dt.date(2026, 7, 31), dt.date(2026, 7, 31))
    fields.update(month="2026-08", outside_month=(july,))
    assert AuditResult(**fields).outside_note == (
        "1 line outside 2026-08 not audited (neither counted nor stored): 2026-07: 1 line, "
        "2026-07-31 to 2026-07-31"
    )
    fields.update(outside_month=())
    assert AuditResult(**fields).outside_note is None
