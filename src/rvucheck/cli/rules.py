"""`rvucheck rules list [--json] [--rules DIR] [--config FILE]` and `rvucheck rules show ID`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from rvucheck.errors import RuleFileError


def register(subparsers: Any) -> None:
    rules = subparsers.add_parser("rules", help="list the rules and show one rule's docs, params and cases")
    actions = rules.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="table of the rules (id, name, severity, kind, title)")
    listing.add_argument("--json", action="store_true", help="print the rules as JSON")
    listing.add_argument("--markdown", action="store_true", help="print the rules as a Markdown table")
    show = actions.add_parser("show", help="one rule in full: docs, refs, params, message and test cases")
    show.add_argument("rule_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print the rule as JSON")
    for parser in (rules, listing, show):
        parser.add_argument("--rules", type=Path, action="append", dest="rule_dirs", help="extra rule folder")
        parser.add_argument("--config", type=Path, help="rvucheck.toml (select/ignore/severities apply)")
    listing.set_defaults(func=list_rules)
    show.set_defaults(func=show_rule)
    rules.set_defaults(func=list_rules, json=False, markdown=False)


def _ruleset(args: argparse.Namespace, apply_selection: bool) -> Any:
    from rvucheck.session import Session
    from rvucheck.settings import Settings, load_settings

    settings = load_settings(args.config, None, rule_dirs=args.rule_dirs)
    if not apply_selection:  # every rule of the folders, whatever the config selects
        settings = Settings(rule_dirs=settings.rule_dirs)
    return Session.open(None, settings).ruleset


def list_rules(args: argparse.Namespace) -> int:
    ruleset = _ruleset(args, apply_selection=True)
    rows = [
        {"id": r.id, "name": r.name, "severity": r.severity, "kind": r.kind, "title": r.title}
        for r in ruleset
    ]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if getattr(args, "markdown", False):
        print(markdown_table(rows))
        return 0
    columns = ("id", "name", "severity", "kind", "title")
    widths = {c: max(len(c), *(len(row[c]) for row in rows)) if rows else len(c) for c in columns}
    print("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        print("  ".join(row[c].ljust(widths[c]) for c in columns).rstrip())
    print(f"\n{len(rows)} rules. `rvucheck rules show ID` for docs, params and test cases.")
    print(
        "Always reported by the engine itself: RD01 unreadable row (error), RD02 NCCI edits older or newer "
        "than the dates (warning), RD03 date priced from another PFS release (info)."
    )
    return 0


def markdown_table(rows: list[dict[str, str]]) -> str:
    """The README's rule table (tests/rules/test_readme.py keeps README.md in step with it)."""
    lines = ["| ID | Name | Severity | Kind | Title |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r['id']} | `{r['name']}` | {r['severity']} | {r['kind']} | {r['title']} |" for r in rows]
    return "\n".join(lines)


def show_rule(args: argparse.Namespace) -> int:
    ruleset = _ruleset(args, apply_selection=False)
    rule = ruleset.get(args.rule_id)
    data = {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "severity": rule.severity,
        "kind": rule.kind,
        "params": dict(rule.params),
        "message": rule.message,
        "docs": {"what": rule.docs.what, "why": rule.docs.why, "fix": rule.docs.fix},
        "refs": list(rule.refs),
        "cases": [dict(case) for case in rule.cases],
        "file": str(rule.path) if rule.path else "",
    }
    if args.json:
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{rule.id}  {rule.name}  ({rule.severity}, kind {rule.kind})")
    print(rule.title)
    for section in ("what", "why", "fix"):
        print(f"\n{section.capitalize()}:\n  {getattr(rule.docs, section)}")
    print("\nReferences:")
    for ref in rule.refs:
        print(f"  - {ref}")
    print(f"\nMessage:\n  {rule.message}")
    print("\nParams:")
    print(_indent(yaml.safe_dump(dict(rule.params), sort_keys=False, width=100)))
    print("Test cases:")
    for case in rule.cases:
        outcome = (
            "passes"
            if not case["expect"]
            else "finds " + ", ".join(f"{e['rule']} on line {e['line']}" for e in case["expect"])
        )
        print(f"  - {case['name']} ({outcome})")
        for label in ("history", "lines"):
            for line in case.get(label, ()):
                print(f"      {label[:-1] if label == 'lines' else 'history'}: {_line_text(line)}")
    print(f"\nFile: {data['file']}")
    return 0


def _line_text(line: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in line.items())


def _indent(text: str) -> str:
    return "\n".join(f"  {row}" for row in text.rstrip().splitlines())


__all__ = ["RuleFileError", "register"]
