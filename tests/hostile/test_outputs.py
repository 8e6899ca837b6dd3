"""Hostile outputs: an output that is, links to or aliases an input; two outputs with one name; a folder in
the way; a file-size limit mid-write; temps left by a killed run; two runs racing for one name; SIGTERM.

Every case: exit code, one line naming the file, no traceback, inputs byte-identical, nothing written (or
exactly the outputs expected)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tests.hostile.harness import REPO, run_cli
from tests.hostile.outputs_common import file_size_limit, history_months, make_charges

from rvucheck.errors import OutputError
from rvucheck.outputs import TEMP_PREFIX, Outputs

pytestmark = pytest.mark.usefixtures("data_dir")


def _alias(work: Path, how: str) -> str:
    """A second name for the input: the same path, a relative detour, a symlink or a hard link."""
    source = work / "charges.xlsx"
    if how == "same":
        return "charges.xlsx"
    if how == "detour":
        (work / "sub").mkdir()
        return "sub/../charges.xlsx"
    if how == "symlink":
        (work / "link.xlsx").symlink_to(source)
        return "link.xlsx"
    if how == "folder symlink":
        (work / "linked-folder").symlink_to(work)
        return "linked-folder/charges.xlsx"
    os.link(source, work / "hard.xlsx")
    return "hard.xlsx"


ALIASES = ("same", "detour", "symlink", "folder symlink", "hardlink")


@pytest.mark.parametrize("option", ["--out", "--html", "--json"])
@pytest.mark.parametrize("how", ALIASES)
def test_audit_never_writes_over_its_input(work: Path, store: Path, option: str, how: str) -> None:
    target = _alias(work, how)
    outcome = run_cli(work, "audit", "charges.xlsx", option, target, data_dir=store)
    line = outcome.assert_clean_error(target)
    assert "would replace the input charges.xlsx" in line
    assert history_months(store) == []  # refused before the work: no month recorded


@pytest.mark.parametrize("how", ALIASES)
def test_check_never_writes_over_its_input_even_with_force(work: Path, how: str) -> None:
    target = _alias(work, how)
    outcome = run_cli(work, "check", "charges.xlsx", "--out", target, "--force")
    assert "would replace the input" in outcome.assert_clean_error(target)


def test_a_batch_never_writes_one_copy_over_another_input(work: Path) -> None:
    """`rvucheck a.xlsx a.rvucheck.xlsx --force`: a's copy would replace the second input."""
    make_charges(work, "charges.rvucheck.xlsx")
    outcome = run_cli(work, "charges.xlsx", "charges.rvucheck.xlsx", "--force")
    line = outcome.assert_clean_error("charges.rvucheck.xlsx")
    assert "would replace the input" in line


def test_two_inputs_whose_copies_share_a_name_are_refused_before_any_work(work: Path) -> None:
    (work / "charges.csv").write_text("CPT,Units,DOS\n99213,1,2026-07-06\n")
    outcome = run_cli(work, "charges.xlsx", "charges.csv")
    assert "same name" in outcome.assert_clean_error("charges.rvucheck.xlsx")


def test_audit_outputs_that_share_a_name_are_refused(work: Path, store: Path) -> None:
    outcome = run_cli(work, "audit", "charges.xlsx", "--out", "a.xlsx", "--html", "a.xlsx", data_dir=store)
    assert "same name" in outcome.assert_clean_error("a.xlsx")


@pytest.mark.parametrize("option", ["--out", "--html", "--json"])
def test_audit_refuses_an_existing_output_without_force(work: Path, store: Path, option: str) -> None:
    """As `check` does: an existing output is refused before any work (one line naming it, no month
    recorded, the file untouched); with --force it is replaced."""
    name = {"--out": "audit.xlsx", "--html": "audit.html", "--json": "audit.json"}[option]
    (work / name).write_bytes(b"someone else's file")
    outcome = run_cli(work, "audit", "charges.xlsx", option, name, data_dir=store)
    line = outcome.assert_clean_error(name)
    assert "already exists; use --force to replace it or choose another name" in line
    assert history_months(store) == [] and (work / name).read_bytes() == b"someone else's file"
    forced = run_cli(work, "audit", "charges.xlsx", option, name, "--force", data_dir=store)
    assert forced.code == 0, forced.stderr[-500:]
    assert (work / name).read_bytes() != b"someone else's file" and history_months(store) == ["2026-07"]


def test_each_month_refuses_an_existing_output_without_force(work: Path, store: Path) -> None:
    (work / "audit-2026-07.json").write_text("{}")
    outcome = run_cli(work, "audit", "charges.xlsx", "--each-month", "--json", "audit.json", data_dir=store)
    assert "already exists" in outcome.assert_clean_error("audit-2026-07.json")
    assert (work / "audit-2026-07.json").read_text() == "{}"


def test_a_batch_is_all_or_nothing_when_a_later_output_exists(work: Path) -> None:
    """The second copy exists (no --force): refused before any work, the first copy is not written either."""
    make_charges(work, "second.xlsx")
    (work / "second.rvucheck.xlsx").write_bytes(b"someone else's file")
    outcome = run_cli(work, "charges.xlsx", "second.xlsx")
    assert "already exists" in outcome.assert_clean_error("second.rvucheck.xlsx")


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (("check", "charges.xlsx", "--out"), "a-folder.xlsx"),
        (("audit", "charges.xlsx", "--out"), "a-folder.xlsx"),
        (("audit", "charges.xlsx", "--html"), "a-folder.xlsx"),
        (("workbook", "template", "--force", "--out"), "a-folder.xlsx"),
    ],
)
def test_an_output_that_is_a_folder(work: Path, store: Path, command: tuple[str, ...], name: str) -> None:
    (work / name).mkdir()
    (work / name / "keep.txt").write_text("mine")
    outcome = run_cli(work, *command, name, data_dir=store)
    assert "is a folder" in outcome.assert_clean_error(name)


