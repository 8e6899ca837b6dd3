"""Discover rule files, validate them with JSON Schemas, and select the rules a run uses.

A rule file is `rules/<family>/<ID>.yaml`. Validation is two-step, like jsonschema's own vocabularies:
the envelope (`schemas/rule.json`) first, then the params against the schema the kind carries
(`Kind.params`, beside its check function). Errors name the file and the path inside it:
`rules/gs/GS01.yaml: params.modifiers: ...`.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema.exceptions import best_match

from rvucheck.engine.kinds import COMMON_FIELDS, KINDS
from rvucheck.errors import RuleFileError
from rvucheck.model import SEVERITIES
from rvucheck.settings import Settings

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"


@dataclass(frozen=True, eq=False)
class Docs:
    what: str
    why: str
    fix: str


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    name: str
    title: str
    severity: str
    kind: str
    params: Mapping[str, Any]
    message: str
    docs: Docs
    refs: tuple[str, ...]
    cases: tuple[Mapping[str, Any], ...]
    path: Path | None = None
    scope: str = "all"  # "medicare": Medicare payment/coverage policy, not coding every payer holds to

    @property
    def family(self) -> str:
        return self.id.rstrip("0123456789")


@dataclass(frozen=True, eq=False)
class Ruleset:
    rules: tuple[Rule, ...]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.rules)

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id.upper():
                return rule
        raise RuleFileError(f"no rule {rule_id!r}; `rvucheck rules list` shows the valid ids")


def builtin_rules_dir() -> Path:
    """The shipped rules: `rvucheck/_rules` in an installed wheel, `<checkout>/rules` otherwise."""
    package_dir = Path(__file__).resolve().parents[1]  # .../rvucheck
    packaged = package_dir / "_rules"
    if packaged.is_dir():
        return packaged
    checkout = package_dir.parents[1] / "rules"
    if checkout.is_dir():
        return checkout
    raise RuleFileError(f"built-in rules not found (looked in {packaged} and {checkout}); reinstall rvucheck")


def load_ruleset(settings: Settings | None = None) -> Ruleset:
    """Built-in rules plus `settings.rule_dirs`, filtered by select/ignore, severities overridden."""
    settings = settings or Settings()
    rules = load_all(settings.rule_dirs)
    return select_rules(rules, settings)


def load_all(extra_dirs: tuple[Path, ...] = ()) -> list[Rule]:
    """Every rule from the built-in folder and the extra folders; ids must be unique across them."""
    rules: list[Rule] = []
    seen: dict[str, Path | None] = {}
    for folder in (builtin_rules_dir(), *extra_dirs):
        for rule in load_rules_dir(Path(folder)):
            if rule.id in seen:
                raise RuleFileError(
                    f"{rule.path}: id {rule.id} is already used by {seen[rule.id]}; pick a new id"
                )
            seen[rule.id] = rule.path
            rules.append(rule)
    return sorted(rules, key=lambda rule: rule.id)


def load_rules_dir(folder: Path) -> list[Rule]:
    if not folder.is_dir():
        raise RuleFileError(f"{folder}: rule folder not found; pass an existing folder to --rules")
    return [load_rule_file(path) for path in sorted(folder.rglob("*.yaml"))]


def select_rules(rules: list[Rule], settings: Settings) -> Ruleset:
    ids = {rule.id for rule in rules}
    families = {rule.family for rule in rules}
    where = str(settings.config_path) if settings.config_path else "settings"
    for key, wanted in (
        ("select", settings.select),
        ("ignore", settings.ignore),
        ("severities", settings.severities),
    ):
        for item in wanted:
            if item not in ids and item not in families:
                raise RuleFileError(f"{where}: {key}: no rule or family {item!r}; see `rvucheck rules list`")

    def matches(rule: Rule, patterns: tuple[str, ...] | dict[str, str]) -> bool:
        return rule.id in patterns or rule.family in patterns

    chosen = []
    for rule in rules:
        if settings.select and not matches(rule, settings.select):
            continue
        if matches(rule, settings.ignore):
            continue
        severity = settings.severities.get(rule.id, settings.severities.get(rule.family, rule.severity))
        chosen.append(replace(rule, severity=severity) if severity != rule.severity else rule)
    return Ruleset(tuple(chosen))


def load_rule_file(path: Path) -> Rule:
    shown = _display(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_RuleLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problem = str(exc).replace("\n", " ")
        raise RuleFileError(f"{shown}: not valid YAML ({problem})") from None
    _validate(data, _envelope_validator(), shown, "")
    kind = KINDS.get(data["kind"])
    if kind is None:
        raise RuleFileError(
            f"{shown}: kind: unknown kind {data['kind']!r}; valid kinds: {', '.join(sorted(KINDS))}"
        )
    _validate(data["params"], _params_validator(kind.name), shown, "params")
    if path.stem != data["id"]:
        raise RuleFileError(
            f"{shown}: id: {data['id']!r} does not match the file name; name it {data['id']}.yaml"
        )
    _check_message(data["message"], kind.fields, shown)
    return Rule(
        id=data["id"],
        name=data["name"],
        title=data["title"],
        severity=data["severity"],
        kind=data["kind"],
        params=data["params"],
        message=data["message"].strip(),
        docs=Docs(**{k: str(v).strip() for k, v in data["docs"].items()}),
        refs=tuple(data["refs"]),
        cases=tuple(data["cases"]),
        path=path,
        scope=data.get("scope", "all"),
    )


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster


class _RuleLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Safe loader that keeps dates as text: rule cases give dates of service as ISO strings."""


_RuleLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}


@cache
def _envelope_validator() -> jsonschema.Draft202012Validator:
    path = SCHEMA_DIR / "rule.json"
    try:
        schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleFileError(f"{path}: schema missing from the package; reinstall rvucheck") from None
    # The severity words are model.SEVERITIES, not a second list kept in the JSON file.
    schema["properties"]["severity"] = {"enum": list(SEVERITIES)}
    return jsonschema.Draft202012Validator(schema)


@cache
def _params_validator(kind_name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(KINDS[kind_name].params)


def _validate(instance: Any, validator: jsonschema.Draft202012Validator, shown: str, prefix: str) -> None:
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return
    parts = [prefix] if prefix else []
    for part in error.absolute_path:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1]}[{part}]"] if parts else [f"[{part}]"]
        else:
            parts.append(str(part))
    where = ".".join(parts) or "(top level)"
    raise RuleFileError(f"{shown}: {where}: {error.message}")


def _check_message(template: str, kind_fields: tuple[str, ...], shown: str) -> None:
    allowed = set(kind_fields) | set(COMMON_FIELDS)
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise RuleFileError(f"{shown}: message: {exc}") from None
    for name in names:
        base = name.split(".")[0].split("[")[0]
        if base not in allowed:
            raise RuleFileError(
                f"{shown}: message: unknown field {{{base}}}; available: {', '.join(sorted(allowed))}"
            )


def _display(path: Path) -> str:
    """`rules/gs/GS01.yaml` for built-ins, the path relative to the working folder otherwise."""
    resolved = path.resolve()
    for anchor in (Path.cwd(), resolved.parent.parent.parent):
        try:
            return resolved.relative_to(anchor.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)
