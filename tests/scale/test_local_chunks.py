"""`check --engine local` streams a workbook and 837P files a chunk at a time (batch.local_input.CHUNK_ROWS):
with chunks of a few rows it gives, line by line, what the single-process reader and engine give (lines,
findings, unreadable rows, the warnings of cells read as blank for an Excel error); a folder of 837P files
is one input, as its files' lines checked together."""

from __future__ import annotations

import csv
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import xlsxwriter
from tests.scale.months import month_csv

from rvucheck.batch import local_input
from rvucheck.batch.local import LocalRequest, run_local
from rvucheck.cli.main import main
from rvucheck.model import BlankedRef, ChargeLine, Report, UnreadableLine
from rvucheck.read import sources
from rvucheck.read.charges import read_charges
from rvucheck.read.x12.reader import read_x12, read_x12_chunks
from rvucheck.report.summary import blanked_notes
from rvucheck.session import Session

X12 = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
ERROR_ROWS = range(20, 48, 2)  # 14 payer cells holding #N/A: more than the summary's ten warnings


def _run(path: Path, out: Path, data: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(local_input, "CHUNK_ROWS", chunk)
    request = LocalRequest(path, out, Session.open(data), workers=1, buckets=3)
    out.mkdir()
    summary = run_local(request, lambda what, done, total: None).summary
    summary["lines_rows"] = pq.read_table(out / "lines.parquet").sort_by("line_id").to_pylist()
    found = pq.read_table(out / "findings.parquet").to_pylist()
    summary["findings_rows"] = sorted(found, key=lambda f: (f["line_id"], f["rule_id"], f["message"]))
    return summary


def _expected(lines: list[ChargeLine], unreadable: list[UnreadableLine], data: Path) -> Report:
    return Session.open(data).check(lines, unreadable)


def _assert_same_as_one_process(summary: dict[str, Any], report: Report) -> None:
    """Line by line: each line's place, findings and results; the run's counts, notes and warnings."""
    lines = summary["lines_rows"]
    assert [(row["source_sheet"], row["source_row"]) for row in lines] == [
        (r.line.source.sheet, r.line.source.row) for r in report.results
    ]
    assert [row["line_id"] for row in lines] == list(range(len(report.results)))
    assert [row["payment"] for row in lines] == [r.payment for r in report.results]
    got = [(f["line_id"], f["rule_id"], f["message"]) for f in summary["findings_rows"]]
    assert got == sorted((i, f.rule, f.message) for i, r in enumerate(report.results) for f in r.findings)
    assert summary["findings"] == report.counts_by_severity()
    assert [n["message"] for n in summary["notes"]] == list(report.notes)
    assert [(u["row"], u["reason"]) for u in summary["unreadable_rows"]] == [
        (u.source.row, u.reason) for u in report.unreadable
    ]
    assert summary["warnings"] == list(blanked_notes(report))
    blanked = [tuple((c["column"], c["error"]) for c in row["source_blanked"] or ()) for row in lines]
    assert blanked == [getattr(r.line.source, "blanked", ()) for r in report.results]


def _workbook(work: Path) -> Path:
    """A synthetic month as a workbook an export would give: two title rows, then the header; a provider
    merged down over rows that cross chunks, a hidden row, blank rows, a date that cannot be read, payer
    cells holding #N/A (read as blank, with a warning), a units cell holding #REF! (unreadable), a totals
    row at the end."""
    with month_csv(work / "month.csv", 2026, 10, 80, seed=5).open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    payer, units, dos = header.index("Insurance"), header.index("Qty"), header.index("DOS")
    provider = header.index("Provider")
    path = work / "october.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Charges")
    sheet.write_string(0, 0, "Charges export, October 2026")
    sheet.write_row(2, 0, header)
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values):
            if value and not (c == provider and 9 <= r <= 17):
                sheet.write_string(r, c, value)
        if r in ERROR_ROWS:
            sheet.write_formula(r, payer, "=NA()", None, "#N/A")
    sheet.merge_range(9, provider, 17, provider, "Merged, Provider MD")  # rows 10-18: across chunks of 5
    sheet.write_formula(31, units, "=#REF!", None, "#REF!")
    sheet.write_string(41, dos, "2026-13-45")
    sheet.set_row(12, None, None, {"hidden": True})
    for c in range(len(header)):
        sheet.write_blank(25, c, None)  # an empty row (its cells blanked)
    sheet.write_string(3 + len(rows) + 1, 0, "Total")
    book.close()
    return path