@pytest.mark.parametrize("option", ["--out", "--json"])
def test_an_output_under_a_regular_file(work: Path, store: Path, option: str) -> None:
    """Not writable for root too (root ignores permissions, not file types)."""
    (work / "notes.txt").write_text("a file, not a folder")
    name = "notes.txt/report.xlsx" if option == "--out" else "notes.txt/report.json"
    command = ("check", "charges.xlsx") if option == "--out" else ("audit", "charges.xlsx")
    outcome = run_cli(work, *command, option, name, data_dir=store)
    assert "is not a folder" in outcome.assert_clean_error("report.")


def test_an_output_in_a_missing_folder(work: Path, store: Path) -> None:
    outcome = run_cli(work, "audit", "charges.xlsx", "--json", "missing/audit.json", data_dir=store)
    assert "does not exist" in outcome.assert_clean_error("audit.json")


@pytest.mark.parametrize(
    "command",
    [
        ("check", "charges.xlsx"),
        ("check", "charges.xlsx", "--format", "json"),
        ("audit", "charges.xlsx", "--out", "audit.xlsx"),
        ("audit", "charges.xlsx", "--json", "audit.json", "--html", "audit.html"),
    ],
)
def test_a_file_size_limit_mid_write_leaves_nothing(
    work: Path, store: Path, command: tuple[str, ...]
) -> None:
    """RLIMIT_FSIZE: SIGXFSZ is ignored so the write fails with EFBIG; one line, no temp, no history."""
    with file_size_limit(3000):
        outcome = run_cli(work, *command, data_dir=store)
    outcome.assert_no_traceback()
    assert outcome.code == 2, outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and "file-size limit" in lines[0], outcome.stderr
    outcome.assert_inputs_unchanged()
    assert not outcome.written  # no output, no temp
    assert history_months(store) == []


def test_an_audit_that_writes_records_the_month_after_its_outputs(work: Path, store: Path) -> None:
    outcome = run_cli(
        work, "audit", "charges.xlsx", "--out", "audit.xlsx", "--json", "audit.json", data_dir=store
    )
    outcome.assert_no_traceback()
    assert outcome.code == 0, outcome.stderr
    assert outcome.written == {"audit.xlsx", "audit.json"}
    outcome.assert_inputs_unchanged()
    assert history_months(store) == ["2026-07"]


def test_stale_temps_of_a_killed_run_are_swept_and_live_ones_kept(work: Path) -> None:
    dead = work / f"{TEMP_PREFIX}999999999-abc.xlsx"  # no such process
    live = work / f"{TEMP_PREFIX}{os.getpid()}-def.xlsx"  # this test's process: alive
    other = work / ".charges.o.1234.xlsx"  # not a name rvucheck makes: never touched
    for path in (dead, live, other):
        path.write_bytes(b"left behind")
    outcome = run_cli(work, "check", "charges.xlsx", "--fail-on", "never")
    outcome.assert_no_traceback()
    assert outcome.code == 0, outcome.stderr
    assert outcome.written == {"charges.rvucheck.xlsx"}
    assert outcome.changed == {dead.name}  # removed
    assert live.exists() and other.exists()


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_signal_mid_write_removes_the_temps(tmp_path: Path, signum: int, code: int, said: str) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from rvucheck.cli.main import _failed
        from rvucheck.outputs import Outputs, install_signal_handlers
        install_signal_handlers()
        try:
            with Outputs((), force=False) as outputs:
                out = outputs.plan(Path({str(tmp_path / "out.xlsx")!r}))
                outputs.stage(out).write_bytes(b"half a copy")
                print("staged", flush=True)
                time.sleep(60)
        except BaseException as exc:
            sys.exit(_failed(exc, None))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert child.stdout is not None and child.stdout.readline().strip() == b"staged"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
    child.send_signal(signum)
    _, err = child.communicate(timeout=30)
    assert child.returncode == code, err
    assert err.decode().strip() == f"rvucheck: {said}"
    assert list(tmp_path.iterdir()) == []


def test_two_runs_racing_for_one_name_never_overwrite_each_other(tmp_path: Path) -> None:
    """Both planned while the name was free; the one that renames second is refused, the first file stays."""
    target = tmp_path / "copy.xlsx"
    first, second = Outputs(), Outputs()
    with first, second:
        first.plan(target)
        second.plan(target)
        first.stage(target).write_bytes(b"first")
        second.stage(target).write_bytes(b"second")
        assert first.commit() == [target]
        with pytest.raises(OutputError, match="already exists"):
            second.commit()
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["copy.xlsx"]  # the loser's temp is gone


def test_a_failed_commit_names_what_was_already_written(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    with Outputs() as outputs:
        for path in (a, b):
            outputs.plan(path)
            outputs.stage(path).write_text("{}")
        b.write_text("appeared meanwhile")
        with pytest.raises(OutputError, match=r"b\.json already exists.*already written: .*a\.json"):
            outputs.commit()
    assert b.read_text() == "appeared meanwhile" and a.read_text() == "{}"
