"""`rvucheck check --engine local`: Parquet and CSV in, Parquet and JSON out, equal to the one-process
check; its errors are one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from tests.scale.months import month_csv

from rvucheck.cli.main import main
from rvucheck.read.charges import read_charges
from rvucheck.session import Session


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """October as a CSV export and as Parquet written from it by pyarrow (the CSV's own headers and types)."""
    work = tmp_path_factory.mktemp("local-cli")
    csv = month_csv(work / "october.csv", 2026, 10, 3000, seed=10)
    table = pcsv.read_csv(csv, convert_options=pcsv.ConvertOptions(strings_can_be_null=True))
    pq.write_table(table, work / "october.parquet", row_group_size=700)  # several row groups
    return {"csv": csv, "parquet": work / "october.parquet", "work": work}


def _run(args: list[str], data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("kind", "workers"), [("parquet", "2"), ("csv", "1")])
def test_local_engine_equals_the_one_process_check(
    kind: str, workers: str, month: dict[str, Path], scale_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = month["work"] / f"out-{kind}"
    args = [str(month[kind]), "--out", str(out), "--workers", workers, "--buckets", "5", "--format", "json"]
    if kind == "csv":
        args += ["--engine", "local"]
    code, stdout, _err = _run(args, scale_data, capsys)
    summary = json.loads(stdout)
    assert sorted(p.name for p in out.iterdir()) == ["findings.parquet", "lines.parquet", "summary.json"]
    assert json.loads((out / "summary.json").read_text()) == summary
    read = read_charges(month["csv"])
    report = Session.open(scale_data).check(read.lines, read.unreadable)
    assert code == 1 and summary["buckets"] == 5 and summary["lines"] == 3000
    assert summary["findings"] == report.counts_by_severity()
    assert [note["message"] for note in summary["notes"]] == list(report.notes)
    assert summary["release"] == report.release and summary["ncci_quarter"] == report.ncci_quarter
    lines = pq.read_table(out / "lines.parquet").sort_by("line_id")
    assert lines.num_rows == 3000
    assert lines.column("payment").to_pylist() == [r.payment for r in report.results]
    found = pq.read_table(out / "findings.parquet").to_pylist()
    # messages name rows: a Parquet file's rows count from 1 at its first line, a CSV's from its header
    text = (lambda f: f.message) if kind == "csv" else (lambda f: "")
    expected = sorted((i, f.rule, text(f)) for i, r in enumerate(report.results) for f in r.findings)
    got = sorted((f["line_id"], f["rule_id"], f["message"] if kind == "csv" else "") for f in found)
    assert got == expected
    rows = {f["line_id"]: f["source_row"] for f in found}
    assert all(row == (i + 2 if kind == "csv" else i + 1) for i, row in rows.items())


def test_an_existing_output_is_not_replaced_without_force(
    month: dict[str, Path], scale_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = month["work"] / "out-twice"
    args = [str(month["parquet"]), "--out", str(out), "--workers", "1"]
    assert _run(args, scale_data, capsys)[0] == 1
    before = (out / "summary.json").stat().st_mtime_ns
    code, _out, err = _run(args, scale_data, capsys)
    assert code == 2 and "already exists; use --force" in err and len(err.strip().splitlines()) == 1
    assert (out / "summary.json").stat().st_mtime_ns == before
    assert _run([*args, "--force"], scale_data, capsys)[0] == 1


def test_unreadable_parquet_rows_are_reported_not_dropped(
    tmp_path: Path, scale_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = pa.table({
        "Patient": ["P1", "P1", "P2", "P3"], "DOS": ["2026-07-15", "2026-07-15", "not a date", "2026-07-16"],
        "CPT": ["99213", "99213", "99214", None], "Units": [1, 1, 1, 1],
    })  # fmt: skip
    pq.write_table(table, tmp_path / "bad.parquet")
    args = [str(tmp_path / "bad.parquet"), "--out", str(tmp_path / "o"), "--format", "json"]
    code, stdout, _err = _run(args, scale_data, capsys)
    summary = json.loads(stdout)
    assert code == 1 and summary["checked"] == 2 and summary["unreadable"] == 2
    reasons = {row["row"]: row["reason"] for row in summary["unreadable_rows"]}
    assert reasons[3].startswith("date of service in bad.parquet!B3") and "no procedure code" in reasons[4]
    found = pq.read_table(tmp_path / "o" / "findings.parquet").to_pylist()
    assert [(f["line_id"], f["rule_id"]) for f in found if f["rule_id"] == "LN01"] == [(1, "LN01")]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("out-is-a-file", "is a file; the local engine writes a folder"),
        ("not-a-file", "not a file"),
        ("folder-of-other-files", "good.parquet is not an 837P file; the local engine reads a folder"),
        ("no-code-column", "no procedure code column"),
        ("not-parquet", "not a readable Parquet file"),
        ("bad-map", "--map names column 'Nope'"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    case: str, expected: str, tmp_path: Path, scale_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"CPT": ["99213"], "DOS": ["2026-07-15"]}), good)
    args = [str(good), "--out", str(tmp_path / "o")]
    if case == "out-is-a-file":
        (tmp_path / "taken").write_text("x")
        args = [str(good), "--out", str(tmp_path / "taken")]
    elif case == "not-a-file":
        args = [str(tmp_path / "missing"), "--engine", "local", "--out", str(tmp_path / "o")]
    elif case == "folder-of-other-files":
        args = [str(tmp_path), "--engine", "local", "--out", str(tmp_path / "o")]
    elif case == "no-code-column":
        pq.write_table(pa.table({"Patient": ["P1"], "DOS": ["2026-07-15"]}), good)
    elif case == "not-parquet":
        good.write_text("Patient,CPT\nP1,99213\n")
    elif case == "bad-map":
        args += ["--map", "hcpcs=Nope"]
    code, _out, err = _run(args, scale_data, capsys)
    assert code == 2
    assert expected in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "o" / "summary.json").exists()
