"""Report -> figures, CSV and text, on a hand-built report (no engine)."""

from __future__ import annotations

import csv
import io

from rvucheck.model import CellRef, ChargeLine, Finding, LineResult, Report, UnreadableLine
from rvucheck.report.formats import cell_address, summarize, to_csv, to_json_obj, to_text


def _report() -> Report:
    source = CellRef("Charge Detail", 7, 5)
    line = ChargeLine(
        source, "99213", ("25",), 1.0, provider="=HYPERLINK(1)", columns=(("hcpcs", 5), ("modifiers", 6))
    )
    other = ChargeLine(CellRef("Charge Detail", 8, 5), "20610", provider="Dr B", columns=(("hcpcs", 5),))
    finding = Finding(
        "GS01", "error", "-25 missing", source, field="modifiers", dollars_at_stake=95.19, wrvu_at_stake=1.3
    )
    unreadable = UnreadableLine(CellRef("Charge Detail", 9, 5), "no procedure code in E9")
    rd01 = Finding("RD01", "error", "row 9 could not be read: no procedure code in E9", unreadable.source)
    rd03 = Finding("RD03", "info", NOTES[0], source)
    rd02 = Finding("RD02", "warning", NOTES[1], source)
    return Report(
        results=(
            LineResult(line, 1.3, 1.3, 2.85, 95.19, "XXX", "A", "RVU26C", (finding,)),
            LineResult(other, 0.77, 0.77, 2.06, 68.81, "000", "A", "RVU26C"),
        ),
        unreadable=(unreadable,),
        run_findings=(rd01, rd03, rd02),
        release="RVU26C",
        ncci_quarter="2026Q2",
        notes=NOTES,  # as the engine gives them: the run findings' messages but RD01's
    )


NOTES = ("RVU26C answered for 2026-10-01 (and 1 more dates of service in that quarter)", "stale NCCI")


def test_summary_figures() -> None:
    summary = summarize(_report(), totals_rows=(10,), blank_rows=2)
    assert (summary.lines, summary.checked, summary.unreadable) == (3, 2, 1)
    assert summary.findings == {"error": 2, "warning": 1, "info": 1}  # unreadable counted once (its RD01)
    assert (summary.work_rvu, summary.payment, summary.dollars_at_stake) == (2.07, 164.0, 95.19)
    assert [(p.provider, p.lines, p.findings["error"]) for p in summary.providers] == [
        ("=HYPERLINK(1)", 1, 1),
        ("Dr B", 1, 0),
    ]
    assert [(r.rule, r.count) for r in summary.rules] == [("GS01", 1), ("RD01", 1), ("RD02", 1), ("RD03", 1)]
    assert [c.hcpcs for c in summary.top_codes_by_payment] == ["99213", "20610"]
    assert summary.notes == (  # the engine already gives one note per quarter: passed on as they are
        "RVU26C answered for 2026-10-01 (and 1 more dates of service in that quarter)",
        "stale NCCI",
    )


def test_json_rows_and_unreadable_lines() -> None:
    report = _report()
    out = to_json_obj(report, summarize(report))
    assert [line["row"] for line in out["lines"]] == [7, 8, 9]
    assert out["lines"][2]["findings"] == [
        {"rule": "RD01", "severity": "error", "message": "row 9 could not be read: no procedure code in E9"}
    ]
    # the findings that belong to no line are listed once, under `notes`, and the counts add up
    assert [(n["rule"], n["severity"], n["message"]) for n in out["notes"]] == [
        ("RD03", "info", NOTES[0]),
        ("RD02", "warning", NOTES[1]),
    ]
    listed = [f["severity"] for line in out["lines"] for f in line["findings"]]
    listed += [n["severity"] for n in out["notes"]]
    assert out["summary"]["findings"] == {s: listed.count(s) for s in ("error", "warning", "info")}


def test_csv_is_safe_to_open_in_excel_and_points_at_the_field_cell() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(_report()))))
    assert rows[0]["cell"] == "'Charge Detail'!F7"
    assert rows[0]["message"] == "'-25 missing"  # a leading "-" would be read as a formula by Excel
    assert rows[1]["rule"] == "RD01" and rows[1]["row"] == "9"
    assert [row["rule"] for row in rows[2:]] == ["RD03", "RD02"]


