"""`rvucheck FILE` end to end on the real installed CMS data: outputs, exit codes, bad input, --force."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path

import openpyxl
import pytest

from rvucheck.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reader"))
from test_safety import make_bad_inputs

# issue 4 named these; issue 17 added "totals" and "blank" (rows apart from `lines`, counted)
JSON_SUMMARY_KEYS = {
    "lines",
    "checked",
    "unreadable",
    "totals",
    "blank",
    "findings",
    "work_rvu",
    "payment",
    "release",
}
JSON_LINE_KEYS = {
    "sheet", "row", "hcpcs", "modifiers", "units", "work_rvu", "payment", "non_participating",
    "limiting_charge", "rank", "reduction", "basis", "findings", "documentation",
}  # fmt: skip


def _small(folder: Path) -> Path:
    """99213 without 25 beside 20610 (same patient, day, physician), 99213-26, a category dx, a row
    without a code. Made-up patients; real codes."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Charges"
    ws.append(["Charge detail (made-up data)"])
    ws.append([])
    ws.append(["Claim", "Patient", "DOS", "Provider", "CPT", "Modifier", "Units", "Dx", "POS"])
    ws.append(["C1", "P1", dt.date(2026, 7, 6), "Dr A", 99213, None, 1, "I10", 11])
    ws.append(["C1", "P1", dt.date(2026, 7, 6), "Dr A", 20610, "RT", 1, "M17.11", 11])
    ws.append(["C2", "P2", dt.date(2026, 7, 6), "Dr A", 99213, 26, 1, "E11", 11])
    ws.append(["C3", "P3", dt.date(2026, 7, 6), "Dr A", None, None, 1, "I10", 11])
    ws.append(["Total", None, None, None, None, None, 4])
    path = folder / "charges.xlsx"
    wb.save(path)
    return path


