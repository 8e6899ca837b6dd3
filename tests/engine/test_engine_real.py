"""engine.run on the real installed CMS data: computed values match CMS's published numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rvucheck.engine import runner as engine
from rvucheck.rules.cases import case_line
from rvucheck.rules.ruleset import Ruleset, load_ruleset
from rvucheck.settings import Settings


def run(raw: list[dict[str, Any]], ref: Any, **settings: Any) -> Any:
    lines = [case_line(r, "Charges", i) for i, r in enumerate(raw)]
    return engine.run(lines, ref, Ruleset(()), Settings(**settings))


def test_20983_national_values_from_rvu26c(ref: Any) -> None:
    report = run([{"hcpcs": "20983", "pos": "11"}, {"hcpcs": "20983", "pos": "22", "patient": "P2"}], ref)
    office, hospital = report.results
    # PPRRVU2026_Jul_nonQPP row: work 6.71, totals 146.88 / 9.06, global 000, CF 33.4009
    assert (office.work_rvu, office.total_rvu, office.payment) == (6.71, 146.88, 4905.92)
    assert (hospital.total_rvu, hospital.payment) == (9.06, 302.61)
    assert (office.global_days, office.status_code, office.release) == ("000", "A", "RVU26C")


def test_second_procedure_of_the_day_is_credited_half(ref: Any) -> None:
    report = run([{"hcpcs": "20610", "pos": "21"}, {"hcpcs": "27447", "pos": "21"}], ref)
    injection, knee = report.results
    assert (knee.work_rvu, knee.credited_work_rvu) == (19.11, 19.11)
    assert (injection.work_rvu, injection.credited_work_rvu) == (0.77, 0.39)
    full = run([{"hcpcs": "20610", "pos": "21"}], ref).results[0].payment
    assert injection.payment == round(full / 2, 2)


def test_pinned_release_prices_from_that_release(ref: Any) -> None:
    report = run([{"hcpcs": "20983", "pos": "11"}], ref, release="RVU25D")
    assert (report.results[0].work_rvu, report.results[0].release) == (6.88, "RVU25D")


def test_locality_payment(ref: Any) -> None:
    national = run([{"hcpcs": "99213"}], ref).results[0].payment
    san_francisco = run([{"hcpcs": "99213"}], ref, locality="01112-05").results[0].payment
    assert san_francisco > national > 0


def test_every_report_says_when_ncci_data_is_older_than_the_dates(ref: Any) -> None:
    lines = [case_line({"hcpcs": "99213"}, "Charges", 0)]
    report = engine.run(
        lines, ref, load_ruleset(Settings(select=("NC",))), Settings(today=dt.date(2026, 12, 31))
    )
    stale = [f for f in report.run_findings if f.rule == "RD02"]
    assert len(stale) == 1 and "PTP edits are from 2024Q3" in stale[0].message
    assert report.ncci_quarter.startswith("PTP 2024Q3")


def test_fallback_release_is_one_note_per_quarter_not_per_date(ref: Any) -> None:
    # RVU26D (Q4 2026) is not installed: October dates are priced from RVU26C, and July from its own release
    dates = ["2026-10-01", "2026-10-02", "2026-11-15", "2026-07-01"]
    report = run([{"hcpcs": "99213", "dos": d, "patient": f"P{i}"} for i, d in enumerate(dates)], ref)
    notes = [f.message for f in report.run_findings if f.rule == "RD03"]
    assert notes == [
        "the Q4 2026 release is not installed; RVU26C (Q3 2026) answered for 2026-10-01 "
        "(and 2 more dates of service in that quarter)"
    ]
    assert [r.release for r in report.results] == ["RVU26C"] * 4


def test_a_deleted_and_re_added_ptp_edit_is_one_finding_on_old_dates(ref: Any) -> None:
    # The 2024Q3 table (no effective dates) lists 00100/99202 twice: deleted 2019-12-31, and again open.
    lines = [
        case_line({"hcpcs": c, "pos": "22", "dos": "2019-06-03"}, "Charges", i)
        for i, c in enumerate(("00100", "99202"))
    ]
    report = engine.run(
        lines, ref, load_ruleset(Settings(select=("NC",))), Settings(today=dt.date(2026, 12, 31))
    )
    found = [(f.rule, f.source.row) for f in report.findings if f.rule.startswith("NC")]
    assert found == [("NC01", 3)]


def test_a_re_added_edit_answers_only_after_the_old_version_was_deleted(ref: Any) -> None:
    # 0007U/0328U: indicator 0 until 2023-06-30, then added again with indicator 1.
    def rules_on(dos: str) -> list[str]:
        lines = [case_line({"hcpcs": c, "dos": dos}, "Charges", i) for i, c in enumerate(("0007U", "0328U"))]
        report = engine.run(
            lines, ref, load_ruleset(Settings(select=("NC",))), Settings(today=dt.date(2026, 12, 31))
        )
        return [f.rule for f in report.findings if f.rule.startswith("NC")]

    assert rules_on("2023-01-02") == ["NC01"]
    assert rules_on("2023-06-30") == ["NC01"]
    assert rules_on("2023-07-01") == ["NC02"]
    assert rules_on("2024-08-01") == ["NC02"]


def test_ptp_lookups_follow_each_date_of_a_quarter(ref: Any) -> None:
    # Two dates of the same quarter on either side of a deletion date each get the edit of their own day.
    lines = [
        case_line({"hcpcs": c, "dos": d, "patient": p}, "Charges", i)
        for i, (c, d, p) in enumerate(
            [
                ("0007U", "2023-06-30", "P1"),
                ("0328U", "2023-06-30", "P1"),
                ("0007U", "2023-07-03", "P2"),
                ("0328U", "2023-07-03", "P2"),
            ]
        )
    ]
    report = engine.run(
        lines, ref, load_ruleset(Settings(select=("NC",))), Settings(today=dt.date(2026, 12, 31))
    )
    assert sorted((f.rule, f.source.row) for f in report.findings if f.rule.startswith("NC")) == [
        ("NC01", 3),
        ("NC02", 5),
    ]
