"""Workbook, HTML and JSON outputs of an audit built from hand-made results (made-up values)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from openpyxl import load_workbook

from rvucheck.audit.html import render_html, write_html
from rvucheck.audit.jsonout import write_json
from rvucheck.audit.result import AuditResult
from rvucheck.audit.workbook import write_workbook


def test_second_month_sees_the_first(audits: tuple[AuditResult, AuditResult]) -> None:
    first, second = audits
    assert first.previous_months == () and second.previous_months == ("2026-09",)
    assert second.months == ["2026-09", "2026-10"]
    assert second.ytd_work_rvu == {"Dr A": 120.0, "Dr B": 120.0}
    prev = second.previous("Dr A")
    assert prev is not None and prev.credited_work_rvu == 60.0
    flagged = {m.provider: m for m in second.mix if m.flagged and m.family.key == "office_established"}
    # in a two-provider group each is the other's reference: the upcoder is high, the other low
    assert flagged["Dr A"].vs_group is not None and flagged["Dr A"].vs_group.z_score > 5  # type: ignore[operator]
    assert (
        flagged["Dr A"].vs_group.high_share == 1.0 and flagged["Dr A"].vs_group.reference_high_share == 0.25
    )
    assert flagged["Dr B"].vs_group is not None and flagged["Dr B"].vs_group.z_score < -5  # type: ignore[operator]
    assert not any(m.flagged for m in first.mix)
    assert len(second.sample) == 8


def test_workbook_cells_and_native_charts(audits: tuple[AuditResult, AuditResult], tmp_path: Path) -> None:
    out = tmp_path / "audit-2026-10.xlsx"
    write_workbook(audits[1], out)
    book = load_workbook(out)
    assert book.sheetnames[:4] == ["Summary", "Providers", "Findings by provider", "E&M mix"]
    providers = book["Providers"]
    assert [c.value for c in providers[2]][:9] == ["Dr A", None, "11", "Clinic", 40, 40, 60.0, 60.0, 4000.0]
    assert providers.cell(2, 20).value == "2026-09"  # previous month
    assert providers.cell(2, 23).value == 60.0  # mean of earlier months
    assert providers.cell(2, 24).value == 120.0  # YTD
    by_provider = book["Findings by provider"]
    assert [[c.value for c in r] for r in by_provider.iter_rows(max_row=3)] == [
        ["Provider", "PTP01"], ["Dr A", 4], ["Dr B", 4]
    ]  # fmt: skip
    assert providers["I2"].number_format == '"$"#,##0.00' and providers["H2"].number_format == "#,##0.00"
    assert providers["N2"].number_format == "0.0%" and providers.auto_filter.ref == "A1:X3"
    assert providers.freeze_panes == "B2" and providers.print_title_rows == "$1:$1"
    assert providers.page_setup.orientation == "landscape" and providers.page_setup.fitToWidth == 1
    mix = book["E&M mix"]
    heads = [c.value for c in mix[1]]
    rows = [dict(zip(heads, r, strict=True)) for r in mix.iter_rows(min_row=2, values_only=True)]
    flagged_rows = [r for r in rows if r["Flag"]]
    assert [(r["Provider"], r["Flag"]) for r in flagged_rows] == [
        ("Dr A", "higher levels (over?)"), ("Dr B", "lower levels (under?)")
    ]  # fmt: skip
    assert "chi-square GOF" in flagged_rows[0]["vs group (statistic)"]
    assert "possible over-coding" in flagged_rows[0]["In plain words"]
    assert "100% at levels 4/5 against 25% for the rest of the group" in flagged_rows[0]["In plain words"]
    assert "possible under-coding" in flagged_rows[1]["In plain words"]
    # level shares are numbers formatted as percentages (not "99214: 50%" text)
    assert (flagged_rows[0]["Level 4"], flagged_rows[0]["Level 5"]) == (0.5, 0.5)
    assert mix.cell(2, heads.index("Level 4") + 1).number_format == "0.0%"
    trend = book["wRVU trend"]
    assert [[c.value for c in r] for r in trend.iter_rows(min_row=1, max_row=3)] == [
        ["Month", "Dr A", "Dr B"], ["2026-09", 60.0, 60.0], ["2026-10", 60.0, 60.0]
    ]  # fmt: skip
    assert len(book["E&M charts"]._charts) == 2  # one per provider x family with enough services
    assert len(trend._charts) == 1 and len(book["Findings by rule"]._charts) == 1
    assert [s.marker.symbol for s in trend._charts[0].series] == ["circle", "circle"]  # one month: a point
    by_rule = book["Findings by rule"]
    assert [c.value for c in by_rule[2]] == ["PTP01", None, "error", 8]  # (a made-up rule: no title)
    lag = book["Charge lag"]
    late_title = next(r for r in range(1, lag.max_row + 1) if lag.cell(r, 1).value == "Late lines")
    late_rows = list(lag.iter_rows(min_row=late_title + 2, values_only=True))
    assert len(late_rows) == 2 * 9  # posted 31..39 days after service, both providers
    assert late_rows[0][1:3] == ("Dr A", "99215") and late_rows[0][5] == 39
    sample = book["Review sample"]
    assert [c.value for c in sample[1]][9:] == ["Reviewer", "Result", "Correct code", "Reviewer note"]
    assert sample.max_row == 9 and sample["I2"].value.startswith("highest risk")
    assert sample["D2"].number_format == "yyyy-mm-dd" and sample.data_validations.dataValidation
    findings = book["Findings"]
    assert [c.value for c in findings[1]][5:8] == ["Rule", "Rule title", "Severity"]
    assert findings["K2"].number_format == '"$"#,##0.00' and findings.auto_filter.ref


def test_html_is_self_contained_with_chart_images(
    audits: tuple[AuditResult, AuditResult], tmp_path: Path
) -> None:
    html = render_html(audits[1])
    images = re.findall(r"<img src='data:image/svg\+xml;base64,", html)
    assert len(images) == 4  # two E&M mixes, the trend, findings by rule
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert "higher levels (over?)" in html and "Review sample (8 encounters, seed 3)" in html
    assert "possible under-coding" in html and "@media print" in html and "class='keys'" in html
    assert "Data currency" in html
    write_html(audits[1], tmp_path / "a.html")
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == html


def test_json_has_the_dashboard_figures(audits: tuple[AuditResult, AuditResult], tmp_path: Path) -> None:
    write_json(audits[1], tmp_path / "audit.json")
    data = json.loads((tmp_path / "audit.json").read_text())
    dr_a = data["providers"][0]
    flagged = data["providers"][0]["em_mix"]["office_established"]
    assert flagged["direction"] == "over" and "possible over-coding" in flagged["in_words"]
    assert data["rule_titles"] == {"PTP01": ""}  # (a made-up rule id: no title in the ruleset)
    keys = ("provider", "lines", "work_rvu", "credited_work_rvu", "payment")
    assert tuple(dr_a[k] for k in keys) == (
        "Dr A", 40, 60.0, 60.0, 4000.0
    )  # fmt: skip
    assert dr_a["em_mix"]["office_established"]["counts"] == {
        "99211": 0, "99212": 0, "99213": 0, "99214": 20, "99215": 20
    }  # fmt: skip
    assert dr_a["em_mix"]["office_established"]["flagged"] is True
    assert dr_a["em_mix"]["office_established"]["high_level_share"] == 1.0
    assert dr_a["em_mix"]["office_established"]["vs_group_p"] < 0.0001
    assert dr_a["modifier_rates"] == {"modifier_25_of_em": 0.0, "distinct_procedure_59_x_of_lines": 0.0}
    assert len(data["findings"]) == 8 and data["findings"][0]["rule"] == "PTP01"
    assert data["previous_months"] == ["2026-09"]
    assert data["check"]["summary"]["lines"] == 80
    assert data["check"]["lines"][0]["findings"] == [
        {"rule": "PTP01", "severity": "error", "message": "PTP01 made-up"}
    ]
