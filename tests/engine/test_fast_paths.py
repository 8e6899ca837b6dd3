"""The engine's fast paths give what a plain, line-by-line reading gives (issue 12's speed work).

Each test runs the engine's shortcut (per-distinct-value caches, bisected windows, lines alone on their
day judged without grouping, columns read once per distinct tuple) and a straightforward reference on a
synthetic month plus lines made to hit the edge (repeated codes that exceed an MUE only when summed,
undated lines, blank patients), and asserts the two agree value for value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

from rvucheck.engine import runner as engine
from rvucheck.engine.context import Context
from rvucheck.engine.facts import Pricer, build_facts
from rvucheck.engine.kinds.global_period import _procedures_near
from rvucheck.engine.linking import UNLINKED, absent_fields
from rvucheck.model import CellRef, ChargeLine
from rvucheck.rules.ruleset import Ruleset, load_all
from rvucheck.settings import Settings
from rvucheck.testing.synthetic.month import as_charge_line, generate_month

TODAY = dt.date(2026, 12, 31)


def _month(count: int = 3000) -> list[ChargeLine]:
    synthetic = generate_month(2026, 7, count, seed=11)
    lines = [as_charge_line(s, CellRef("Charges", row)) for row, s in enumerate(synthetic, start=2)]
    day = dt.date(2026, 7, 9)
    edge = [  # 96372 has a per-day MUE of 4 (MAI 3): two lines of 3 units exceed it only together
        ChargeLine(CellRef("Charges", 9001), "96372", units=3.0, dos=day, provider="Dr X", patient="EDGE1"),
        ChargeLine(CellRef("Charges", 9002), "96372", units=3.0, dos=day, provider="Dr X", patient="EDGE1"),
        ChargeLine(CellRef("Charges", 9003), "96372", units=2.0, dos=day, provider="Dr Y", patient="EDGE1"),
        ChargeLine(CellRef("Charges", 9004), "96372", units=9.0, provider="Dr X", patient="EDGE2"),  # undated
        ChargeLine(CellRef("Charges", 9005), "96372", units=9.0, dos=day, provider="Dr X"),  # no patient
        ChargeLine(CellRef("Charges", 9006), "96372", units=1.0, dos=day, provider="Dr X"),  # no patient
    ]
    return lines + edge


@pytest.fixture(scope="module")
def month() -> list[ChargeLine]:
    return _month()


def _context(lines: list[ChargeLine], ref: Any) -> Context:
    facts = build_facts(lines, [], Pricer(ref, None, False))
    return Context(facts, len(lines), ref, TODAY)


def test_mue_findings_equal_a_plain_grouping(month: list[ChargeLine], ref: Any) -> None:
    rules = [rule for rule in load_all() if rule.kind == "mue"]
    report = engine.run(month, ref, Ruleset(tuple(rules)), Settings(today=TODAY))
    found = {(f.source.row, f.rule) for f in report.findings if f.rule.startswith("MU")}
    expected = set()
    ctx = _context(month, ref)
    for rule in rules:
        mais = set(rule.params["mai"])
        days: dict[tuple[object, ...], list[tuple[Any, Any]]] = defaultdict(list)
        for fact in ctx.run_facts:
            edit = ref.mue(fact.code, fact.line.dos, fact.line.specialty) if fact.code else None
            if edit is None or edit.mai not in mais:
                continue
            if edit.mai == "1" or fact.line.dos is None:  # per line
                days["line", fact.position].append((fact, edit))
            else:
                days[fact.patient, fact.line.dos, fact.physician, fact.code].append((fact, edit))
        for group in days.values():
            if sum(fact.line.units for fact, _ in group) > group[0][1].units:
                expected |= {(fact.line.source.row, rule.id) for fact, _ in group}
    assert found == expected
    edge = {row for row, _rule in found if row > 9000}
    assert edge == {9001, 9002, 9004, 9005}  # summed on one day by one provider; alone when undated


def test_global_windows_equal_a_linear_scan(month: list[ChargeLine], ref: Any) -> None:
    ctx = _context(month, ref)
    days = frozenset({"000", "010", "090"})
    looked = 0
    for fact in ctx.run_facts:
        for before, after, no_window in (
            (0, 1, frozenset()),
            (90, -1, frozenset({"78"})),
            (0, 0, frozenset()),
        ):
            near = _procedures_near(ctx, fact, days, before, after, no_window)
            plain = [
                other
                for other in ctx.procedures_by_patient.get(fact.patient, ())
                if other.position != fact.position
                and fact.day - before <= other.day <= fact.day + after
                and not other.mods & no_window
                and (
                    other.physician == fact.physician
                    or bool(
                        other.line.group
                        and other.line.specialty
                        and (other.line.group, other.line.specialty) == (fact.line.group, fact.line.specialty)
                    )
                )
            ]
            assert [f.position for f in near] == [f.position for f in plain]
            looked += bool(plain)
    assert looked > 100  # the month has procedures in windows: the comparison saw some


def test_line_facts_equal_each_line_priced_alone(month: list[ChargeLine], ref: Any) -> None:
    """Facts come from a cache per distinct (code, modifiers, date, place, units): each equals the facts of
    the line given alone (apart from what the day's other lines change: ranks and reductions)."""
    facts = build_facts(month, [], Pricer(ref, None, False))
    for fact, line in zip(facts, month, strict=True):
        alone = build_facts([line], [], Pricer(ref, None, False))[0]
        same = ("line", "code", "mods", "day", "release", "row", "priced", "facility", "em", "work_rvu")
        assert [getattr(fact, name) for name in same] == [getattr(alone, name) for name in same]
        assert fact.total_rvu == alone.total_rvu and fact.physician == (line.provider_npi or line.provider)
        if fact.rank == 1 and not fact.reduction:
            assert (fact.payment, fact.explanation) == (alone.payment, alone.explanation)
        assert fact.patient == (line.patient or f"{UNLINKED}{fact.position}")


def test_absent_columns_equal_a_line_by_line_reading() -> None:
    source = CellRef("Charges", 2)
    mapped = (("hcpcs", 1), ("dos", 2), ("patient", 3))
    other = (("hcpcs", 1), ("minutes", 4), ("provider", 5))
    made = [ChargeLine(source, "99213", dos=dt.date(2026, 7, 1), patient="P")] * 3

    def plain(lines: list[ChargeLine]) -> frozenset[str]:
        if any(line.columns for line in lines):
            names = {name for line in lines for name, _column in line.columns}
            groups = {
                "patient": ("patient",), "dos": ("dos",), "provider": ("provider", "provider_npi"),
                "diagnoses": ("diagnoses",), "group": ("group",), "minutes": ("minutes",),
                "note_status": ("note_status",), "signed": ("signed",), "posted": ("posted",),
                "attachment": ("attachment",),
            }  # fmt: skip
            return frozenset(field for field, fields in groups.items() if not names & set(fields))
        fields = ("minutes", "note_status", "signed", "posted", "attachment")
        return frozenset(f for f in fields if all(getattr(line, f) in (None, "") for line in lines))

    cases = [
        [dataclasses.replace(line, columns=mapped) for line in made],
        [dataclasses.replace(made[0], columns=mapped), dataclasses.replace(made[1], columns=other)],
        made,
        [*made, dataclasses.replace(made[0], minutes=0.0, note_status="signed")],
        [*made, dataclasses.replace(made[0], attachment=False, posted=dt.date(2026, 7, 2))],
        [],
    ]
    answers = [absent_fields(lines) for lines in cases]
    assert answers == [plain(lines) for lines in cases]
    assert answers[2] == {"minutes", "note_status", "signed", "posted", "attachment"}
    assert answers[3] == {"signed", "posted", "attachment"}  # 0 minutes is a value
    assert "patient" not in answers[1] and {"diagnoses", "group"} <= answers[1]