@pytest.fixture()
def small(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    return _small(tmp_path)


def test_json_has_exactly_the_issue_keys_and_real_values(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(small), "--no-annotate", "--format", "json", "--fail-on", "never"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(out) == {"run", "summary", "lines", "notes"}  # run: locality, CF, QPP, data (issue 15)
    assert set(out["summary"]) == JSON_SUMMARY_KEYS
    assert set(out["summary"]["findings"]) == {"error", "warning", "info"}
    assert all(set(line) == JSON_LINE_KEYS for line in out["lines"])
    summary = out["summary"]
    assert (summary["lines"], summary["checked"], summary["unreadable"]) == (4, 3, 1)
    assert summary["release"] == "RVU26C"
    rows = {line["row"]: line for line in out["lines"]}
    assert sorted(rows) == [4, 5, 6, 7]  # worksheet rows as Excel shows them (title block above)
    assert (rows[4]["hcpcs"], rows[4]["work_rvu"], rows[4]["payment"]) == ("99213", 1.3, 95.19)  # CY2026 CMS
    # non-participating 95 % of 95.19 = 90.4305 -> 90.43; limiting charge 95.19 x 1.0925 = 103.995 -> 104.00
    assert (rows[4]["non_participating"], rows[4]["limiting_charge"]) == (90.43, 104.0)
    assert rows[7]["payment"] is None and rows[7]["limiting_charge"] is None  # the unreadable row
    assert rows[5]["work_rvu"] == 0.77 and rows[5]["modifiers"] == ["RT"]
    assert rows[6]["modifiers"] == ["26"]
    rules = {row: {f["rule"] for f in line["findings"]} for row, line in rows.items()}
    assert "PC01" in rules[6]  # 26 on a code whose PC/TC indicator is 0
    assert rules[7] == {"RD01"} and rows[7]["findings"][0]["severity"] == "error"
    assert summary["findings"]["error"] >= 3
    assert summary["work_rvu"] == round(1.3 + 0.77 + 1.3, 2)


def test_exit_codes_follow_fail_on(small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(small), "--no-annotate", "--fail-on", "error"]) == 1
    assert main([str(small), "--no-annotate", "--fail-on", "never"]) == 0
    clean = tmp_path / "clean.csv"
    clean.write_text("CPT,DOS,Dx,POS,Patient,Provider\n99213,07/06/2026,I10,11,P9,Dr A\n")
    assert main([str(clean), "--no-annotate", "--fail-on", "error"]) == 0
    capsys.readouterr()


def test_annotated_copy_text_summary_and_force(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(small), "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    copy = small.with_name("charges.rvucheck.xlsx")
    assert copy.exists()
    assert "4 (3 checked, 1 unreadable); 1 totals, 0 blank rows" in out  # the summary table
    assert "Charges!F6: PC01 error" in out  # the note points at the modifier cell
    assert str(copy) in out
    ws = openpyxl.load_workbook(copy)["Charges"]
    assert ws["J3"].value == "Work RVU" and ws["J4"].value == 1.3 and ws["P6"].value == "error"
    stamp = copy.stat().st_mtime_ns
    assert main([str(small)]) == 2
    assert "already exists; use --force" in capsys.readouterr().err
    assert copy.stat().st_mtime_ns == stamp
    assert main([str(small), "--force", "--fail-on", "never"]) == 0


def test_csv_output_is_one_row_per_finding(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(small), "--no-annotate", "--format", "csv", "--fail-on", "never"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    pc01 = [r for r in rows if r["rule"] == "PC01"]
    assert len(pc01) == 1 and pc01[0]["cell"] == "Charges!F6" and pc01[0]["hcpcs"] == "99213"
    assert any(r["rule"] == "RD01" and r["row"] == "7" for r in rows)


def test_csv_input_gets_an_xlsx_copy(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    export = tmp_path / "export.csv"
    export.write_text("CPT,Mod,DOS,Dx,POS,Patient,Provider\n99213,,07/06/2026,I10,11,P1,=cmd|' /C calc'!A0\n")
    assert main([str(export), "--fail-on", "never"]) == 0
    wb = openpyxl.load_workbook(tmp_path / "export.rvucheck.xlsx")
    assert wb.sheetnames == ["export", "Findings", "Summary"]
    ws = wb["export"]
    assert ws["A2"].value == "99213" and ws["H2"].value == 1.3
    assert ws["G2"].data_type == "s"  # the export's formula-looking text stays text


def test_columns_command(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["columns", str(small)]) == 0
    out = capsys.readouterr().out
    assert "sheet 'Charges', header on row 3" in out
    assert "hcpcs         E 'CPT'" in out
    assert "modifiers     F 'Modifier'" in out
    assert "\n  payer " not in out  # no payer column: not listed among the mapped fields
    assert main(["columns", str(small), "--map", "payer=Claim"]) == 0
    assert "payer         A 'Claim'" in capsys.readouterr().out


def test_every_bad_input_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    cases = make_bad_inputs(tmp_path / "bad")
    for name, (path, phrase) in cases.items():
        before = sorted(p.name for p in path.parent.iterdir())
        assert main(["check", str(path)]) == 2, name
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("rvucheck: ") and phrase in lines[0], (
            name,
            captured.err,
        )
        assert "Traceback" not in captured.err and str(path) in lines[0]
        assert sorted(p.name for p in path.parent.iterdir()) == before, f"{name}: something was written"


def test_a_bad_file_among_several_stops_the_run_before_any_copy_is_written(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = small.with_name("old.xls")
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert main(["check", str(small), str(legacy)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == (
        f"rvucheck: {legacy} is a legacy Excel 97-2003 file; open it in Excel and save it as .xlsx"
    )
    assert sorted(p.name for p in small.parent.iterdir()) == ["charges.xlsx", "old.xls"]


def test_a_map_header_that_is_not_there_is_named(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(small), "--map", "hcpcs=Proc", "--no-annotate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"rvucheck: {small}: --map hcpcs=Proc: no such header in any sheet; headers seen: ")
    assert "Claim, Patient, DOS, Provider, CPT, Modifier" in err  # the header row, not the title above it


def test_large_files_are_checked_in_a_worker_with_the_same_results(
    small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rvucheck import pipeline as checking

    monkeypatch.setattr(checking, "LARGE_FILE_BYTES", 0)  # every file counts as large: forked worker
    assert main([str(small), "--format", "json", "--fail-on", "never"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["lines"] == 4 and out["summary"]["work_rvu"] == 3.37
    ws = openpyxl.load_workbook(small.with_name("charges.rvucheck.xlsx"))["Charges"]
    assert ws["J4"].value == 1.3 and ws["P7"].value == "error"
    assert "DX03 (error)" in ws["H6"].comment.text  # the engine's field "diagnoses" lands on the Dx column


def test_a_worker_s_result_comes_back_through_an_unnamed_temp_file(
    small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The worker pickles its result into a temp file opened before the fork (not the pool's pipe: the two
    processes would hold it at once); a temp folder that cannot hold it is one line naming the folder."""
    import errno
    import tempfile

    from rvucheck import pipeline as checking

    monkeypatch.setattr(checking, "LARGE_FILE_BYTES", 0)  # every file counts as large: forked worker
    opened: list[int] = []
    make = tempfile.TemporaryFile

    def spy() -> object:
        handle = make()
        opened.append(handle.fileno())
        return handle

    monkeypatch.setattr(tempfile, "TemporaryFile", spy)
    assert main([str(small), "--format", "json", "--fail-on", "never", "--force"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["lines"] == 4 and len(opened) == 1

    def full() -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    assert main([str(small), "--format", "json", "--fail-on", "never", "--force"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"rvucheck: {tempfile.gettempdir()}: cannot hold the check's results"
    )


def test_the_sample_month_fits_a_screen_when_a_copy_is_written(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    sample = tmp_path / "sample.xlsx"
    sample.write_bytes(
        (Path(__file__).resolve().parents[2] / "workbooks/sample-charges-2026-10.xlsx").read_bytes()
    )
    main([str(sample), "--no-annotate", "--fail-on", "never"])
    report_only = capsys.readouterr().out.splitlines()
    everything = [line for line in report_only if line.startswith("'Charge Detail'!")]
    info_notes = [line for line in report_only if line.startswith("note: RD") and " info: " in line]
    main([str(sample), "--fail-on", "never"])
    out = capsys.readouterr().out.splitlines()
    shown = [line for line in out if line.startswith("'Charge Detail'!")]
    assert len(everything) > 100 and len(shown) == 20
    assert shown == everything[:20]  # the same worst-first order, cut
    more = f"... and {len(everything) - 20} more findings in the Findings sheet of the copy written below"
    assert more in out
    # 35 lines, plus the run rows (locality, CF, QPP) and the stale-data banner (issue 15)
    assert any(line.startswith("REFERENCE DATA OUT OF DATE") for line in out)
    # every info note in full without a copy; with one, a single line naming them (the copy holds them)
    ids = [line.split()[1] for line in info_notes]
    assert ids == ["RD03", "RD14", "RD15", "RD16"]
    assert not any(line.startswith("note: RD") and " info: " in line for line in out)
    assert f"note: 4 info notes ({', '.join(ids)}) in the Findings sheet of the copy written below" in out
    assert len(out) <= 40 and out[-1] == f"written to {sample.with_name('sample.rvucheck.xlsx')}"
