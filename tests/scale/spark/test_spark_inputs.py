"""`--engine spark` on the inputs beyond a long CSV and Parquet, each equal to the one-process check:

- a wide claim layout (the real DE-SynPUF carrier sample: one row per claim, a line per filled HCPCS_CD_k),
  read by the reader's own column assignment on the workers: `check --no-annotate --format json`'s findings;
- a month with `--history`: September appended by Spark, October checked with it equals one engine run of
  October with September as history (HMAC'd keys), line by line, and the local engine reads Spark's table;
- X12 837P files parsed on the workers: the reader's lines, unreadable claims and findings;
- a Delta table (three versions, a delete: its snapshot is not every file on disk) read without Delta Lake
  through its snapshot's files: the one-process findings of the snapshot's rows, and the local engine's.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.scale.months import delta_month, month_csv
from tests.scale.test_delta import one_process, rowless

from rvucheck.audit.keys import PatientKeyer
from rvucheck.batch.delta import delta_snapshot
from rvucheck.batch.spark import SparkJob, run_spark
from rvucheck.cli.main import main
from rvucheck.errors import InputFileError, OutputError
from rvucheck.read.charges import read_charges
from rvucheck.report.summary import blanked_notes
from rvucheck.session import Session
from rvucheck.settings import Settings

pytestmark = pytest.mark.spark
SETTINGS = Settings(today=dt.date(2026, 12, 7))
X12 = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
HISTORY_LINES = 2500


def _findings(out: Path) -> list[tuple[Any, ...]]:
    rows = pq.read_table(out / "findings").to_pylist()
    return sorted((r["source_sheet"], r["source_row"], r["rule_id"], r["message"]) for r in rows)


def test_a_wide_claim_layout_gives_the_one_process_findings(
    spark: Any, data_dir: Path, shared_cms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    synpuf = shared_cms.parent / "claims" / "desynpuf_carrier_claims_sample.csv"
    assert main(["--data-dir", str(data_dir), "check", str(synpuf), "--no-annotate", "--format", "json",
                 "--fail-on", "never"]) == 0  # fmt: skip
    single = json.loads(capsys.readouterr().out)
    expected = sorted(
        (line["sheet"], line["row"], f["rule"], f["message"])
        for line in single["lines"]
        for f in line["findings"]
    )
    summary = run_spark(SparkJob((str(synpuf),), tmp_path / "out", SETTINGS, data_dir, partitions=2), spark)
    assert len(single["lines"]) == summary["checked"] > len({line["row"] for line in single["lines"]})
    assert _findings(tmp_path / "out") == expected and expected
    assert summary["notes"] == [{k: n[k] for k in ("rule", "severity", "message")} for n in single["notes"]]
    assert summary["findings"] == single["summary"]["findings"]
    lines = pq.read_table(tmp_path / "out" / "lines").sort_by("line_id").to_pylist()
    assert [(r["source_row"], r["hcpcs"]) for r in lines] == [(x["row"], x["hcpcs"]) for x in single["lines"]]


@pytest.fixture(scope="module")
def months(scale_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """September checked by Spark with --append-history, then October with the history."""
    work = tmp_path_factory.mktemp("spark-history")
    files = {
        m: month_csv(work / f"charges-2026-{m:02d}.csv", 2026, m, HISTORY_LINES, seed=m) for m in (9, 10)
    }
    return {"work": work, "files": files, "history": work / "history"}


def _line_findings(report: Any) -> list[tuple[Any, ...]]:
    return sorted((f.source.row, f.rule, f.message) for result in report.results for f in result.findings)


def _history_job(months: dict[str, Any], month: int, data: Path, **options: Any) -> SparkJob:
    out = months["work"] / f"out-{month}"
    return SparkJob(
        (str(months["files"][month]),),
        out,
        SETTINGS,
        data,
        partitions=3,
        history=months["history"],
        **options,
    )


def test_a_month_with_history_equals_one_engine_run(
    spark: Any, months: dict[str, Any], scale_data: Path
) -> None:
    september = run_spark(_history_job(months, 9, scale_data, append_history=True), spark)
    folder = months["history"] / "month=2026-09"
    assert september["history_lines"] == 0 and september["history_appended"] == str(folder)
    stored = pq.read_table(folder)
    assert stored.num_rows == HISTORY_LINES and not any(stored.column("history").to_pylist())
    keys = {k for k in stored.column("patient_key").to_pylist() if k}
    assert keys and all(len(k) == 64 and not k.startswith("MRN") for k in keys)  # HMAC'd, not the ids

    october = run_spark(_history_job(months, 10, scale_data), spark)
    keyer = PatientKeyer.for_dir(scale_data)
    sept, octo = (read_charges(months["files"][m]) for m in (9, 10))
    session = Session.open(scale_data, SETTINGS)
    report = session.check(keyer.apply(octo.lines), octo.unreadable, keyer.apply(sept.lines))
    alone = session.check(octo.lines, octo.unreadable)
    expected = _line_findings(report)
    out = months["work"] / "out-10"
    got = sorted(
        (r["source_row"], r["rule_id"], r["message"]) for r in pq.read_table(out / "findings").to_pylist()
    )
    assert got == expected
    assert expected != _line_findings(alone)  # the history changed what was found
    assert october["history_lines"] > 0 and october["checked"] == HISTORY_LINES
    assert october["findings"] == report.counts_by_severity()
    lines = pq.read_table(out / "lines").sort_by("line_id").to_pylist()
    assert [(r["source_row"], r["payment"], r["findings"]) for r in lines] == [
        (result.line.source.row, result.payment, len(result.findings)) for result in report.results
    ]  # only the month's lines, none of the history's


def test_the_local_engine_reads_the_history_spark_wrote(
    spark: Any, months: dict[str, Any], scale_data: Path
) -> None:
    if not (months["history"] / "month=2026-09").exists():
        run_spark(_history_job(months, 9, scale_data, append_history=True), spark)
    out = months["work"] / "local-10"
    history = ["--history", str(months["history"]), "--workers", "1", "--fail-on", "never"]
    args = ["--data-dir", str(scale_data), "check", str(months["files"][10]), "--engine", "local",
            "--out", str(out), *history]  # fmt: skip
    assert main(args) == 0
    keyer = PatientKeyer.for_dir(scale_data)
    sept, octo = (read_charges(months["files"][m]) for m in (9, 10))
    report = Session.open(scale_data).check(keyer.apply(octo.lines), octo.unreadable, keyer.apply(sept.lines))
    found = pq.read_table(out / "findings.parquet").to_pylist()
    assert sorted((f["source_row"], f["rule_id"], f["message"]) for f in found) == _line_findings(report)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["history_lines"] > 0


def test_a_month_already_in_the_history_is_not_replaced_without_force(
    spark: Any, months: dict[str, Any], scale_data: Path
) -> None:
    if not (months["history"] / "month=2026-09").exists():
        run_spark(_history_job(months, 9, scale_data, append_history=True), spark)
    job = _history_job(months, 9, scale_data, append_history=True)
    job = SparkJob(job.paths, months["work"] / "again", SETTINGS, scale_data, partitions=2,
                   history=months["history"], append_history=True)  # fmt: skip
    with pytest.raises(OutputError, match=r"month=2026-09 already holds the month 2026-09: give --force"):
        run_spark(job, spark)


X12_FILES = ("basic.837", "crlf_two_envelopes.837", "one_line.837", "other_delimiters.x12", "malformed.837")


def test_837p_files_give_the_readers_lines_and_findings(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    paths = [X12 / name for name in X12_FILES]
    session = Session.open(data_dir, SETTINGS)
    reads = [session.read(path) for path in paths]
    report = session.check([line for read in reads for line in read.lines])
    expected = sorted(
        (f.source.sheet, f.source.row, f.rule, f.message)
        for result in report.results
        for f in result.findings
    )
    out = tmp_path / "out"
    summary = run_spark(SparkJob(tuple(str(p) for p in paths), out, SETTINGS, data_dir, partitions=2), spark)
    assert _findings(out) == expected and expected
    assert summary["kind"] == "x12" and summary["checked"] == len(report.results)
    lines = pq.read_table(out / "lines").sort_by("line_id").to_pylist()
    assert [(r["source_sheet"], r["source_row"], r["hcpcs"]) for r in lines] == [
        (line.source.sheet, line.source.row, line.hcpcs) for read in reads for line in read.lines
    ]  # the files in the order given, the lines in file order
    unreadable = [(u.source.sheet, u.source.row, u.reason) for read in reads for u in read.unreadable]
    assert unreadable and "segment" in unreadable[0][2]
    got = pq.read_table(out / "unreadable").sort_by("line_id").to_pylist()
    assert [(r["source_sheet"], r["source_row"], r["reason"]) for r in got] == unreadable
    assert summary["unreadable_rows"] == [
        {"row": row, "reason": reason} for _sheet, row, reason in unreadable
    ]


def test_an_837p_file_equals_the_local_engines(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    path = X12 / "malformed.837"
    assert main(["--data-dir", str(data_dir), "check", str(path), "--engine", "local", "--out",
                 str(tmp_path / "local"), "--workers", "1", "--fail-on", "never"]) == 0  # fmt: skip
    run_spark(SparkJob((str(path),), tmp_path / "spark", SETTINGS, data_dir, partitions=2), spark)
    local = pq.read_table(tmp_path / "local" / "findings.parquet").to_pylist()
    assert _findings(tmp_path / "spark") == sorted(
        (r["source_sheet"], r["source_row"], r["rule_id"], r["message"]) for r in local
    )
    spark_summary = json.loads((tmp_path / "spark" / "summary.json").read_text(encoding="utf-8"))
    local_summary = json.loads((tmp_path / "local" / "summary.json").read_text(encoding="utf-8"))
    for key in ("lines", "checked", "unreadable", "findings", "rules", "notes", "unreadable_rows"):
        assert spark_summary[key] == local_summary[key], key


def test_a_file_that_is_not_an_837p_is_one_line(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    job = SparkJob((str(X12 / "remittance.835"),), tmp_path / "out", SETTINGS, data_dir)
    with pytest.raises(InputFileError, match=r"remittance\.835 is not an X12 file|give an 837P file"):
        run_spark(job, spark)


def test_a_delta_table_without_delta_lake_reads_its_snapshot(
    spark: Any, data_dir: Path, tmp_path: Path
) -> None:
    csv = month_csv(tmp_path / "charges-2026-10.csv", 2026, 10, 3000, seed=3)
    folder, copy = delta_month(csv, tmp_path / "charges", 3000)
    job = SparkJob((str(folder),), tmp_path / "out", Settings(), data_dir, partitions=3)  # as one_process's
    summary = run_spark(job, spark)
    found = pq.read_table(tmp_path / "out" / "findings").to_pylist()
    got = sorted((r["line_id"], r["rule_id"], r["severity"], rowless(r["message"])) for r in found)
    assert got == one_process(copy, data_dir) and got
    assert summary["kind"] == "delta" and summary["checked"] == delta_snapshot(str(folder)).rows < 3000
    args = ["--data-dir", str(data_dir), "check", str(folder), "--out", str(tmp_path / "local")]
    assert main([*args, "--workers", "1", "--fail-on", "never"]) == 0
    local = pq.read_table(tmp_path / "local" / "findings.parquet").to_pylist()
    assert sorted((r["line_id"], r["rule_id"], r["message"]) for r in local) == sorted(
        (r["line_id"], r["rule_id"], r["message"]) for r in found
    )


def test_a_pattern_of_837p_files_reads_them_in_name_order(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_spark(SparkJob((str(X12 / "*.837"),), out, SETTINGS, data_dir, partitions=2), spark)
    names = sorted(path.name for path in X12.glob("*.837"))
    reads = [read_charges(X12 / name) for name in names]
    lines = pq.read_table(out / "lines").sort_by("line_id").to_pylist()
    assert [(r["source_sheet"], r["source_row"]) for r in lines] == [
        (line.source.sheet, line.source.row) for read in reads for line in read.lines
    ]
    assert summary["unreadable"] == sum(len(read.unreadable) for read in reads) > 0


def test_a_folder_of_837p_files_equals_the_local_engines(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    for name in X12_FILES:
        (folder / name).write_bytes((X12 / name).read_bytes())
    run_spark(SparkJob((str(folder),), tmp_path / "spark", SETTINGS, data_dir, partitions=2), spark)
    assert main(["--data-dir", str(data_dir), "check", str(folder), "--out", str(tmp_path / "local"),
                 "--workers", "1", "--fail-on", "never"]) == 0  # fmt: skip
    local = pq.read_table(tmp_path / "local" / "findings.parquet").to_pylist()
    assert _findings(tmp_path / "spark") == sorted(
        (r["source_sheet"], r["source_row"], r["rule_id"], r["message"]) for r in local
    )
    spark_summary = json.loads((tmp_path / "spark" / "summary.json").read_text(encoding="utf-8"))
    local_summary = json.loads((tmp_path / "local" / "summary.json").read_text(encoding="utf-8"))
    assert spark_summary["kind"] == local_summary["kind"] == "x12" and local
    for key in ("lines", "checked", "unreadable", "findings", "rules", "notes", "unreadable_rows"):
        assert spark_summary[key] == local_summary[key], key


def test_a_csv_whose_header_is_below_title_lines_reads_as_in_one_process(
    spark: Any, data_dir: Path, tmp_path: Path
) -> None:
    """A report's title, its date and a blank line above the header, a blank line among the rows: the header
    is found as the reader finds it and every row keeps its line's number (Spark's own CSV parser skipped
    blank lines), with the file split in 32 KB partitions so that the title lines sit in the first only."""
    header, *rows = month_csv(tmp_path / "plain.csv", 2026, 10, 2000, seed=4).read_text("utf-8").splitlines()
    bad = next(csv.reader([rows[10]]))
    bad[2] = "not a date"  # the date of service (tests.scale.months.CSV_COLUMNS)
    rows[700:700] = ["", ",".join(bad)]  # a blank row, and an unreadable one below it
    path = tmp_path / "titled.csv"
    path.write_text("\n".join(["Charges export", "October 2026,,", "", header, *rows]) + "\n", "utf-8")
    session = Session.open(data_dir, SETTINGS)
    read = session.read(path)
    report = session.check(read.lines, read.unreadable)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "32k")
    try:
        job = SparkJob((str(path),), tmp_path / "out", SETTINGS, data_dir, partitions=3)
        summary = run_spark(job, spark)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    expected = sorted(
        (f.source.sheet, f.source.row, f.rule, f.message) for r in report.results for f in r.findings
    )
    assert _findings(tmp_path / "out") == expected and expected
    lines = pq.read_table(tmp_path / "out" / "lines").sort_by("line_id").to_pylist()
    assert [(r["source_row"], r["hcpcs"]) for r in lines] == [(x.source.row, x.hcpcs) for x in read.lines]
    assert lines[0]["source_row"] == 5 and lines[-1]["source_row"] == len(rows) + 4
    assert summary["unreadable_rows"] == [{"row": u.source.row, "reason": u.reason} for u in read.unreadable]
    assert [u.source.row for u in read.unreadable] == [706]


def test_a_line_break_quoted_above_the_header_is_one_line(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "titled.csv"
    path.write_text('"Charges export\nOctober 2026"\nPatient,DOS,CPT\nP1,2026-10-01,99213\n', "utf-8")
    with pytest.raises(InputFileError) as raised:
        run_spark(SparkJob((str(path),), tmp_path / "out", SETTINGS, data_dir), spark)
    assert str(raised.value).startswith(f"{path}: a quoted cell above its header holds a line break")
    assert "--engine local" in str(raised.value) and "\n" not in str(raised.value)


def test_cells_read_as_blank_for_an_excel_error_warn_as_in_one_process(
    spark: Any, data_dir: Path, tmp_path: Path
) -> None:
    """A CSV holds an Excel error as text: in a cell a line is checked without (the payer) it is read as
    blank, and the Spark engine's lines and summary say so as the single process's summary does."""
    rows = month_csv(tmp_path / "plain.csv", 2026, 10, 40, seed=6).read_text(encoding="utf-8").splitlines()
    for i in range(3, 40, 3):  # 13 rows: the summary names ten, then counts the others
        rows[i] = rows[i].rsplit(",", 2)[0] + ",#N/A," + rows[i].rsplit(",", 1)[1]
    path = tmp_path / "errors.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    read = read_charges(path)
    report = Session.open(data_dir, SETTINGS).check(read.lines, read.unreadable)
    summary = run_spark(SparkJob((str(path),), tmp_path / "out", SETTINGS, data_dir, partitions=2), spark)
    assert summary["warnings"] == list(blanked_notes(report)) and len(summary["warnings"]) == 11
    lines = pq.read_table(tmp_path / "out" / "lines").sort_by("line_id").to_pylist()
    assert [tuple((c["column"], c["error"]) for c in r["source_blanked"] or ()) for r in lines] == [
        getattr(line.source, "blanked", ()) for line in read.lines
    ]


def test_837p_paths_that_name_nothing_are_one_line(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nowhere\.837: no such file or folder"):
        run_spark(SparkJob((str(tmp_path / "nowhere.837"),), tmp_path / "a", SETTINGS, data_dir), spark)
    with pytest.raises(InputFileError, match=r"\*\.837: no 837P file found"):
        run_spark(SparkJob((str(tmp_path / "*.837"),), tmp_path / "b", SETTINGS, data_dir), spark)


def test_spark_reads_the_history_the_local_engine_wrote(
    spark: Any, months: dict[str, Any], scale_data: Path
) -> None:
    history = months["work"] / "local-history"
    out9 = months["work"] / "local-9"
    args = ["--data-dir", str(scale_data), "check", str(months["files"][9]), "--engine", "local",
            "--out", str(out9), "--history", str(history), "--append-history", "--workers", "1"]  # fmt: skip
    assert main([*args, "--fail-on", "never"]) == 0
    assert [p.name for p in (history / "month=2026-09").iterdir()] == ["part-0.parquet"]
    part = history / "month=2026-09" / "part-0.parquet"  # as written before the contract had source_blanked
    pq.write_table(pq.read_table(part).drop_columns(["source_blanked"]), part)
    job = _history_job(months, 10, scale_data)
    out = months["work"] / "spark-10-local-history"
    summary = run_spark(SparkJob(job.paths, out, SETTINGS, scale_data, partitions=2, history=history), spark)
    keyer = PatientKeyer.for_dir(scale_data)
    sept, octo = (read_charges(months["files"][m]) for m in (9, 10))
    report = Session.open(scale_data, SETTINGS).check(
        keyer.apply(octo.lines), octo.unreadable, keyer.apply(sept.lines)
    )
    got = sorted(
        (r["source_row"], r["rule_id"], r["message"]) for r in pq.read_table(out / "findings").to_pylist()
    )
    assert got == _line_findings(report) and summary["history_lines"] > 0
