"""`rvucheck init` writes the practice profile (issue 15, point 2): from options (--no-input) or by questions;
the locality is resolved and saved as its id; the file passes schemas/profile.json and settings.py reads the
roster back; an existing file is kept without --force; a bad profile is one line naming the key."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from rvucheck.cli.init import npi_valid, write_profile
from rvucheck.cli.main import main
from rvucheck.errors import RvucheckError
from rvucheck.settings import Provider, load_settings


def _init(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), "init", "--no-input", *args])


def test_from_options(data_dir: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rvucheck.toml"
    code = _init(
        data_dir, "--out", str(out), "--locality", "Dallas, TX", "--qpp",
        "--provider", "1234567893|Rivera, Ana|08|0.8|400", "--medicare-payer", "MEDICARE PART B",
    )  # fmt: skip
    assert code == 0
    settings = load_settings(out)
    assert (settings.locality, settings.qpp, settings.medicare_payers) == (
        "04412-11",
        True,
        ("MEDICARE PART B",),
    )
    assert settings.providers == (Provider("1234567893", "Rivera, Ana", "08", 0.8, 400.0),)
    assert "04412-11 DALLAS (TX)" in out.read_text(encoding="utf-8")


def test_never_overwrites_without_force(data_dir: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rvucheck.toml"
    out.write_text("# mine\n", encoding="utf-8")
    assert _init(data_dir, "--out", str(out)) == 2
    assert "already exists; use --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "# mine\n"
    assert _init(data_dir, "--out", str(out), "--force") == 0
    assert "medicare_payers" in out.read_text(encoding="utf-8")


def test_ambiguous_locality_from_options_is_refused(data_dir: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert _init(data_dir, "--out", str(tmp_path / "r.toml"), "-l", "Texas") == 2
    assert "fits 8 Medicare localities" in capsys.readouterr().err
    assert not (tmp_path / "r.toml").exists()


def test_by_questions_asks_again_after_an_ambiguous_locality(data_dir: Path, tmp_path: Path) -> None:
    answers = iter(["Texas", "Harris, TX", "n", "Medicare, Medicare Advantage",
                    "123", "1234567893", "Rivera, Ana", "08", "", "420", ""])  # fmt: skip
    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return next(answers)

    args = argparse.Namespace(
        out=tmp_path / "rvucheck.toml", force=False, locality=None, qpp=None, medicare_payer=[], provider=[],
        data_dir=str(data_dir),
    )  # fmt: skip
    assert write_profile(args, ask) == 0
    settings = load_settings(args.out)
    assert settings.locality == "04412-18"  # Houston
    assert settings.medicare_payers == ("Medicare", "Medicare Advantage")
    assert settings.providers == (Provider("1234567893", "Rivera, Ana", "08", 1.0, 420.0),)
    assert sum("Locality" in q for q in asked) == 2 and sum("NPI" in q for q in asked) == 3


def test_npi_check_digit() -> None:
    assert npi_valid("1234567893") and not npi_valid("1234567890") and not npi_valid("123456789")


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ('[providers.12345]\nname = "X"\n', "providers: '12345' does not match"),
        ('[providers.1234567893]\nname = "X"\nfte = "full"\n', "providers.1234567893.fte"),
        ('medicare_payers = "MEDICARE"\n', "medicare_payers"),
    ],
)
def test_a_bad_profile_is_one_line_naming_the_key(tmp_path: Path, toml: str, said: str, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "rvucheck.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "c.csv").write_text("CPT\n99213\n", encoding="utf-8")
    assert main([str(tmp_path / "c.csv"), "--no-annotate"]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1


def test_roster_without_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rvucheck.toml"
    path.write_text("[providers.1234567893]\nfte = 1\n", encoding="utf-8")
    with pytest.raises(RvucheckError, match=r"providers\.1234567893"):
        load_settings(path)
