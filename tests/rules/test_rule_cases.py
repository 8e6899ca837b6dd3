"""Every rule file's cases, run through the engine against the real installed CMS data.

One test per case, named `<ID>-<case>`: `pytest tests/rules -k GS01` runs one rule's cases.
"""

from __future__ import annotations

from typing import Any

import pytest

from rvucheck.engine import runner as engine
from rvucheck.rules.cases import case_input, line_index
from rvucheck.rules.ruleset import Rule, Ruleset, load_all
from rvucheck.settings import Settings


def _cases() -> list[Any]:
    params = []
    for rule in load_all():
        for case in rule.cases:
            params.append(pytest.param(rule, case, id=f"{rule.id}-{case['name'].replace(' ', '_')}"))
    return params


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_rule_case(rule: Rule, case: dict[str, Any], ref: Any) -> None:
    given = case_input(case)
    settings = Settings(today=given.today, locality=given.locality)
    report = engine.run(given.lines, ref, Ruleset((rule,)), settings, history=given.history)
    found = {(f.rule, line_index(f.source.row), f.field) for f in report.findings if f.rule == rule.id}
    # An expectation without a field matches a finding on that line whatever its field.
    loose = {(r, i) for r, i, field in given.expected if not field}
    strict = {e for e in given.expected if e[2]}
    assert {(r, i) for r, i, _ in found} == loose | {(r, i) for r, i, _ in strict}, [
        f.message for f in report.findings if f.rule == rule.id
    ]
    assert strict <= found