@pytest.mark.parametrize("streamed", [False, True], ids=["calamine", "stream_sheet"])
def test_a_workbook_read_by_chunks_gives_the_one_process_findings(
    streamed: bool, scale_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if streamed:  # every sheet through read.stream_sheet, as a sheet above 256 MB of XML is read
        monkeypatch.setenv("RVUCHECK_STREAM_SHEET_MB", "0")
    path = _workbook(tmp_path)
    read = read_charges(path)
    report = _expected(read.lines, read.unreadable, scale_data)
    chunked = _run(path, tmp_path / "chunked", scale_data, 5, monkeypatch)
    _assert_same_as_one_process(chunked, report)
    whole = _run(path, tmp_path / "whole", scale_data, 0, monkeypatch)  # read whole by the reader, sliced
    assert chunked == whole
    source = local_input.open_source(path, Session.open(scale_data), None)  # CHUNK_ROWS is 0 here
    monkeypatch.setattr(local_input, "CHUNK_ROWS", 5)
    chunks = local_input.open_source(path, Session.open(scale_data), None)
    sizes = [table.num_rows for table, _bad in chunks.batches]
    assert len(list(source.batches)) == 2 and max(sizes) == 5 and sum(sizes) == len(read.lines)
    # what the workbook holds, so that the comparison above can fail
    assert read.hidden_rows == [13] and read.totals_rows and read.blank_rows >= 1
    assert [u.source.row for u in read.unreadable] == [32, 42]
    assert sum(type(line.source) is BlankedRef for line in read.lines) == len(ERROR_ROWS)
    assert {read.lines[i].provider for i in range(6, 15)} == {"Merged, Provider MD"}
    assert [row["provider"] for row in chunked["lines_rows"]] == [line.provider for line in read.lines]
    assert len(chunked["warnings"]) == 11 and chunked["warnings"][-1].startswith("... and 4 more rows")
    first = chunked["warnings"][0]
    assert first.startswith("row 21: Charges!M21 (#N/A) holds an Excel error (a formula that failed)")


@pytest.fixture(scope="module")
def old_workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The month workbook above saved by LibreOffice as .xls and as .ods (what a program that cannot write
    .xlsx exports): the same title, merged, blank, unreadable and totals rows. The local engine reads an .xls
    whole (batch.local_input says why), an .ods by chunks (read.stream_ods), and must give what the single
    process gives."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        if os.environ.get("RVUCHECK_ALLOW_NO_SOFFICE") == "1":
            pytest.skip("LibreOffice is not installed")
        pytest.fail("LibreOffice (soffice) is needed: .ci/run installs libreoffice-calc-nogui")
    work = tmp_path_factory.mktemp("old-workbooks")
    source = _workbook(work)
    profile = (work / "profile").as_uri()
    for kind in ("xls", "ods"):
        command = [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", kind]
        subprocess.run(
            [*command, "--outdir", str(work), str(source)], check=True, capture_output=True, timeout=300
        )
    return {kind: source.with_suffix(f".{kind}") for kind in ("xls", "ods")}


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_an_xls_or_ods_workbook_on_the_local_engine_is_what_one_process_reads(
    kind: str,
    old_workbooks: dict[str, Path],
    scale_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = old_workbooks[kind]
    read = read_charges(path)  # its rows one at a time from python-calamine's iter_rows
    whole = read_charges(path, keep_grid=True)  # its cells at once from python-calamine's to_python
    assert (whole.lines, whole.unreadable, whole.totals_rows) == (
        read.lines,
        read.unreadable,
        read.totals_rows,
    )
    report = _expected(read.lines, read.unreadable, scale_data)
    if kind == "ods":  # read by chunks through read.stream_ods (as above 256 MB of XML): calamine never asked
        monkeypatch.setenv("RVUCHECK_STREAM_SHEET_MB", "0")
        monkeypatch.setattr(sources, "CalamineWorkbook", None)
    summary = _run(path, tmp_path / "chunks-of-5", scale_data, 5, monkeypatch)
    _assert_same_as_one_process(summary, report)
    monkeypatch.undo()
    assert summary == _run(path, tmp_path / "whole", scale_data, 0, monkeypatch)
    assert summary["kind"] == kind and summary["checked"] == len(read.lines) == 79
    # what the workbook holds, so that the comparison above can fail
    assert read.kind == kind and read.header_row == 3 and read.totals_rows == [85] and read.blank_rows >= 1
    assert [u.source.row for u in read.unreadable][-1] == 42  # the date that cannot be read
    assert len({line.patient for line in read.lines}) > 5 and len(summary["findings_rows"]) > 0


def test_an_837_read_by_chunks_keeps_claims_whole_and_gives_the_one_process_findings(
    scale_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = X12 / "crlf_two_envelopes.837"  # 5 claims of 1-4 lines in two interchanges
    read = read_x12(path)
    chunks = list(read_x12_chunks([path], 2))
    assert len(chunks) >= 3 and all(lines for lines, _bad in chunks)
    claims = [{line.claim for line in lines} for lines, _bad in chunks]
    assert all(not a & b for a, b in itertools.pairwise(claims))  # a claim is never split
    assert [line for lines, _bad in chunks for line in lines] == read["lines"]
    report = _expected(read["lines"], read["unreadable"], scale_data)
    summary = _run(path, tmp_path / "out", scale_data, 2, monkeypatch)
    _assert_same_as_one_process(summary, report)
    assert [row["source_row"] for row in summary["lines_rows"]] == [line.source.row for line in read["lines"]]


def test_a_folder_of_837_files_is_one_input(
    scale_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    names = ["a-basic.837", "b-two.837", "c-malformed.837"]
    for name, fixture in zip(names, ["basic.837", "crlf_two_envelopes.837", "malformed.837"], strict=True):
        shutil.copyfile(X12 / fixture, folder / name)
    (folder / ".DS_Store").write_text("not a claim")  # hidden files are left out
    reads = [read_x12(folder / name) for name in names]
    lines = [line for read in reads for line in read["lines"]]
    report = _expected(lines, [u for read in reads for u in read["unreadable"]], scale_data)
    summary = _run(folder, tmp_path / "out", scale_data, 3, monkeypatch)
    _assert_same_as_one_process(summary, report)
    assert {row["source_sheet"] for row in summary["lines_rows"]} == set(names)
    assert summary["kind"] == "x12" and summary["checked"] == len(lines) > 20
    # the damaged claims of malformed.837: reported with their segment numbers, never dropped
    bad = reads[2]["unreadable"]
    assert summary["unreadable"] == len(bad) > 3
    assert all(u["reason"].startswith(("segment ", "not checked")) for u in summary["unreadable_rows"])


def test_the_local_engine_is_the_default_for_a_folder_of_837_files(
    scale_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    shutil.copyfile(X12 / "basic.837", folder / "basic.837")
    out = tmp_path / "out"
    args = ["--data-dir", str(scale_data), "check", str(folder), "--out", str(out), "--format", "json"]
    assert main([*args, "--fail-on", "never"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["engine"] == "local" and summary["kind"] == "x12"
    assert summary["checked"] == len(read_x12(folder / "basic.837")["lines"]) > 0
    other = tmp_path / "workbooks"  # a folder of anything else is still no input of the single process
    other.mkdir()
    assert main(["--data-dir", str(scale_data), "check", str(other)]) == 2
    assert "is a folder; give a charge export file" in capsys.readouterr().err
