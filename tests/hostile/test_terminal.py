"""A file name is input too: control characters in it never reach the terminal raw (a name can hold
`ESC]0;...BEL`, which retitles or clears a terminal)."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.harness import run_cli

EXPORT = "Patient ID,DOS,CPT\nA1,2026-07-01,99213\n"


def test_a_file_name_with_terminal_escapes_is_printed_escaped(tmp_path: Path) -> None:
    export = tmp_path / "charges\x1b]0;owned\x07\x1b[2J.csv"
    export.write_text(EXPORT, encoding="utf-8")
    outcome = run_cli(tmp_path, "check", export.name, "--fail-on", "never")
    outcome.assert_no_traceback()
    assert outcome.code == 0 and len(outcome.written) == 1  # the copy, named after the input
    for stream in (outcome.stdout, outcome.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    assert "charges\\x1b]0;owned\\x07\\x1b[2J.rvucheck.xlsx" in outcome.stdout  # the name, visibly escaped
    assert "no modifiers column found" in outcome.stderr  # the missing-column line, escaped too


def test_an_error_about_such_a_file_is_one_escaped_line(tmp_path: Path) -> None:
    export = tmp_path / "empty\x1b[2J.csv"
    export.write_text("", encoding="utf-8")
    outcome = run_cli(tmp_path, "check", export.name)
    line = outcome.assert_clean_error()
    assert "\x1b" not in line and "empty\\x1b[2J.csv" in line
