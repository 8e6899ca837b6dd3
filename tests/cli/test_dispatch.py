"""The dispatcher: `rvucheck FILE` means `rvucheck check FILE`; global option values are not commands."""

from __future__ import annotations

from rvucheck.cli.main import _first_positional, main


def test_global_option_value_is_not_taken_for_the_command() -> None:
    assert _first_positional(["--data-dir", "/tmp/x", "code", "20983"]) == 2
    assert _first_positional(["--data-dir=/tmp/x", "code", "20983"]) == 1
    assert _first_positional(["charges.xlsx"]) == 0
    assert _first_positional(["--version"]) is None


def test_data_dir_with_space_runs_the_named_command(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--data-dir", str(data_dir), "code", "20983", "--json"]) == 0
    assert '"work_rvu": 6.71' in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([]) == 2
    assert "usage: rvucheck" in capsys.readouterr().out
