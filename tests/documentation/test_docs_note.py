"""docs/documentation-rules.md names every documentation rule and requirement with its source."""

from __future__ import annotations

from pathlib import Path

import yaml

from rvucheck.refdata.documentation import templates, time_tables

ROOT = Path(__file__).resolve().parents[2]
NOTE = (ROOT / "docs" / "documentation-rules.md").read_text(encoding="utf-8")


def test_every_rule_is_listed_with_its_sources() -> None:
    files = sorted((ROOT / "rules" / "tm").glob("*.yaml")) + sorted((ROOT / "rules" / "dc").glob("*.yaml"))
    assert len(files) == 18
    for path in files:
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert f"| {rule['id']} | {rule['severity']} |" in NOTE, rule["id"]
        assert all(ref in NOTE for ref in rule["refs"]), rule["id"]


def test_every_requirement_and_time_table_is_listed() -> None:
    for template in templates():
        assert f"| `{template.id}` |" in NOTE and template.source in NOTE
    assert all(table.source in NOTE for table in time_tables())
