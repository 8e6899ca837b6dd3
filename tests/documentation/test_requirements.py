"""Documentation requirements generated from the fee schedule (issue 18), the code page's "Billing &
Documentation" section, and the notes an export without the documentation columns gets (RD14-RD16)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rvucheck.engine import runner as engine
from rvucheck.model import CellRef, ChargeLine
from rvucheck.refdata.code_page import documentation_page, lookup
from rvucheck.refdata.documentation import is_unlisted, requirements, time_table
from rvucheck.rules.ruleset import load_ruleset
from rvucheck.settings import Settings

ON = dt.date(2026, 7, 15)


def ids(ref: Any, code: str, *mods: str) -> list[str]:
    return [r.id for r in requirements(ref.rvu(code, "", ON), code, frozenset(mods))]


def test_requirements_come_from_indicators_family_and_modifiers(ref: Any) -> None:
    assert ids(ref, "27447") == ["operative_report"]  # global 090
    assert ids(ref, "27447", "22") == ["operative_report", "increased_work"]
    assert ids(ref, "20610") == ["procedure_note"]  # global 000
    assert ids(ref, "71046", "26") == ["interpretation_report"]  # PC/TC 1 billed for its reading
    assert ids(ref, "71046") == []
    assert ids(ref, "15734", "62") == ["operative_report", "co_surgeon_necessity"]  # CO-SURG 1
    assert ids(ref, "22612", "62") == ["operative_report"]  # CO-SURG 2: no documentation needed
    assert ids(ref, "99214", "25") == ["separate_em", "office_em_level"]
    assert ids(ref, "99223") == ["em_level"]
    assert ids(ref, "99291") == ["critical_care_time"]  # its own time family stands in for the E/M one
    assert ids(ref, "97110", "GP") == ["therapy_plan"]
    assert ids(ref, "90837") == ["psychotherapy_time"]
    assert ids(ref, "29881", "XS")[-1] == "distinct_procedure" and "distinct_procedure" not in ids(
        ref, "29881"
    )


def test_unlisted_codes_are_read_from_the_descriptor_not_the_x99_pattern(ref: Any) -> None:
    assert is_unlisted(ref.rvu("20999", "", ON)) and is_unlisted(ref.rvu("64999", "", ON))
    assert is_unlisted(ref.rvu("21089", "", ON))  # unlisted, and does not end in 99
    assert not is_unlisted(ref.rvu("29899", "", ON))  # ends in 99, a listed arthroscopy
    assert is_unlisted(ref.rvu("76999", "", ON))  # "Echo examination procedure": x99 and contractor priced
    assert not is_unlisted(None)
    before = {r.before_billing for r in requirements(ref.rvu("20999", "", ON), "20999", frozenset())}
    assert before == {"attachment"}


def test_time_tables_by_date() -> None:
    old, new = time_table("office_em", dt.date(2023, 12, 31)), time_table("office_em", dt.date(2024, 1, 1))
    assert old is not None and new is not None
    assert (old.minimum["99213"], old.maximum["99213"]) == (20, 29)
    assert (new.minimum["99213"], new.maximum.get("99213")) == (20, None)
    cms = time_table("critical_care", dt.date(2026, 1, 5), "99292")
    earlier = time_table("critical_care", dt.date(2021, 5, 1), "99292")
    assert cms is not None and earlier is not None
    assert (cms.first_unit["99291"], earlier.first_unit["99291"]) == (104, 75)
    assert time_table("office_em", dt.date(2019, 1, 1)) is None  # before the 2021 framework: not judged


def test_code_page_has_billing_and_documentation(ref: Any) -> None:
    page = lookup(ref, "99291", on=ON)
    (item,) = page["documentation"]
    assert item["id"] == "critical_care_time" and "30.6.12" in item["source"]
    assert item["time"]["minimum"] == 30
    assert [(a["code"], a["first_unit_at"]) for a in item["time"]["add_ons"]] == [("99292", 104)]
    (office,) = lookup(ref, "99215", on=ON)["documentation"]
    assert office["time"]["minimum"] == 40 and office["time"]["maximum"] is None  # 2024+: a minimum
    assert [(a["code"], a["first_unit_at"]) for a in office["time"]["add_ons"]] == [
        ("G2212", 69),
        ("99417", 55),
    ]
    row = ref.rvu("99215", "", ON)  # a 2023 page (no 2023 RVU file needed for the minutes)
    old = documentation_page(row, (), dt.date(2023, 6, 1))[0]["time"]
    assert (old["minimum"], old["maximum"]) == (40, 54)
    page = lookup(ref, "27447", modifiers=("22",), on=ON)
    assert [(i["id"], i["before_billing"]) for i in page["documentation"]] == [
        ("operative_report", "report"),
        ("increased_work", "attachment"),
    ]


def _read(row: int, code: str, columns: tuple[tuple[str, int], ...], **fields: Any) -> ChargeLine:
    return ChargeLine(CellRef("Charges", row), code, dos=ON, patient="P1", provider="DR1", diagnoses=("I10",),
                      columns=columns, **fields)  # fmt: skip


BASE = (("hcpcs", 1), ("dos", 2), ("patient", 3), ("provider", 4), ("diagnoses", 5))


def test_export_without_documentation_columns_gets_one_note_each_and_no_findings(ref: Any) -> None:
    lines = [_read(2, "99214", BASE), _read(3, "90837", BASE), _read(4, "27447", BASE, modifiers=("22",))]
    report = engine.run(lines, ref, load_ruleset(), Settings(today=ON))
    assert not [f for f in report.findings if f.rule[:2] in ("TM", "DC")]
    notes = {f.rule: f for f in report.run_findings if f.rule in ("RD14", "RD15", "RD16")}
    assert sorted(notes) == ["RD14", "RD15", "RD16"]
    assert {f.severity for f in notes.values()} == {"info"}
    assert "TM01" in notes["RD14"].message and "DC08" in notes["RD14"].message
    assert "DC01" in notes["RD15"].message and "DC03" in notes["RD15"].message
    assert "DC05" in notes["RD16"].message and "--map attachment=HEADER" in notes["RD16"].message
    # the requirements are there all the same
    assert [r.id for r in report.results[2].documentation] == ["operative_report", "increased_work"]


def test_export_with_documentation_columns_is_judged(ref: Any) -> None:
    columns = (*BASE, ("minutes", 6), ("note_status", 7), ("signed", 8), ("posted", 9), ("attachment", 10))
    lines = [
        _read(2, "99214", columns, minutes=22.0, note_status="Signed", signed=ON, posted=ON),
        _read(3, "27447", columns, modifiers=("22",), note_status="Pending", posted=ON, attachment=False),
    ]
    report = engine.run(lines, ref, load_ruleset(), Settings(today=ON))
    found = sorted((f.rule, f.source.row) for f in report.findings if f.rule[:2] in ("TM", "DC", "RD"))
    assert ("TM01", 2) in found and ("DC01", 3) in found and ("DC05", 3) in found
    assert not [rule for rule, _ in found if rule in ("RD14", "RD15", "RD16")]
