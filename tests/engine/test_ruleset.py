"""Rule files are validated with the package JSON Schemas; a bad file names file, path and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rvucheck.errors import RuleFileError
from rvucheck.rules.ruleset import builtin_rules_dir, load_all, load_rule_file, load_ruleset
from rvucheck.settings import Settings

GOOD = (builtin_rules_dir() / "gs" / "GS01.yaml").read_text(encoding="utf-8")


def write_rule(
    folder: Path, rule_id: str, change: dict[str, object] | None = None, text: str | None = None
) -> Path:
    data = yaml.safe_load(GOOD)
    data["id"] = rule_id
    for dotted, value in (change or {}).items():
        target = data
        *parents, last = dotted.split(".")
        for part in parents:
            target = target[part]
        if value is None:
            del target[last]
        else:
            target[last] = value
    path = folder / "gs" / f"{rule_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(RuleFileError) as caught:
        load_rule_file(path)
    return str(caught.value)


def test_params_error_names_file_and_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_rule(tmp_path, "GS91", {"params.modifiers": "25"})
    assert error_of(path) == "gs/GS91.yaml: params.modifiers: '25' is not of type 'array'"


def test_params_item_error_has_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_rule(tmp_path, "GS92", {"params.modifiers": [25]})
    assert error_of(path) == "gs/GS92.yaml: params.modifiers[0]: 25 is not of type 'string'"


def test_params_are_checked_against_the_kinds_own_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_rule(tmp_path, "GS89", {"params.check": "same_day"})
    assert (
        error_of(path)
        == "gs/GS89.yaml: params: Additional properties are not allowed ('check' was unexpected)"
    )
    path = write_rule(tmp_path, "GS88", {"kind": "dos_future", "message": "{code} on {dos}"})
    assert error_of(path).startswith("gs/GS88.yaml: params: Additional properties are not allowed (")


def test_severity_words_come_from_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert error_of(write_rule(tmp_path, "GS87", {"severity": "fatal"})) == (
        "gs/GS87.yaml: severity: 'fatal' is not one of ['error', 'warning', 'info']"
    )


def test_envelope_checked_first(tmp_path: Path) -> None:
    message = error_of(write_rule(tmp_path, "GS93", {"docs.fix": None, "kind": "no_such_kind"}))
    assert message.endswith("GS93.yaml: docs: 'fix' is a required property")


def test_unknown_kind_lists_valid_kinds(tmp_path: Path) -> None:
    message = error_of(write_rule(tmp_path, "GS94", {"kind": "no_such_kind"}))
    valid = "valid kinds: addon_primary, addon_time_units, anesthesia_minutes, anesthesia_time, "
    valid += "attachment_missing,"
    assert f"kind: unknown kind 'no_such_kind'; {valid}" in message


def test_unknown_message_field(tmp_path: Path) -> None:
    message = error_of(write_rule(tmp_path, "GS95", {"message": "{code} and {patient_name}"}))
    assert "message: unknown field {patient_name}; available:" in message


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "GS96")
    path.rename(path.with_name("GS97.yaml"))
    assert "id: 'GS96' does not match the file name" in error_of(path.with_name("GS97.yaml"))


def test_invalid_yaml(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "GS98", text="id: [unclosed\n")
    assert "GS98.yaml: not valid YAML" in error_of(path)


def test_extra_folder_adds_rules_and_ids_stay_unique(tmp_path: Path) -> None:
    write_rule(tmp_path, "GS90")
    ruleset = load_ruleset(Settings(rule_dirs=(tmp_path,)))
    assert "GS90" in ruleset.ids and len(ruleset) == len(load_all()) + 1
    write_rule(tmp_path, "GS01")
    with pytest.raises(RuleFileError, match="id GS01 is already used by"):
        load_ruleset(Settings(rule_dirs=(tmp_path,)))


def test_select_ignore_by_id_and_family() -> None:
    ruleset = load_ruleset(Settings(select=("GS", "NC01"), ignore=("GS06",)))
    assert ruleset.ids == ("GS01", "GS02", "GS03", "GS04", "GS05", "NC01")


def test_severity_override_by_family() -> None:
    ruleset = load_ruleset(Settings(select=("MU",), severities={"MU": "info", "MU01": "warning"}))
    assert [(r.id, r.severity) for r in ruleset] == [("MU01", "warning"), ("MU02", "info"), ("MU03", "info")]


def test_unknown_selection_is_an_error() -> None:
    with pytest.raises(RuleFileError, match="select: no rule or family 'XX9'"):
        load_ruleset(Settings(select=("XX9",)))


def test_missing_rule_folder() -> None:
    with pytest.raises(RuleFileError, match="rule folder not found"):
        load_ruleset(Settings(rule_dirs=(Path("/nonexistent/rules"),)))


def test_builtin_rules_found_installed_and_in_a_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rvucheck.rules.ruleset as ruleset

    installed = tmp_path / "site-packages" / "rvucheck"
    (installed / "_rules").mkdir(parents=True)
    monkeypatch.setattr(ruleset, "__file__", str(installed / "rules" / "ruleset.py"))
    assert ruleset.builtin_rules_dir() == installed / "_rules"

    checkout = tmp_path / "repo"
    (checkout / "src" / "rvucheck").mkdir(parents=True)
    (checkout / "rules").mkdir()
    monkeypatch.setattr(ruleset, "__file__", str(checkout / "src" / "rvucheck" / "rules" / "ruleset.py"))
    assert ruleset.builtin_rules_dir() == (checkout / "rules").resolve()

    monkeypatch.setattr(ruleset, "__file__", str(tmp_path / "nowhere" / "a" / "ruleset.py"))
    with pytest.raises(RuleFileError, match="built-in rules not found"):
        ruleset.builtin_rules_dir()
