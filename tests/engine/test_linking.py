"""Never link what the file does not link (issue 10, item 2), on the real CMS data and the full catalog.

Lines are built as the reader builds them: `columns` names every field the export has a column for. Each
scenario below gave cross-patient findings on main (two patients' 29881 cut as multiple procedures, 90834
"bundled into 90792" with no patient column, blank patient cells linked, undated lines summed as one day).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rvucheck.engine import runner as engine
from rvucheck.engine.kinds import KINDS
from rvucheck.engine.linking import absent_fields, first_missing
from rvucheck.model import CellRef, ChargeLine, Report
from rvucheck.rules.ruleset import Ruleset, load_all
from rvucheck.settings import Settings

DOS = dt.date(2026, 7, 15)
TODAY = Settings(today=dt.date(2026, 12, 31))
NO_PATIENT = (("hcpcs", 1), ("modifiers", 2), ("dos", 3), ("provider", 4), ("diagnoses", 5))
WITH_PATIENT = (*NO_PATIENT, ("patient", 6))
LINKING = {"patient", "dos"}


@pytest.fixture(scope="module")
def catalog() -> Ruleset:
    return Ruleset(tuple(load_all()))


def line(row: int, code: str, *mods: str, columns: Any = NO_PATIENT, **fields: Any) -> ChargeLine:
    values: dict[str, Any] = {"dos": DOS, "provider": "DR1", "pos": "22", "diagnoses": ("M23.211",)}
    values.update(fields)
    return ChargeLine(CellRef("Charges", row), code, tuple(mods), columns=columns, **values)


def line_rules(report: Report) -> list[tuple[str, int]]:
    return [(f.rule, f.source.row) for r in report.results for f in r.findings]


def notes(report: Report) -> dict[str, str]:
    return {f.rule: f.message for f in report.run_findings}


def test_two_patients_29881_without_patient_column_are_not_linked(ref: Any, catalog: Ruleset) -> None:
    lines = [line(2, "29881", "RT"), line(3, "29881", "LT"), line(4, "29880")]
    report = engine.run(lines, ref, catalog, TODAY)
    # main: MP02 x2, MU02 x2, NC02 x2 and BL02 between the lines, 29881 paid 115.90 instead of 515.71
    assert line_rules(report) == []
    assert [r.payment for r in report.results] == [515.71, 515.71, 533.08]  # no multiple-procedure cut
    note = notes(report)["RD04"]
    assert note.startswith("no patient column")
    for rule in ("MP02", "NC01", "NC02", "BL02", "LN01", "GS01", "AO01", "NP01"):
        assert rule in note.split("rules not run: ")[1].split(";")[0]
    assert "MU02, MU03" in note  # per-day MUEs judged line by line
    assert "--map patient=HEADER" in note


def test_the_same_lines_with_the_patient_column_are_linked(ref: Any, catalog: Ruleset) -> None:
    one = [line(2, "29881", "RT", columns=WITH_PATIENT, patient="A")]
    one.append(line(3, "29881", "LT", columns=WITH_PATIENT, patient="A"))
    report = engine.run(one, ref, catalog, TODAY)
    assert ("BL02", 3) in line_rules(report) and "RD04" not in notes(report)
    two = [line(2, "29881", "RT", columns=WITH_PATIENT, patient="A")]
    two.append(line(3, "29881", "LT", columns=WITH_PATIENT, patient="B"))
    assert line_rules(engine.run(two, ref, catalog, TODAY)) == []


def test_90834_is_not_bundled_into_90792_without_a_patient_column(ref: Any, catalog: Ruleset) -> None:
    lines = [line(2, "90792"), line(3, "90834")]
    assert line_rules(engine.run(lines, ref, catalog, TODAY)) == []  # main: NC01 on row 3
    linked = [line(2, "90792", columns=WITH_PATIENT, patient="A")]
    linked.append(line(3, "90834", columns=WITH_PATIENT, patient="A"))
    assert line_rules(engine.run(linked, ref, catalog, TODAY)) == [("NC01", 3)]


def test_blank_patient_cells_link_no_one(ref: Any, catalog: Ruleset) -> None:
    lines = [line(2, "90792", columns=WITH_PATIENT), line(3, "90834", columns=WITH_PATIENT)]
    report = engine.run(lines, ref, catalog, TODAY)
    assert line_rules(report) == []  # main: NC01 on row 3 (both "" = one patient)
    assert "RD04" not in notes(report)  # the column exists: nothing skipped, nothing to say


def test_undated_lines_of_one_patient_are_not_one_day(ref: Any, catalog: Ruleset) -> None:
    dated = dict(columns=WITH_PATIENT, patient="A")
    lines = [line(2, "29881", dos=None, **dated), line(3, "29881", dos=None, **dated)]
    report = engine.run(lines, ref, catalog, TODAY)
    # main: MU02 on both (2 units of 29881 "that day"); the missing dates themselves are reported
    assert line_rules(report) == [("LN03", 2), ("LN03", 3)]
    same_day = [line(2, "29881", **dated), line(3, "29881", **dated)]
    assert {"MU02", "LN01"} <= {rule for rule, _ in line_rules(engine.run(same_day, ref, catalog, TODAY))}


def test_an_undated_add_on_is_not_called_without_primary(ref: Any, catalog: Ruleset) -> None:
    dated = dict(columns=WITH_PATIENT, patient="A")
    report = engine.run([line(2, "11045", dos=None, **dated)], ref, catalog, TODAY)
    assert "AO01" not in {rule for rule, _ in line_rules(report)}
    report = engine.run([line(2, "11045", **dated)], ref, catalog, TODAY)
    assert "AO01" in {rule for rule, _ in line_rules(report)}


def test_no_date_column_skips_date_rules_and_prices_with_the_newest_release(
    ref: Any, catalog: Ruleset
) -> None:
    columns = (("hcpcs", 1), ("patient", 2), ("provider", 3), ("diagnoses", 4))
    lines = [line(2, "99213", columns=columns, dos=None, patient="A")]
    lines.append(line(3, "99213", columns=columns, dos=None, patient="A"))
    report = engine.run(lines, ref, catalog, TODAY)
    assert line_rules(report) == []  # main: LN03 on every line, LN01 duplicate between them
    note = notes(report)["RD05"]
    assert "LN03" in note and "LN01" in note and "every line priced with release RVU26C" in note
    assert "--map dos=HEADER" in note
    assert report.results[0].release == "RVU26C"
    pinned = engine.run(lines, ref, catalog, Settings(today=TODAY.today, release="RVU25D"))
    assert "priced with release RVU25D" in notes(pinned)["RD05"]


def test_no_provider_column_says_one_provider_is_assumed(ref: Any, catalog: Ruleset) -> None:
    columns = (("hcpcs", 1), ("patient", 2), ("dos", 3), ("diagnoses", 4))
    lines = [line(2, "90792", columns=columns, patient="A", provider="")]
    lines.append(line(3, "90834", columns=columns, patient="A", provider=""))
    report = engine.run(lines, ref, catalog, TODAY)
    assert line_rules(report) == [("NC01", 3)]
    assert notes(report)["RD06"].startswith(
        "no provider column: all lines are taken as billed by one provider"
    )
    with_provider = [line(2, "90792", columns=WITH_PATIENT, patient="A")]
    assert "RD06" not in notes(engine.run(with_provider, ref, catalog, TODAY))


def test_no_diagnosis_column_is_one_note_not_a_finding_per_line(ref: Any, catalog: Ruleset) -> None:
    columns = (("hcpcs", 1), ("patient", 2), ("dos", 3), ("provider", 4))
    lines = [line(2, "99213", columns=columns, patient="A", diagnoses=())]
    report = engine.run(lines, ref, catalog, TODAY)
    assert line_rules(report) == []  # main: DX01 with the whole payment at stake
    assert "DX01" in notes(report)["RD07"]
    blank_cell = [line(2, "99213", columns=WITH_PATIENT, patient="A", diagnoses=())]
    assert line_rules(engine.run(blank_cell, ref, catalog, TODAY)) == [("DX01", 2)]


def test_lines_built_in_code_declare_every_field() -> None:
    built = ChargeLine(CellRef("case", 2), "99213")
    documentation = {"minutes", "note_status", "signed", "posted", "attachment"}
    assert absent_fields([built]) == documentation  # no line gives a value: no such column
    timed = ChargeLine(CellRef("case", 3), "90834", minutes=45.0)
    assert absent_fields([built, timed]) == documentation - {"minutes"}
    read = ChargeLine(CellRef("Charges", 2), "99213", columns=(("hcpcs", 1), ("provider_npi", 2)))
    assert absent_fields([read]) == {"patient", "dos", "diagnoses", "group", *documentation}
    assert first_missing(frozenset(LINKING), frozenset({"dos", "patient"})) == "patient"
    assert first_missing(frozenset({"dos"}), frozenset({"patient"})) == ""


def test_every_kind_that_links_lines_declares_it() -> None:
    """The kinds that read the line groups (same patient, day, physician) say so: a new one must too."""
    grouping = {
        "ncci_ptp", "duplicate_line", "addon_primary", "new_patient_seen", "em_with_procedure",
        "em_in_postop", "procedure_in_postop", "split_care_same_physician", "secondary_procedure_without_51",
        "primary_procedure_with_51", "endoscopic_base", "bilateral_sides_on_two_lines",
        "bilateral_side_with_50", "status_only_service", "pctc_both_components", "em_modifier_alone",
        "em_addon_with_modifier", "frequency_limit", "therapy_threshold", "addon_time_units",
        "eight_minute_rule",
    }  # fmt: skip
    assert {name for name, kind in KINDS.items() if kind.needs >= LINKING} == grouping
    assert {name for name, kind in KINDS.items() if kind.links >= LINKING} == {
        "mue",
        "bilateral_sides_on_bilateral_code",
    }


CODES = ["29881", "29880", "90792", "90834", "99213", "99214", "20610", "45378", "45380", "11045", "27447"]
MODS = ["RT", "LT", "50", "51", "25", "59", "26"]
LINES = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.lists(st.sampled_from(MODS), max_size=2, unique=True),
        st.sampled_from([1.0, 1.0, 2.0]),
        st.sampled_from([DOS, DOS, dt.date(2026, 7, 16), None]),
        st.sampled_from(["P1", "P2", "P3", ""]),
        st.sampled_from(["DR1", "DR2"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=LINES)
def test_without_patient_column_no_finding_depends_on_another_line(
    raw: list[tuple[Any, ...]], ref: Any, catalog: Ruleset
) -> None:
    """Lines from random patients, the patient column absent: each line's findings and price are exactly
    what it gets checked alone, and no finding comes from a rule that needs the same patient."""
    lines = [
        line(row, code, *mods, units=units, dos=dos, patient=patient, provider=provider)
        for row, (code, mods, units, dos, patient, provider) in enumerate(raw, start=2)
    ]
    report = engine.run(lines, ref, catalog, TODAY)
    kinds = {rule.id: KINDS[rule.kind] for rule in catalog}
    for result, alone_line in zip(report.results, lines, strict=True):
        alone = engine.run([alone_line], ref, catalog, TODAY).results[0]
        assert [(f.rule, f.message) for f in result.findings] == [(f.rule, f.message) for f in alone.findings]
        assert result.payment == alone.payment
        assert all("patient" not in kinds[f.rule].needs for f in result.findings)
