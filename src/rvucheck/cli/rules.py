"""`rvucheck rules list [--json] [--rules DIR] [--config FILE]`, `rvucheck rules show ID` and
`rvucheck rules test [--rules DIR] [-k ID]` (a rule folder's YAML cases, run as pytest runs them)."""

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
    testing = actions.add_parser(
        "test", help="run a rule folder's test cases (exit 0 all pass, 1 a case failed, 2 a bad rule file)"
    )
    testing.add_argument(
        "--rules", type=Path, action="append", dest="rule_dirs", metavar="DIR",
        help="rule folder whose cases to run (default: the built-in rules); repeat for more folders",
    )  # fmt: skip
    testing.add_argument(
        "-k", action="append", dest="only", metavar="ID",
        help="only these rules: an id (GS01) or a family (GS); comma-separated or repeated",
    )  # fmt: skip
    listing.set_defaults(func=list_rules)
    show.set_defaults(func=show_rule)
    testing.set_defaults(func=test_rules)
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
        "than the dates (warning), RD03 date priced from another PFS release (info); RD04/RD05 no patient / "
        "date column, rules that link lines not run (warning), RD06 no provider column, one provider assumed "
        "(info), RD07 no diagnosis column, diagnosis rules not run (warning); RD13 Part B drugs priced from "
        "an ASP file of another quarter (warning)."
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
        "scope": rule.scope,
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
    if rule.scope == "medicare":
        print(
            "Medicare payment policy: info on lines of payers rvucheck.toml's medicare_payers does not list"
        )
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


def test_rules(args: argparse.Namespace) -> int:
    from rvucheck.refdata import open_reference
    from rvucheck.rules.cases import run_cases

    rules = _rules_to_test(args.rule_dirs, _comma_list(args.only))
    ref = open_reference(getattr(args, "data_dir", None))
    passed = failed = 0
    for result in run_cases(rules, ref):
        if result.passed:
            passed += 1
        else:
            failed += 1
            print(f"FAILED {result.explain()}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def _rules_to_test(folders: list[Path] | None, only: tuple[str, ...]) -> list[Any]:
    """The rules of the given folders (or the built-in folder), filtered by id or family like --select.
    A payer's folder is tested on its own: its ids are checked against the built-ins when it is used."""
    from rvucheck.rules.ruleset import builtin_rules_dir, load_rules_dir

    folders = folders or [builtin_rules_dir()]
    rules = [rule for folder in folders for rule in load_rules_dir(folder)]
    if not rules:
        raise RuleFileError(f"{', '.join(map(str, folders))}: no rule files (*.yaml) in the rule folder")
    for wanted in only:
        if not any(wanted in (rule.id, rule.family) for rule in rules):
            where = ", ".join(map(str, folders))
            raise RuleFileError(f"-k {wanted}: no rule or family {wanted!r} in {where}")
    return [rule for rule in rules if not only or rule.id in only or rule.family in only]


def _comma_list(values: list[str] | None) -> tuple[str, ...]:
    return tuple(part.strip().upper() for value in values or () for part in value.split(",") if part.strip())


def _line_text(line: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in line.items())


def _indent(text: str) -> str:
    return "\n".join(f"  {row}" for row in text.rstrip().splitlines())


__all__ = ["RuleFileError", "register"]
