"""Hostile errors: every failure a user can cause or meet ends with one line naming the file and what to do,
exit 2; a bug ends with exit 3 and its exception's type only (never its message: it may hold a cell value);
`--debug` shows the traceback. Exit 1 means findings, never a crash.

Bad inputs to `check` are covered by tests/check/test_cli.py (test_every_bad_input_exits_2_...) and
tests/reader/test_safety.py; here the same files go to `audit`, which reads them its own way."""

from __future__ import annotations

import errno
import json
import os
import resource
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from tests.conftest import TEST_DATA_DIR
from tests.hostile.harness import REPO, Outcome, run_cli, sha256, snapshot
from tests.hostile.outputs_common import PATIENTS, audit_store, history_months

from rvucheck.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reader"))
from test_safety import make_bad_inputs

pytestmark = pytest.mark.usefixtures("data_dir")
BAD_INPUT_NAMES = (
    "missing", "directory", "empty file", "legacy xls", "password", "corrupt zip", "not a workbook",
    "zip that is not a workbook", "unsupported type", "binary csv", "empty workbook", "zip bomb",
    "csv with no code column",
)  # fmt: skip


@pytest.mark.parametrize("name", BAD_INPUT_NAMES)
def test_audit_of_a_bad_input_is_one_line_and_records_nothing(tmp_path: Path, name: str) -> None:
    cases = make_bad_inputs(tmp_path / "bad")
    path, phrase = cases[name]
    store = audit_store(tmp_path)
    outcome = run_cli(path.parent, "audit", str(path), "--json", "audit.json", data_dir=store)
    line = outcome.assert_clean_error(path)
    assert phrase in line
    assert history_months(store) == []


def _damaged_crc(work: Path) -> Path:
    """The sheet part's stored CRC-32 is wrong (the deflate data is intact)."""
    source = work / "charges.xlsx"
    raw = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        crc = archive.getinfo("xl/worksheets/sheet1.xml").CRC
    good, bad = crc.to_bytes(4, "little"), (crc ^ 0xDEADBEEF).to_bytes(4, "little")
    damaged = work / "crc.xlsx"
    damaged.write_bytes(bytes(raw).replace(good, bad))
    return damaged


def _xxe(work: Path) -> Path:
    """The sheet declares an external entity reading a local file and uses it in a cell."""
    source = work / "charges.xlsx"
    xxe = work / "xxe.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(xxe, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = text.replace(
                    "<worksheet",
                    '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/hostname">]><worksheet',
                    1,
                )
                data = text.replace("<v>99213</v>", "<v>&xxe;</v>", 1).encode()
            new.writestr(info, data)
    return xxe


@pytest.mark.parametrize(
    ("command", "make"),
    [("check", _damaged_crc), ("audit", _damaged_crc), ("check", _xxe)],
    ids=["bad CRC-32 check", "bad CRC-32 audit", "XXE check"],
)
def test_damaged_or_hostile_workbook_parts_are_one_line(
    tmp_path: Path, work: Path, command: str, make
) -> None:  # type: ignore[no-untyped-def]
    bad = make(work)
    store = audit_store(tmp_path)
    outcome = run_cli(work, command, bad.name, data_dir=store)
    line = outcome.assert_clean_error(bad)
    assert _hostname() not in outcome.stdout + line


def _hostname() -> str:
    path = Path("/etc/hostname")
    return (path.read_text().strip() if path.exists() else "") or "\0"


def test_an_xxe_entity_is_never_resolved_by_the_audit(tmp_path: Path, work: Path) -> None:
    """The audit reads with calamine only: the entity stays unresolved, the cell is blank, the row is
    accounted for; no file is read into any output."""
    bad = _xxe(work)
    store = audit_store(tmp_path)
    outcome = run_cli(work, "audit", bad.name, "--json", "audit.json", data_dir=store)
    outcome.assert_no_traceback()
    assert outcome.code == 0, outcome.stderr
    assert outcome.written == {"audit.json"}
    outcome.assert_inputs_unchanged()
    text = (work / "audit.json").read_text()
    assert _hostname() not in text
    check = json.loads(text)["check"]["summary"]
    assert check["lines"] == check["checked"] + check["unreadable"] == 4


