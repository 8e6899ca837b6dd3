"""A rule file's test cases: small claims in, expected findings out, and the runner that checks them.

Case lines are short on purpose; what they leave out gets these defaults: date of service 2026-07-15
(priced by RVU26C), patient P1, provider DR1, place of service 11, one unit, diagnosis M25.561.
Cases run against the installed CMS data. One runner serves pytest (tests/rules/test_rule_cases.py) and
`rvucheck rules test`, so a payer's own rule folder is judged exactly as the built-in rules are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rvucheck.errors import RuleFileError
from rvucheck.model import CellRef, ChargeLine, Finding
from rvucheck.settings import Settings

if TYPE_CHECKING:
    from rvucheck.refdata.types import ReferenceData
    from rvucheck.rules.ruleset import Rule

Expectation = tuple[str, int, str]  # (rule, line index, field or "")

DEFAULTS: dict[str, Any] = {
    "dos": "2026-07-15",
    "patient": "P1",
    "provider": "DR1",
    "pos": "11",
    "units": 1,
    "dx": ["M25.561"],
}
CASE_TODAY = dt.date(2026, 12, 31)
FIRST_ROW = 2  # case line 0 is row 2 of sheet "case" (row 1 would be the header)


@dataclass(frozen=True)
class CaseInput:
    lines: tuple[ChargeLine, ...]
    history: tuple[ChargeLine, ...]
    today: dt.date
    locality: str | None
    expected: frozenset[Expectation]


def case_input(case: Mapping[str, Any]) -> CaseInput:
    lines = tuple(case_line(raw, "case", i) for i, raw in enumerate(case.get("lines", ())))
    history = tuple(case_line(raw, "history", i) for i, raw in enumerate(case.get("history", ())))
    today = dt.date.fromisoformat(case["today"]) if case.get("today") else CASE_TODAY
    expected = frozenset((str(e["rule"]), int(e["line"]), str(e.get("field", ""))) for e in case["expect"])
    return CaseInput(lines, history, today, case.get("locality"), expected)


def case_line(raw: Mapping[str, Any], sheet: str, index: int) -> ChargeLine:
    data = {**DEFAULTS, **raw}
    modifiers = data.get("modifiers", ())
    if not isinstance(modifiers, Sequence) or isinstance(modifiers, str):
        modifiers = [modifiers]
    dos_text = str(data["dos"])
    return ChargeLine(
        source=CellRef(sheet, FIRST_ROW + index),
        hcpcs=str(data["hcpcs"]),
        modifiers=tuple(str(m) for m in modifiers),
        units=float(data["units"]),
        dos=dt.date.fromisoformat(dos_text) if dos_text else None,
        provider=str(data["provider"]),
        provider_npi=str(data.get("npi", "")),
        specialty=str(data.get("specialty", "")),
        group=str(data.get("group", "")),
        patient=str(data["patient"]),
        diagnoses=tuple(str(d) for d in data["dx"]),
        pos=str(data["pos"]).zfill(2),
        charge=data.get("charge"),
        birth_date=dt.date.fromisoformat(str(data["birth_date"])) if data.get("birth_date") else None,
        age=int(data["age"]) if data.get("age") is not None else None,
        minutes=float(data["minutes"]) if data.get("minutes") is not None else None,
        note_status=str(data.get("note_status", "")),
        signed=dt.date.fromisoformat(str(data["signed"])) if data.get("signed") else None,
        posted=dt.date.fromisoformat(str(data["posted"])) if data.get("posted") else None,
        attachment=bool(data["attachment"]) if data.get("attachment") is not None else None,
    )


def line_index(row: int) -> int:
    return row - FIRST_ROW


@dataclass(frozen=True)
class CaseResult:
    """One case run: what it expected and what the engine found for its rule."""

    rule: str
    case: str
    expected: frozenset[Expectation]
    found: frozenset[Expectation]
    messages: tuple[str, ...]  # the rule's finding messages, to show why a case failed

    @property
    def passed(self) -> bool:
        # An expectation without a field matches a finding on that line whatever its field; one with a
        # field needs a finding on that very field. No other line may have a finding of the rule.
        wanted_lines = {(rule, index) for rule, index, _ in self.expected}
        found_lines = {(rule, index) for rule, index, _ in self.found}
        with_field = {e for e in self.expected if e[2]}
        return found_lines == wanted_lines and with_field <= self.found

    def explain(self) -> str:
        """`GS01 "visit and joint injection same day": expected GS01 line 0 (modifiers); got nothing`."""
        return (
            f'{self.rule} "{self.case}": expected {_describe(self.expected)}; got {_describe(self.found)}'
            + (f" [{' | '.join(self.messages)}]" if self.messages else "")
        )


def run_case(rule: Rule, case: Mapping[str, Any], ref: ReferenceData) -> CaseResult:
    """Run one case of `rule` through the engine, with only that rule selected."""
    from rvucheck.engine import runner
    from rvucheck.rules.ruleset import Ruleset

    try:
        given = case_input(case)
    except (KeyError, ValueError, TypeError) as exc:  # the schema allows some values a case cannot use
        where = rule.path or rule.id
        raise RuleFileError(f"{where}: case {case.get('name', '?')!r}: unusable value ({exc})") from None
    settings = Settings(today=given.today, locality=given.locality)
    report = runner.run(given.lines, ref, Ruleset((rule,)), settings, history=given.history)
    own: list[Finding] = [f for f in report.findings if f.rule == rule.id]
    return CaseResult(
        rule=rule.id,
        case=str(case["name"]),
        expected=given.expected,
        found=frozenset((f.rule, line_index(f.source.row), f.field) for f in own),
        messages=tuple(f.message for f in own),
    )


def run_cases(rules: Iterable[Rule], ref: ReferenceData) -> Iterator[CaseResult]:
    for rule in rules:
        for case in rule.cases:
            yield run_case(rule, case, ref)


def _describe(expectations: frozenset[Expectation]) -> str:
    if not expectations:
        return "nothing"
    return ", ".join(
        f"{rule} line {index}" + (f" ({field})" if field else "")
        for rule, index, field in sorted(expectations)
    )
