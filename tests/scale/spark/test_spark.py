"""`--engine spark` on Spark local[2]: about 20,000 synthetic lines give the single-process findings exactly,
line by line, and the same figures and run notes; a Parquet copy of the month gives the same; unreadable
rows are reported as the reader reports them. Spark starts once for the module (conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from tests.scale.months import month_csv

from rvucheck.batch.figures import bucket_sums
from rvucheck.batch.spark import SparkJob, run_spark
from rvucheck.errors import OutputError, RvucheckError
from rvucheck.model import Report
from rvucheck.read.charges import ReadResult
from rvucheck.session import GLOBAL_EM_KINDS, NEW_PATIENT_KINDS, Session
from rvucheck.settings import Settings

pytestmark = pytest.mark.spark
SETTINGS = Settings(today=dt.date(2026, 12, 7))
LINES = 20_000
Month = tuple[Path, ReadResult, Report]


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Month:
    csv = month_csv(tmp_path_factory.mktemp("spark-month") / "charges-2026-10.csv", 2026, 10, LINES, seed=14)
    session = Session.open(data_dir, SETTINGS)
    read = session.read(csv)
    return csv, read, session.check(read.lines, read.unreadable)


@pytest.fixture(scope="module")
def csv_run(spark: Any, month: Month, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("spark-out") / "csv"
    return out, run_spark(SparkJob((str(month[0]),), out, SETTINGS, data_dir, partitions=4), spark)


def _single(report: Report) -> list[tuple[Any, ...]]:
    return sorted(
        (f.source.row, f.rule, f.severity, f.message, f.dollars_at_stake)
        for result in report.results
        for f in result.findings
    )


def _spark(out: Path) -> list[tuple[Any, ...]]:
    rows = pq.read_table(out / "findings").to_pylist()
    return sorted(
        (r["source_row"], r["rule_id"], r["severity"], r["message"], r["dollars_at_stake"]) for r in rows
    )


def test_the_months_findings_equal_one_process_line_by_line(month: Month, csv_run: Any) -> None:
    _csv, read, report = month
    out, summary = csv_run
    single = _single(report)
    assert len(read.lines) == LINES and len(single) > 1000  # a month with problems to find
    assert {rule for _row, rule, *_rest in single} >= {"LN01", "GS01", "BL01"}
    assert _spark(out) == single
    assert summary["checked"] == LINES and summary["unreadable"] == 0


def test_line_results_equal_one_process(month: Month, csv_run: Any) -> None:
    _csv, read, report = month
    out, _summary = csv_run
    lines = sorted(pq.read_table(out / "lines").to_pylist(), key=lambda r: r["line_id"])
    assert [r["line_id"] for r in lines] == list(range(LINES))
    expected = [
        (line.source.row, line.hcpcs, result.payment, result.work_rvu, result.rank, len(result.findings))
        for line, result in zip(read.lines, report.results, strict=True)
    ]
    got = [
        (r["source_row"], r["hcpcs"], r["payment"], r["work_rvu"], r["rank"], r["findings"]) for r in lines
    ]
    assert got == expected
    assert "patient_key" not in lines[0]  # lines/ keeps row references and the service, not the patient


def test_summary_figures_and_notes_equal_one_process(month: Month, csv_run: Any, data_dir: Path) -> None:
    _csv, _read, report = month
    out, summary = csv_run
    assert summary["notes"] == [
        {"rule": f.rule, "severity": f.severity, "message": f.message} for f in report.run_findings
    ]
    assert summary["findings"] == report.counts_by_severity()
    assert summary["release"] == report.release and summary["ncci_quarter"] == report.ncci_quarter
    session = Session.open(data_dir, SETTINGS)
    ids = list(range(len(report.results)))
    sums = bucket_sums(
        report.results, ids, 0, session.rule_ids(GLOBAL_EM_KINDS), session.rule_ids(NEW_PATIENT_KINDS)
    )
    assert summary["providers"] == sums.provider_list() and len(summary["providers"]) > 3
    assert summary["engine"] == "spark" and summary["master"] == "local[2]"
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("spark"))
    assert written == ["findings", "lines", "summary.json"]  # no unreadable/ folder: every row was read


def test_a_parquet_copy_gives_the_same_findings(
    spark: Any, month: Month, data_dir: Path, tmp_path: Path
) -> None:
    """The month's CSV cells as a Parquet table of text columns (as a warehouse export holds them), read
    the way --engine local reads Parquet: line i of the file is line i of the CSV."""
    csv, _read, report = month
    names = pacsv.read_csv(csv).column_names
    table = pacsv.read_csv(
        csv, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    )
    pq.write_table(table.slice(0, 5000), tmp_path / "charges.parquet", row_group_size=1000)
    out = tmp_path / "out"
    summary = run_spark(
        SparkJob((str(tmp_path / "charges.parquet"),), out, SETTINGS, data_dir, partitions=3), spark
    )
    expected_session = Session.open(data_dir, SETTINGS)
    head = expected_session.read(csv)
    head_report = expected_session.check(head.lines[:5000])
    expected = sorted(
        (i, f.rule, f.severity, _rowless(f.message))
        for i, result in enumerate(head_report.results)
        for f in result.findings
    )
    got = sorted(
        (r["line_id"], r["rule_id"], r["severity"], _rowless(r["message"]))
        for r in pq.read_table(out / "findings").to_pylist()
    )
    assert got == expected and summary["checked"] == 5000 and summary["kind"] == "parquet"
    assert len(report.results) == LINES


def _rowless(message: str) -> str:
    """A message without its row references: a Parquet file's rows count from 1 (line_id + 1), a CSV's
    from its header (batch.arrow_in)."""
    return re.sub(r"\brows? [\d, and]+", "row N", message)


def test_unreadable_rows_are_reported_as_the_reader_reports_them(
    spark: Any, data_dir: Path, tmp_path: Path
) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "Patient,DOS,CPT,Mod,Units,Dx\n"
        "P1,2026-07-15,99213,,1,M25.561\n"
        "P1,2026-13-45,99213,,1,M25.561\n"
        "P2,2026-07-16,,,1,M25.561\n"
        "Total,,,,3,\n"
        "P2,2026-07-16,99214,,1,M25.561\n",
        encoding="utf-8",
    )
    session = Session.open(data_dir, SETTINGS)
    read = session.read(csv)
    summary = run_spark(SparkJob((str(csv),), tmp_path / "out", SETTINGS, data_dir, partitions=2), spark)
    expected = [{"row": u.source.row, "reason": u.reason} for u in read.unreadable]
    assert len(expected) == 2 and summary["unreadable_rows"] == expected
    assert summary["checked"] == len(read.lines) == 2 and summary["lines"] == 4
    unreadable = pq.read_table(tmp_path / "out" / "unreadable").to_pylist()
    assert sorted(r["source_row"] for r in unreadable) == [3, 4]


def test_an_existing_output_is_not_replaced_without_force(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "out" / "findings").mkdir(parents=True)
    job = SparkJob(("charges.csv",), tmp_path / "out", SETTINGS, data_dir)
    with pytest.raises(OutputError, match="already holds findings: give another --out, or --force"):
        run_spark(job, spark)


def test_a_folder_that_only_looks_like_a_delta_table_says_so(
    spark: Any, data_dir: Path, tmp_path: Path
) -> None:
    """No Delta Lake in this Spark: the table is read through its log (batch.delta), and this one has none."""
    table = tmp_path / "charges"
    (table / "_delta_log").mkdir(parents=True)
    pq.write_table(pa.table({"CPT": ["99213"]}), table / "part-0.parquet")
    with pytest.raises(
        RvucheckError, match=r"charges: not a readable Delta table \(\w+\); check its _delta_log"
    ):
        run_spark(SparkJob((str(table),), tmp_path / "out", SETTINGS, data_dir), spark)


def test_a_missing_input_is_named(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(RvucheckError, match=r"nowhere\.parquet: no such file or folder"):
        run_spark(SparkJob((str(tmp_path / "nowhere.parquet"),), tmp_path / "out", SETTINGS, data_dir), spark)


def test_files_split_into_partitions_keep_file_and_row_order(
    spark: Any, month: Month, data_dir: Path, tmp_path: Path
) -> None:
    """Two CSV files, asked to be split into 32 KB partitions: line ids follow the files in the order given
    and the rows in each file (the counting pass), and the two are checked as one input. (Run alone, Spark
    splits each file in 5; in the whole suite it once read each whole: the two files need the counting pass
    all the same, so the test does not depend on the split.)"""
    csv, _read, _report = month
    header, *rows = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "part-a.csv", tmp_path / "part-b.csv"
    first.write_text(header + "".join(rows[:1500]), encoding="utf-8")
    second.write_text(header + "".join(rows[1500:3000]), encoding="utf-8")
    session = Session.open(data_dir, SETTINGS)
    reads = [session.read(first), session.read(second)]
    report = session.check([*reads[0].lines, *reads[1].lines])
    expected = sorted(
        (f.source.sheet, f.source.row, f.rule, f.message)
        for result in report.results
        for f in result.findings
    )
    spark.conf.set("spark.sql.files.maxPartitionBytes", "32k")
    try:
        job = SparkJob((str(first), str(second)), tmp_path / "out", SETTINGS, data_dir, partitions=3)
        summary = run_spark(job, spark)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    findings = pq.read_table(tmp_path / "out" / "findings").to_pylist()
    got = sorted((r["source_sheet"], r["source_row"], r["rule_id"], r["message"]) for r in findings)
    assert got == expected and summary["checked"] == 3000
    lines = pq.read_table(tmp_path / "out" / "lines").sort_by("line_id").to_pylist()
    assert [r["line_id"] for r in lines] == list(range(3000))
    assert [(r["source_sheet"], r["source_row"]) for r in lines[1499:1501]] == [
        ("part-a", 1501),
        ("part-b", 2),
    ]


def test_run_conf_holds_for_the_run_and_is_put_back(spark: Any) -> None:
    from rvucheck.batch.spark_session import RUN_CONF, run_conf

    key = "spark.sql.execution.arrow.maxBytesPerBatch"
    spark.conf.set(key, "32MB")  # a session's own setting (a notebook's)
    try:
        with run_conf(spark):
            assert spark.conf.get(key) == RUN_CONF[key] == "2147483647"  # Spark's per-row size check off
        assert spark.conf.get(key) == "32MB"
    finally:
        spark.conf.unset(key)
