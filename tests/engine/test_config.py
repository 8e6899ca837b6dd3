"""rvucheck.toml beside the workbook (or --config), then command-line overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from rvucheck.errors import RuleFileError
from rvucheck.settings import Settings, load_settings

TOML = """
locality = "01112-05"
qpp = true
release = "RVU26C"
select = ["GS", "nc01"]
ignore = ["GS06"]
fail_on = "warning"
rules = ["payer"]

[severities]
MU03 = "error"
"""


def test_config_beside_workbook(tmp_path: Path) -> None:
    (tmp_path / "rvucheck.toml").write_text(TOML, encoding="utf-8")
    settings = load_settings(None, tmp_path / "charges.xlsx")
    assert settings.locality == "01112-05" and settings.qpp is True and settings.release == "RVU26C"
    assert settings.select == ("GS", "NC01") and settings.ignore == ("GS06",)
    assert settings.severities == {"MU03": "error"} and settings.fail_on == "warning"
    assert settings.rule_dirs == ((tmp_path / "payer").resolve(),)
    assert settings.config_path == tmp_path / "rvucheck.toml"


def test_overrides_win_and_none_is_ignored(tmp_path: Path) -> None:
    config = tmp_path / "team.toml"
    config.write_text(TOML, encoding="utf-8")
    settings = load_settings(config, None, locality="05102-99", qpp=None, select="MU01,MU02", rule_dirs=["x"])
    assert settings.locality == "05102-99" and settings.qpp is True
    assert settings.select == ("MU01", "MU02")
    assert settings.rule_dirs == ((tmp_path / "payer").resolve(), Path("x"))


def test_defaults_without_config(tmp_path: Path) -> None:
    assert load_settings(None, tmp_path / "charges.xlsx") == Settings()


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "rvucheck.toml"
    config.write_text('locality = "x"\nseverity = {}\n', encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"rvucheck.toml: unknown key 'severity'; valid keys are"):
        load_settings(config, None)


def test_bad_values(tmp_path: Path) -> None:
    config = tmp_path / "rvucheck.toml"
    config.write_text('[severities]\nGS01 = "fatal"\n', encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"severities.GS01: 'fatal' is not one of error, warning, info"):
        load_settings(config, None)
    config.write_text("qpp = 1\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="qpp: expected true or false"):
        load_settings(config, None)
    config.write_text("qpp = \n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="not valid TOML"):
        load_settings(config, None)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", None)
