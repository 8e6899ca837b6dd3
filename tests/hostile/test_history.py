"""Hostile audit history: weak, damaged or symlinked secrets, a damaged history file, `history reset`, and
what the history holds (keyed patients; no claim number, posting date or diagnosis)."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from tests.hostile.harness import run_cli
from tests.hostile.outputs_common import PATIENTS, file_size_limit, history_months

pytestmark = pytest.mark.usefixtures("data_dir")
SECRET, HISTORY = "audit-secret.key", "audit-history.sqlite"


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "is empty"),
        (b"  \n\t \n", "is empty"),
        (b"ab\n", "is 1 bytes, at least 32"),
        (b"ab" * 31, "is 31 bytes, at least 32"),
        (b"zz" * 32, "not hex"),
        ("é".encode() * 40, "not hex"),
        (b"\x00\xff" * 40, "not hex"),
    ],
    ids=["empty", "whitespace", "1 byte", "31 bytes", "non-hex", "unicode", "binary"],
)
def test_a_weak_secret_is_refused_and_nothing_is_written(
    work: Path, store: Path, content: bytes, phrase: str
) -> None:
    (store / SECRET).write_bytes(content)
    outcome = run_cli(work, "audit", "charges.xlsx", "--json", "audit.json", data_dir=store)
    line = outcome.assert_clean_error(SECRET)
    assert phrase in line and "history reset --yes" in line
    assert (store / SECRET).read_bytes() == content  # never "repaired" behind the user's back
    assert not (store / HISTORY).exists()


def test_a_good_secret_with_a_newline_and_capitals_is_accepted(work: Path, store: Path) -> None:
    (store / SECRET).write_bytes(b"AB" * 32 + b"\n")
    outcome = run_cli(work, "audit", "charges.xlsx", data_dir=store)
    outcome.assert_no_traceback()
    assert outcome.code == 0, outcome.stderr
    assert history_months(store) == ["2026-07"]


def test_a_new_secret_is_32_random_bytes_mode_0600(work: Path, store: Path) -> None:
    assert run_cli(work, "audit", "charges.xlsx", data_dir=store).code == 0
    secret = store / SECRET
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(bytes.fromhex(secret.read_text())) == 32
    assert not [p for p in store.iterdir() if p.name.startswith(".rvucheck-secret-")]


def test_a_widened_secret_is_tightened_to_0600(work: Path, store: Path) -> None:
    secret = store / SECRET
    secret.write_text("cd" * 32)
    secret.chmod(0o644)
    assert run_cli(work, "audit", "charges.xlsx", data_dir=store).code == 0
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


@pytest.mark.parametrize("target_exists", [True, False], ids=["to a file", "dangling"])
def test_a_symlinked_secret_is_refused_and_its_target_untouched(
    tmp_path: Path, work: Path, store: Path, target_exists: bool
) -> None:
    target = tmp_path / "elsewhere.key"
    if target_exists:
        target.write_text("ef" * 32)
        target.chmod(0o644)
    (store / SECRET).symlink_to(target)
    outcome = run_cli(work, "audit", "charges.xlsx", "--json", "audit.json", data_dir=store)
    assert "symbolic link" in outcome.assert_clean_error(SECRET)
    if target_exists:
        assert stat.S_IMODE(target.stat().st_mode) == 0o644 and target.read_text() == "ef" * 32
    else:
        assert not target.exists()


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x13\x37 not sqlite at all " * 100)


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage", [_garbage, _truncated], ids=["garbage", "truncated"])
@pytest.mark.parametrize("command", [("audit", "charges.xlsx", "--json", "audit.json"), ("history", "list")])
def test_a_damaged_history_is_one_line_naming_it(
    work: Path,
    store: Path,
    damage,
    command: tuple[str, ...],  # type: ignore[no-untyped-def]
) -> None:
    assert run_cli(work, "audit", "charges.xlsx", data_dir=store).code == 0  # a history with one month
    for extra in ("-wal", "-shm"):
        (store / (HISTORY + extra)).unlink(missing_ok=True)
    damage(store / HISTORY)
    outcome = run_cli(work, *command, data_dir=store)
    line = outcome.assert_clean_error(HISTORY)
    assert "history reset --yes" in line or "damaged" in line


def test_history_reset_says_what_is_lost_and_needs_yes(work: Path, store: Path) -> None:
    assert run_cli(work, "audit", "charges.xlsx", data_dir=store).code == 0
    outcome = run_cli(work, "history", "reset", data_dir=store)
    line = outcome.assert_clean_error()
    assert "1 audited months (2026-07)" in line and "secret" in line and "--yes" in line
    assert history_months(store) == ["2026-07"] and (store / SECRET).exists()
    done = run_cli(work, "history", "reset", "--yes", data_dir=store)
    assert done.code == 0 and "deleted" in done.stdout
    assert not (store / HISTORY).exists() and not (store / SECRET).exists()
    assert (store / "catalog.sqlite").exists()  # the CMS data is not the history's to delete


def test_history_reset_works_on_a_damaged_history_and_never_follows_links(
    tmp_path: Path, work: Path, store: Path
) -> None:
    _garbage(store / HISTORY)
    elsewhere = tmp_path / "precious.key"
    elsewhere.write_text("keep me")
    (store / SECRET).symlink_to(elsewhere)
    refused = run_cli(work, "history", "reset", data_dir=store)
    assert "a damaged history" in refused.assert_clean_error()
    assert run_cli(work, "history", "reset", "--yes", data_dir=store).code == 0
    assert not os.path.lexists(store / SECRET) and not (store / HISTORY).exists()
    assert elsewhere.read_text() == "keep me"


def test_the_history_holds_keyed_patients_and_no_claim_posting_date_or_diagnosis(
    work: Path, store: Path
) -> None:
    assert run_cli(work, "audit", "charges.xlsx", data_dir=store).code == 0
    with sqlite3.connect(store / HISTORY) as conn:
        rows = conn.execute(
            "SELECT patient_key, claim, posted, diagnoses, hcpcs, dos FROM lines_2026_07"
        ).fetchall()
        dump = "\n".join(conn.iterdump())
    assert len(rows) == 4
    assert all(
        len(key) == 64 and claim == "" and posted is None and dx == ""
        for key, claim, posted, dx, _, _ in rows
    )
    assert {hcpcs for *_, hcpcs, _ in rows} == {"99213", "20610", "99214"}  # what the rules need stays
    assert {dos for *_, dos in rows} == {"2026-07-06"}
    for clear in (*PATIENTS, "CLM-55", "M17.11", "I10", "2026-07-09"):
        assert clear not in dump, clear


def test_a_re_audit_of_the_month_replaces_it(work: Path, store: Path) -> None:
    for _ in range(2):
        assert run_cli(work, "audit", "charges.xlsx", data_dir=store).code == 0
    with sqlite3.connect(store / HISTORY) as conn:
        assert conn.execute("SELECT COUNT(*) FROM lines_2026_07").fetchone() == (4,)
    assert history_months(store) == ["2026-07"]


@pytest.mark.parametrize("month", ["2026-13", "26-07", "2026_07", "'; DROP TABLE months; --"])
def test_history_forget_of_a_bad_month_is_one_line(work: Path, store: Path, month: str) -> None:
    assert run_cli(work, "audit", "charges.xlsx", data_dir=store).code == 0
    outcome = run_cli(work, "history", "forget", month, data_dir=store)
    outcome.assert_clean_error()
    assert history_months(store) == ["2026-07"]


def test_a_history_write_that_fails_after_the_outputs_says_so_and_records_nothing(
    work: Path, store: Path
) -> None:
    """The file-size limit lets the JSON through but not the history's pages: one line naming the history
    and what was written; the month is not recorded, and the history still works afterwards."""
    with file_size_limit(16_000):
        outcome = run_cli(work, "audit", "charges.xlsx", "--json", "audit.json", data_dir=store)
    outcome.assert_no_traceback()
    assert outcome.code == 2, outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and HISTORY in lines[0], outcome.stderr
    assert "audit.json written; month 2026-07 not recorded" in lines[0]
    assert outcome.written == {"audit.json"}
    outcome.assert_inputs_unchanged()
    assert history_months(store) == []
    assert run_cli(work, "audit", "charges.xlsx", data_dir=store).code == 0
    assert history_months(store) == ["2026-07"]


def test_a_history_that_is_a_folder_stops_the_audit_before_any_output(work: Path, store: Path) -> None:
    (store / HISTORY).mkdir()
    outcome = run_cli(work, "audit", "charges.xlsx", "--json", "audit.json", data_dir=store)
    outcome.assert_clean_error(HISTORY)