def test_zip_slip_member_names_write_nothing_outside(tmp_path: Path, work: Path) -> None:
    slip = work / "slip.xlsx"
    with (
        zipfile.ZipFile(work / "charges.xlsx") as old,
        zipfile.ZipFile(slip, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            new.writestr(info, old.read(info))
        new.writestr("../../evil.txt", "outside")
        new.writestr("/tmp/evil-abs.txt", "absolute")
    outcome = run_cli(work, "check", slip.name, "--format", "json", "--fail-on", "never")
    outcome.assert_no_traceback()
    assert outcome.code == 0, outcome.stderr
    summary = outcome.json()["summary"]
    assert summary["lines"] == summary["checked"] + summary["unreadable"] == 4
    assert outcome.written == {"slip.rvucheck.xlsx"}
    outcome.assert_inputs_unchanged()
    assert not list(tmp_path.rglob("evil*.txt")) and not Path("/tmp/evil-abs.txt").exists()


def test_macros_are_byte_identical_in_the_copy(work: Path) -> None:
    vba = bytes(range(256)) * 16  # an opaque vbaProject.bin: carried over untouched, never run
    book = work / "macros.xlsm"
    with (
        zipfile.ZipFile(work / "charges.xlsx") as old,
        zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVBA" Target="vbaProject.bin" '
                    b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/></Relationships>',
                )
            new.writestr(info, data)
        new.writestr("xl/vbaProject.bin", vba)
    outcome = run_cli(work, "check", book.name, "--fail-on", "never")
    outcome.assert_no_traceback()
    assert outcome.code == 0, outcome.stderr
    assert outcome.written == {"macros.rvucheck.xlsm"}
    with zipfile.ZipFile(work / "macros.rvucheck.xlsm") as copy:
        assert copy.read("xl/vbaProject.bin") == vba


def _garbage_catalog(store: Path) -> None:
    (store / "catalog.sqlite").write_bytes(b"this is not a database " * 200)


def _truncated_datasets(store: Path) -> None:
    for link in store.glob("pfs-*.sqlite"):
        data = link.read_bytes()
        link.unlink()
        link.write_bytes(data[: len(data) // 3])


def _missing_dataset(store: Path) -> None:
    for link in store.glob("pfs-*.sqlite"):
        link.unlink()


@pytest.mark.parametrize("damage", [_garbage_catalog, _truncated_datasets, _missing_dataset])
@pytest.mark.parametrize("command", ["check", "audit"])
def test_a_damaged_reference_store_is_one_line_naming_it(
    tmp_path: Path, work: Path, damage, command: str
) -> None:  # type: ignore[no-untyped-def]
    store = audit_store(tmp_path)
    damage(store)
    outcome = run_cli(work, command, "charges.xlsx", "--json" if command == "audit" else "--no-annotate",
                      *(["audit.json"] if command == "audit" else []), data_dir=store)  # fmt: skip
    line = outcome.assert_clean_error()
    assert str(store) in line or "data install" in line, line
    assert not any(p in line for p in PATIENTS)


def test_an_empty_store_says_how_to_install(tmp_path: Path, work: Path) -> None:
    empty = tmp_path / "empty-store"
    empty.mkdir()
    line = run_cli(work, "check", "charges.xlsx", data_dir=empty).assert_clean_error()
    assert "install" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions (the folder cases in "
                    "test_outputs.py use a regular file in the path instead)")  # fmt: skip
def test_a_folder_that_is_not_writable(work: Path) -> None:
    locked = work / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        line = run_cli(work, "check", "charges.xlsx", "--out", "locked/copy.xlsx").assert_clean_error(
            "copy.xlsx"
        )
    finally:
        locked.chmod(0o700)
    assert "not writable" in line


def _raise(exc: BaseException):  # type: ignore[no-untyped-def]
    def boom(args: object) -> int:
        raise exc

    return boom


@pytest.mark.parametrize(
    "exc",
    [
        ValueError(f"cannot convert {PATIENTS[0]}"),
        KeyError(PATIENTS[0]),
        OverflowError(f"date value out of range: {PATIENTS[0]}"),
        TypeError(PATIENTS[0]),
    ],
    ids=["ValueError", "KeyError", "OverflowError", "TypeError"],
)
def test_a_bug_is_exit_3_with_no_message_and_no_traceback(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], exc: Exception
) -> None:
    monkeypatch.setattr("rvucheck.cli.check.run_check", _raise(exc))
    assert main(["check", str(work / "charges.xlsx")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"internal error ({type(exc).__name__})" in err and "--debug" in err
    assert PATIENTS[0] not in err


def test_debug_shows_the_traceback_and_keeps_the_exit_code(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("rvucheck.cli.check.run_check", _raise(ValueError("x")))
    assert main(["--debug", "check", str(work / "charges.xlsx")]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and err.strip().splitlines()[-1].startswith(
        "rvucheck: "
    )


@pytest.mark.parametrize(
    ("exc", "phrase"),
    [
        (MemoryError(), "ran out of memory"),
        (OSError(errno.ENOSPC, "No space left on device", "out.xlsx"), "disk is full"),
        (OSError(errno.EFBIG, "File too large", "out.xlsx"), "file-size limit"),
        (OSError(errno.EACCES, "Permission denied", "out.xlsx"), "permission denied"),
        (sqlite3.DatabaseError("database disk image is malformed"), "damaged"),
    ],
    ids=["MemoryError", "ENOSPC", "EFBIG", "EACCES", "malformed store"],
)
def test_what_the_machine_does_to_a_run_is_exit_2_and_one_line(
    work: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    exc: Exception,
    phrase: str,
) -> None:
    monkeypatch.setattr("rvucheck.cli.check.run_check", _raise(exc))
    before = sha256(work / "charges.xlsx")
    assert main(["check", str(work / "charges.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and phrase in err, err
    assert ("charges.xlsx" in err) or ("out.xlsx" in err) or ("data store" in err), err
    assert sha256(work / "charges.xlsx") == before


def test_findings_are_exit_1_and_nothing_else_is(work: Path) -> None:
    outcome = run_cli(work, "check", "charges.xlsx", "--no-annotate")
    outcome.assert_no_traceback()
    assert outcome.code == 1 and outcome.stderr == ""
    outcome.assert_inputs_unchanged()
    assert not outcome.written


def test_a_sheet_wide_merged_range_under_a_memory_limit_never_crashes(work: Path) -> None:
    """`<mergeCell ref="A6:XFD1048576"/>` makes openpyxl grow until memory runs out: under a 900 MB
    address space limit the run ends with one line (or, once merged ranges are clamped, is processed), never a
    traceback; nothing is written on failure."""
    merged = work / "merged.xlsx"
    with (
        zipfile.ZipFile(work / "charges.xlsx") as old,
        zipfile.ZipFile(merged, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                merge = b'</sheetData><mergeCells count="1"><mergeCell ref="A6:XFD1048576"/></mergeCells>'
                data = data.replace(b"</sheetData>", merge, 1)
            new.writestr(info, data)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (900_000_000, 900_000_000))

    before = snapshot(work)
    env = {**os.environ, "RVUCHECK_DATA": str(TEST_DATA_DIR), "PYTHONPATH": str(REPO / "src")}
    command = ["check", merged.name, "--format", "json", "--fail-on", "never"]
    done = subprocess.run(
        [sys.executable, "-m", "rvucheck.cli", *command],
        cwd=work, env=env, capture_output=True, text=True, timeout=300, preexec_fn=limit, check=False,
    )  # fmt: skip
    outcome = Outcome(done.returncode, done.stdout, done.stderr, before, snapshot(work), work)
    if outcome.code == 2:
        assert "memory" in outcome.assert_clean_error(merged)
    else:
        outcome.assert_no_traceback()
        # the merge is never loaded into an object model: the streamed copy keeps it as it was
        assert outcome.code == 0 and outcome.written == {"merged.rvucheck.xlsx"}, outcome.stderr
        with zipfile.ZipFile(work / "merged.rvucheck.xlsx") as copy:
            assert b'<mergeCell ref="A6:XFD1048576"/>' in copy.read("xl/worksheets/sheet1.xml")
        summary = outcome.json()["summary"]
        assert summary["lines"] == summary["checked"] + summary["unreadable"] == 4


@pytest.mark.parametrize("command", ["check", "audit"])
def test_a_workbook_part_calamine_accepts_and_lxml_rejects_is_one_line(work: Path, command: str) -> None:
    bad = work / "dup-attribute.xlsx"
    with (
        zipfile.ZipFile(work / "charges.xlsx") as old,
        zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<workbook", b'<workbook dup="1" dup="2"', 1)
            new.writestr(info, data)
    outcome = run_cli(work, command, bad.name)
    assert "damaged" in outcome.assert_clean_error(bad)
