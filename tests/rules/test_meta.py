"""Meta-tests over the rule catalog: schema-valid files, unique ids, every kind used, every rule with
a passing and a failing case, docs and refs, and the catalog the issue asks for."""

from __future__ import annotations

import re
from collections import Counter

import jsonschema
import pytest

from rvucheck.engine.kinds import KINDS, Kind
from rvucheck.rules.ruleset import Rule, builtin_rules_dir, load_all

RULES = load_all()  # loading validates every file (envelope, then the kind's params)


def test_every_file_loads_and_ids_are_unique() -> None:
    files = sorted(builtin_rules_dir().rglob("*.yaml"))
    assert len(files) == len(RULES) >= 45
    assert not [i for i, n in Counter(r.id for r in RULES).items() if n > 1]
    assert not [i for i, n in Counter(r.name for r in RULES).items() if n > 1]


def test_files_live_in_their_family_folder() -> None:
    for rule in RULES:
        assert rule.path is not None
        assert rule.path.parent.name == rule.family.lower(), rule.path


def test_every_kind_is_used() -> None:
    assert set(KINDS) == {rule.kind for rule in RULES}


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_kind_params_schema_is_valid_and_closed(kind: Kind) -> None:
    jsonschema.Draft202012Validator.check_schema(kind.params)
    assert kind.params["type"] == "object" and kind.params["additionalProperties"] is False
    assert set(kind.params.get("required", ())) <= set(kind.params["properties"])
    # A kind is one check: no `check:` switch picking between several behaviours.
    assert "check" not in kind.params["properties"]
    assert kind.check.__doc__ and kind.summary != kind.name


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_passing_and_failing_cases_docs_and_refs(rule: Rule) -> None:
    failing = [c for c in rule.cases if c["expect"]]
    passing = [c for c in rule.cases if not c["expect"]]
    assert failing and passing
    assert all(e["rule"] == rule.id for c in failing for e in c["expect"])
    assert all(len(c["lines"]) > e["line"] for c in failing for e in c["expect"])
    assert rule.docs.what and rule.docs.why and rule.docs.fix and rule.refs
    assert len({c["name"] for c in rule.cases}) == len(rule.cases)


def test_catalog_covers_the_issue() -> None:
    families = {rule.family for rule in RULES}
    assert {"CV", "ST", "PC", "GS", "BL", "MP", "AS", "CS", "NC", "MU", "AO", "DX", "LN", "NP"} <= families
    statuses = set()
    for rule in RULES:
        if rule.kind in ("status_code", "status_only_service"):
            statuses |= set(rule.params["statuses"])
    assert set("BINXEPMJRCT") <= statuses


def test_message_templates_use_named_fields_only() -> None:
    for rule in RULES:
        assert not re.search(r"\{\s*\}|\{\d+\}", rule.message), rule.id