def test_text_and_addresses() -> None:
    report = _report()
    text = to_text(report, summarize(report))
    assert text.splitlines()[:2] == [
        "'Charge Detail'!F7: GS01 error: -25 missing",  # $95.19 at stake: before the $0 RD01
        "'Charge Detail'!E9: RD01 error: row 9 could not be read: no procedure code in E9",
    ]
    assert text.splitlines()[2:] == [  # the notes after the lines' findings, worst first, each once
        "note: RD02 warning: stale NCCI",
        "note: RD03 info: " + NOTES[0],
    ]
    assert cell_address(CellRef("Charges", 3, 28)) == "Charges!AB3"
    assert cell_address(CellRef("It's", 1, 1)) == "'It''s'!A1"


def test_text_with_a_copy_shows_the_worst_findings_and_counts_the_rest() -> None:
    lines = []
    for i in range(30):
        line = ChargeLine(CellRef("Charges", 4 + i, 1), "99213", provider="Dr A", columns=(("hcpcs", 1),))
        severity = "error" if i in (25, 29) else "info"
        finding = Finding(f"R{i:02}", severity, f"message {i}", line.source, dollars_at_stake=float(i))
        lines.append(LineResult(line, 1.3, 1.3, 2.85, 95.19, "XXX", "A", "RVU26C", (finding,)))
    report = Report(results=tuple(lines), release="RVU26C", ncci_quarter="2026Q2")
    summary = summarize(report)
    limited = to_text(report, summary, limit=20).splitlines()
    assert len(limited) == 21
    assert limited[:3] == [  # errors first (most $ first), then info by $ at stake
        "Charges!A33: R29 error: message 29",
        "Charges!A29: R25 error: message 25",
        "Charges!A32: R28 info: message 28",
    ]
    assert limited[-1] == "... and 10 more findings in the Findings sheet of the copy written below"
    everything = to_text(report, summary).splitlines()  # --no-annotate: nowhere else to look
    assert len(everything) == 30 and everything[-1] == "Charges!A4: R00 info: message 0"


def test_dollars_at_stake_count_each_line_once_capped_at_its_payment() -> None:
    """GS01 and NC02 on one E&M ($95.19 each: the whole visit), LN01 and MU02 on a duplicate 20610
    ($68.81 and $34.41), one unpriced line with two findings, and a run finding with its own figure."""
    em = ChargeLine(CellRef("Charges", 4, 1), "99213", provider="Dr A", columns=(("hcpcs", 1),))
    dup = ChargeLine(CellRef("Charges", 5, 1), "20610", provider="Dr B", columns=(("hcpcs", 1),))
    unpriced = ChargeLine(CellRef("Charges", 6, 1), "0999T", provider="Dr B", columns=(("hcpcs", 1),))

    def finding(rule: str, line: ChargeLine, dollars: float) -> Finding:
        return Finding(rule, "error", rule, line.source, dollars_at_stake=dollars)

    report = Report(
        results=(
            LineResult(em, 1.3, 1.3, 2.85, 95.19, "XXX", "A", "RVU26C",
                       (finding("GS01", em, 95.19), finding("NC02", em, 95.19))),
            LineResult(dup, 0.77, 0.77, 2.06, 68.81, "000", "A", "RVU26C",
                       (finding("LN01", dup, 68.81), finding("MU02", dup, 34.41))),
            LineResult(unpriced, None, None, None, None, None, None, "RVU26C",
                       (finding("XX01", unpriced, 10.0), finding("XX02", unpriced, 25.0))),
        ),
        run_findings=(Finding("RD09", "warning", "run", CellRef("Charges", 4, 1), dollars_at_stake=5.0),),
        release="RVU26C",
    )  # fmt: skip
    summary = summarize(report)
    # before: 95.19 * 2 + 68.81 + 34.41 + 10 + 25 + 5 = 333.60, more than the three lines pay (164.00)
    assert summary.dollars_at_stake == round(95.19 + 68.81 + 25.0 + 5.0, 2) == 194.0
    assert [(p.provider, p.dollars_at_stake) for p in summary.providers] == [("Dr A", 95.19), ("Dr B", 93.81)]
    per_rule = {r.rule: r.dollars_at_stake for r in summary.rules}  # each rule's own figure, uncapped
    assert per_rule == {"GS01": 95.19, "NC02": 95.19, "LN01": 68.81, "MU02": 34.41, "XX01": 10.0,
                        "XX02": 25.0, "RD09": 5.0}  # fmt: skip
    assert summarize(_report()).providers[0].dollars_at_stake == 95.19  # one finding: its own figure
