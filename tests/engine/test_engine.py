"""engine.run on made-up reference data (tests/engine/fake_ref.py): computed values, grouping, stakes,
data notes. The rule catalog itself runs on the real CMS data in tests/rules."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.engine.fake_ref import FakeReference, row

from rvucheck.engine import runner as engine
from rvucheck.errors import InputFileError, RvucheckError
from rvucheck.model import CellRef, ChargeLine, UnreadableLine
from rvucheck.refdata.types import Mue, PtpEdit
from rvucheck.rules.ruleset import Ruleset, load_all, select_rules
from rvucheck.settings import Settings

DOS = dt.date(2026, 7, 15)
TODAY = Settings(today=dt.date(2026, 12, 31))


def line(hcpcs: str, n: int, **fields: object) -> ChargeLine:
    values: dict[str, object] = {
        "dos": DOS,
        "patient": "P1",
        "provider": "DR1",
        "pos": "11",
        "diagnoses": ("E11.9",),
    }
    values.update(fields)
    return ChargeLine(source=CellRef("Charges", n), hcpcs=hcpcs, **values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def catalog() -> Ruleset:
    return Ruleset(tuple(load_all()))


def only(*ids: str) -> Ruleset:
    return select_rules(load_all(), Settings(select=ids))


SURGERY = [
    row("11111", work_rvu=10.0, pe_rvu_facility=5.0, mp_rvu=1.0, global_days="090", mult_proc="2"),
    row("22222", work_rvu=2.0, pe_rvu_facility=1.0, mp_rvu=0.0, global_days="000", mult_proc="2"),
    row("99213", work_rvu=1.3, global_days="XXX"),
]


def test_line_values_payment_and_mppr_rank() -> None:
    ref = FakeReference(SURGERY)
    lines = [line("22222", 2, pos="22"), line("11111", 3, pos="22")]
    report = engine.run(lines, ref, Ruleset(()), TODAY)
    small, big = report.results
    # the higher-paid procedure is rank 1 whatever the line order; the other is credited half
    assert (big.work_rvu, big.credited_work_rvu, big.payment) == (10.0, 10.0, 160.0)
    assert (small.work_rvu, small.credited_work_rvu, small.payment) == (2.0, 1.0, 15.0)
    assert big.global_days == "090" and big.status_code == "A" and big.release == "FAKE26C"
    assert report.release == "FAKE26C" and report.ncci_quarter == "FAKE2026Q2"


def test_locality_and_units_scale_payment() -> None:
    ref = FakeReference(SURGERY)
    report = engine.run([line("99213", 2, units=2.0)], ref, Ruleset(()), Settings(locality="99999-01"))
    # (1.3 x 1.5 + 1.0 + 0.1) x 10 = 30.50 per unit, two units
    assert report.results[0].payment == 61.0
    assert report.results[0].work_rvu == 2.6
    assert report.meta["locality"] == "99999-01"


def test_findings_carry_rule_text_field_and_stake() -> None:
    ref = FakeReference(SURGERY)
    lines = [line("99213", 2), line("22222", 3)]
    report = engine.run(lines, ref, only("GS01"), TODAY)
    (finding,) = report.findings
    assert finding.rule == "GS01" and finding.severity == "error" and finding.field == "modifiers"
    assert finding.source == CellRef("Charges", 2)
    assert "99213 on 2026-07-15 with 22222 (000-day global)" in finding.message
    assert finding.dollars_at_stake == 24.0 and finding.wrvu_at_stake == 1.3  # (1.3 + 1.0 + 0.1) x 10
    assert finding.fix.startswith("If the visit") and "§30.6.6.B" in finding.ref


def test_history_opens_windows_but_is_not_reported() -> None:
    ref = FakeReference(SURGERY)
    history = [
        line("11111", 9, dos=dt.date(2026, 6, 1), pos="21"),
        line("99213", 10, dos=dt.date(2026, 6, 1)),
    ]
    report = engine.run([line("99213", 2)], ref, only("GS03", "GS02"), TODAY, history=history)
    assert report.flatten(["rule", "source"]) == [["GS03", CellRef("Charges", 2)]]
    assert len(report.results) == 1


def test_same_group_and_specialty_is_same_physician() -> None:
    ref = FakeReference(SURGERY)
    lines = [
        line("99213", 2, provider="A", group="G", specialty="20"),
        line("22222", 3, provider="B", group="G", specialty="20"),
        line("99213", 4, provider="C", group="G", specialty="08", patient="P1"),
    ]
    report = engine.run(lines, ref, only("GS01"), TODAY)
    assert [f.source.row for f in report.findings] == [2]


def test_ptp_grouping_and_bypass() -> None:
    edit = PtpEdit("11111", "22222", None, None, "1", "made up")
    ref = FakeReference(SURGERY, ptp=[edit])
    lines = [
        line("11111", 2),
        line("22222", 3),
        line("11111", 4, patient="P2"),
        line("22222", 5, patient="P2", modifiers=("XS",)),
        line("11111", 6, patient="P3"),
        line("22222", 7, patient="P3", provider="DR2"),
    ]
    report = engine.run(lines, ref, only("NC02"), TODAY)
    assert report.flatten(["rule", "field"]) == [["NC02", "modifiers"]]
    assert report.findings[0].source.row == 3


def test_ptp_lookups_are_cached_per_code_set() -> None:
    ref = FakeReference(SURGERY, ptp=[PtpEdit("11111", "22222", None, None, "0", "made up")])
    lines = [line(c, 2 * i + j, patient=f"P{i}") for i in range(50) for j, c in enumerate(("11111", "22222"))]
    report = engine.run(lines, ref, only("NC01"), TODAY)
    assert len(report.findings) == 50
    assert ref.ptp_calls == 1


def test_mue_per_day_sums_lines_and_denies_every_line_of_the_code() -> None:
    # Over a date-of-service MUE (MAI 2/3) the claim system denies all the day's lines of the code, not
    # only the excess units: each line is reported with its whole payment at stake.
    ref = FakeReference(SURGERY, mues={"22222": Mue("22222", 2, "3", "made up")})
    lines = [line("22222", 2, units=2.0), line("22222", 3, units=2.0, modifiers=("76",))]
    report = engine.run(lines, ref, only("MU03"), TODAY)
    assert [f.source.row for f in report.findings] == [2, 3]
    for finding, result in zip(report.findings, report.results, strict=True):
        assert "4 units" in finding.message and "2 line(s)" in finding.message and "MAI 3" in finding.message
        assert finding.dollars_at_stake == result.payment


def test_mue_within_the_day_limit_is_not_reported() -> None:
    ref = FakeReference(SURGERY, mues={"22222": Mue("22222", 4, "3", "made up")})
    lines = [line("22222", 2, units=2.0), line("22222", 3, units=2.0, modifiers=("76",))]
    assert engine.run(lines, ref, only("MU03"), TODAY).findings == []


def test_mue_line_edit_denies_the_whole_line() -> None:
    ref = FakeReference(SURGERY, mues={"22222": Mue("22222", 1, "1", "made up")})
    report = engine.run([line("22222", 2, units=3.0)], ref, only("MU01"), TODAY)
    (finding,) = report.findings
    assert finding.dollars_at_stake == report.results[0].payment and finding.dollars_at_stake


def test_addon_zzz_fallback_without_aoc_entry() -> None:
    rows = [*SURGERY, row("33333", global_days="ZZZ")]
    ref = FakeReference(rows)
    alone = engine.run([line("33333", 2)], ref, only("AO01"), TODAY)
    with_primary = engine.run([line("22222", 2), line("33333", 3)], ref, only("AO01"), TODAY)
    assert [f.rule for f in alone.findings] == ["AO01"] and with_primary.findings == []


def test_unreadable_rows_and_stale_data_are_reported() -> None:
    ref = FakeReference(SURGERY, stale_note="PTP edits are from 2024Q3")
    unreadable = [UnreadableLine(CellRef("Charges", 7), "no procedure code")]
    report = engine.run([line("99213", 2)], ref, Ruleset(()), TODAY, unreadable=unreadable)
    assert report.flatten(["rule", "severity", "message"]) == [
        ["RD01", "error", "row 7 could not be read: no procedure code"],
        ["RD02", "warning", "PTP edits are from 2024Q3"],
    ]
    assert report.counts_by_severity()["error"] == 1
    assert report.notes == ("PTP edits are from 2024Q3",)


def test_date_outside_installed_releases_is_not_priced(catalog: Ruleset) -> None:
    ref = FakeReference(SURGERY)
    report = engine.run([line("99213", 2, dos=dt.date(2023, 5, 1))], ref, catalog, TODAY)
    result = report.results[0]
    assert result.payment is None and result.work_rvu is None
    rules = {f.rule for f in result.findings}
    assert "LN05" in rules and "CV02" not in rules


def test_full_catalog_on_a_clean_line_finds_nothing(catalog: Ruleset) -> None:
    ref = FakeReference(SURGERY)
    report = engine.run([line("99213", 2)], ref, catalog, TODAY)
    assert report.findings == []


def test_severity_override_and_ignore() -> None:
    ref = FakeReference(SURGERY)
    lines = [line("99213", 2), line("22222", 3)]
    rules = select_rules(
        load_all(), Settings(select=("GS",), ignore=("GS02",), severities={"GS01": "warning"})
    )
    assert "GS02" not in rules.ids and "GS01" in rules.ids
    report = engine.run(lines, ref, rules, TODAY)
    assert report.flatten(["rule", "severity"]) == [["GS01", "warning"]]


@pytest.mark.parametrize("release", ["RVU26B", "RVU25D", "26A"])
def test_a_pinned_release_that_is_not_installed_is_an_input_error(release: str) -> None:
    # before: every line priced at $0 with a "no fee schedule" warning each
    with pytest.raises(InputFileError) as failure:
        engine.run([line("99213", 2)], FakeReference(SURGERY), Ruleset(()), Settings(release=release))
    assert str(failure.value).startswith(f"release {release}: its RVU file is not installed")
    assert "(fee schedules installed: FAKE26C)" in str(failure.value)


def test_bad_release_pin_is_a_run_error() -> None:
    with pytest.raises(RvucheckError, match="'2026' is not a fee schedule release id like RVU26C"):
        engine.run([line("99213", 2)], FakeReference(SURGERY), Ruleset(()), Settings(release="2026"))


def test_status_of_a_component_line_comes_from_its_component_row() -> None:
    # Made-up: the global row is payable (A) but its TC row was deleted (H); the 26 row is payable.
    rows = [
        row("77777", pctc_indicator="1"),
        row("77777", modifier="TC", pctc_indicator="1", status_code="H"),
        row("77777", modifier="26", pctc_indicator="1"),
    ]
    ref = FakeReference(rows)
    lines = [line("77777", 2, modifiers=("TC",)), line("77777", 3, modifiers=("26",), patient="P2")]
    report = engine.run(lines, ref, only("ST02"), TODAY)
    assert [(f.rule, f.source.row) for f in report.findings] == [("ST02", 2)]
    assert "status H (deleted modifier" in report.findings[0].message


def test_deleted_and_replaced_statuses_are_not_valid_for_medicare() -> None:
    rows = [row("66661", status_code="D"), row("66662", status_code="F"), row("66663", status_code="G")]
    ref = FakeReference(rows)
    lines = [line("66661", 2), line("66662", 3), line("66663", 4), line("99213", 5)]
    report = engine.run(lines, ref, only("ST02"), TODAY)
    assert [f.source.row for f in report.findings] == [2, 3, 4]
