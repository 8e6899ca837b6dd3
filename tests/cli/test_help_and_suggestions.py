"""`rvucheck --help` is a user's text (what it does, `rvucheck FILE` = check, examples, exit codes); misspelt
commands and options get a "did you mean"; a bare code points at `rvucheck code` (issue 15, point 8)."""

from __future__ import annotations

import pytest

from rvucheck.cli.main import main


def test_help_is_for_users(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert "argument parsing" not in out  # not the module docstring
    assert "`rvucheck FILE` is short for `rvucheck check FILE`" in out
    assert "rvucheck code 99213-25" in out and "rvucheck data install" in out
    for code in ("0  ok", "1  findings", "2  a problem you can fix", "3  internal error"):
        assert code in out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["20983"], "did you mean: rvucheck code 20983"),
        (["G0438"], "did you mean: rvucheck code G0438"),
        (["99213-25"], "did you mean: rvucheck code 99213-25"),
        (["chek", "x.xlsx"], "did you mean: rvucheck check"),
        (["adit"], "did you mean: rvucheck audit"),
    ],
)
def test_command_suggestions(argv: list[str], said: str, capsys, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1


def test_an_existing_file_named_like_a_code_is_still_checked(capsys, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "20983").write_text("not a charge file", encoding="utf-8")
    assert main(["20983"]) == 2
    assert "rvucheck code" not in capsys.readouterr().err


def test_a_missing_file_is_not_a_command(capsys, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert main(["march.xlsx"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["code", "99213", "--localty", "X"], "did you mean --locality?"),
        (["data", "instal"], "did you mean 'install'?"),
        (["rules", "lst"], "did you mean 'list'?"),
    ],
)
def test_option_suggestions(argv: list[str], said: str, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    assert said in capsys.readouterr().err
