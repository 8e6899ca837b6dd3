"""README.md's rule table is `rvucheck rules list --markdown` (like pre-commit-hooks' readme_test)."""

from __future__ import annotations

from pathlib import Path

from rvucheck.cli.rules import markdown_table
from rvucheck.rules.ruleset import load_all

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_rule_table_matches_the_catalog() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- rules-table:start -->\n", 1)[1].split("\n<!-- rules-table:end -->", 1)[0]
    rows = [
        {"id": r.id, "name": r.name, "severity": r.severity, "kind": r.kind, "title": r.title}
        for r in load_all()
    ]
    assert table == markdown_table(rows), "run `rvucheck rules list --markdown` and paste it into README.md"
