"""Every rule file's cases, run through the engine against the real installed CMS data.

One test per case, named `<ID>-<case>`: `pytest tests/rules -k GS01` runs one rule's cases. The runner is
`rvucheck.rules.cases.run_case`, the one `rvucheck rules test` uses on a payer's own folder.
"""

from __future__ import annotations

from typing import Any

import pytest

from rvucheck.rules.cases import run_case
from rvucheck.rules.ruleset import Rule, load_all


def _cases() -> list[Any]:
    params = []
    for rule in load_all():
        for case in rule.cases:
            params.append(pytest.param(rule, case, id=f"{rule.id}-{case['name'].replace(' ', '_')}"))
    return params


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_rule_case(rule: Rule, case: dict[str, Any], ref: Any) -> None:
    result = run_case(rule, case, ref)
    assert result.rule == rule.id and result.case == case["name"]
    assert result.passed, result.explain()
