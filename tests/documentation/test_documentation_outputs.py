"""Documentation in the outputs (issue 18): the annotated copy's Documentation sheet, the Findings sheet's
"Documentation needed" column and the JSON lines' `documentation` for flagged lines, the audit's table per
provider. Made-up patients and providers; real codes and the installed CMS data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from rvucheck.audit.documentation import documentation_figures, median_p90, table_rows
from rvucheck.cli.main import main
from rvucheck.model import CellRef, ChargeLine, Finding, LineResult

EXPORT = """\
MRN,DOS,CPT,Mod,Dx,Provider,Total Time (min),Note Status,Signed Date,Posted Date,Op Report Attached
P1,2026-03-02,99214,25,M17.11,DR ADAMS,22,Signed,2026-03-02,2026-03-03,
P1,2026-03-02,20610,,M17.11,DR ADAMS,,Signed,2026-03-02,2026-03-03,
P2,2026-03-03,27447,22,M17.11,DR BAKER,,Pending,,2026-03-04,N
P3,2026-03-04,20999,,M25.561,DR BAKER,,Signed,2026-03-20,2026-03-05,Y
P4,2026-03-05,71046,26,R05.9,DR CHEN,,Signed,2026-03-05,2026-03-06,
"""


@pytest.fixture
def export(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    path = tmp_path / "notes.csv"
    path.write_text(EXPORT)
    return path


def test_documentation_sheet_lists_lines_needing_a_report_or_attachment(export: Path) -> None:
    assert main([str(export), "--fail-on", "never"]) == 0
    wb = openpyxl.load_workbook(export.with_name("notes.rvucheck.xlsx"))
    assert wb.sheetnames == ["notes", "Findings", "Documentation", "Summary"]
    ws = wb["Documentation"]
    assert ws["A4"].value == "Cell" and ws["G4"].value == "Needs"
    rows = [(r[1], r[2], r[6], r[7], r[10]) for r in ws.iter_rows(min_row=5, values_only=True)]
    assert rows == [
        (4, "27447", "Report", "major surgery (global 090)", "no"),
        (4, "27447", "Attachment", "modifier 22", "no"),
        (5, "20999", "Attachment", "unlisted code", "yes"),
        (6, "71046", "Report", "professional component (26)", None),
    ]  # the 99214 and 20610 lines need no report before billing: not listed
    assert ws["A5"].hyperlink is not None and ws["F5"].value == dt.datetime(2026, 3, 3)
    findings = wb["Findings"]
    heads = [c.value for c in findings[1]]
    rule, needed = heads.index("Rule"), heads.index("Documentation needed")
    by_rule = {row[rule]: row[needed] for row in findings.iter_rows(min_row=2, values_only=True)}
    assert by_rule["DC05"].startswith("major surgery (global 090): Operative report")
    assert "modifier 22: Operative report showing the increased work" in by_rule["DC05"]


def test_json_lines_carry_documentation_when_flagged(
    export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main([str(export), "--no-annotate", "--format", "json", "--fail-on", "never"])
    lines = {line["row"]: line for line in json.loads(capsys.readouterr().out)["lines"]}
    assert [d["id"] for d in lines[4]["documentation"]] == ["operative_report", "increased_work"]
    assert lines[4]["documentation"][1]["source"].startswith("Medicare Claims Processing Manual, Ch. 12")
    assert lines[3]["findings"] == [] and lines[3]["documentation"] == []  # 20610: not flagged


def _result(row: int, provider: str, rules: tuple[str, ...], **fields: object) -> LineResult:
    line = ChargeLine(CellRef("s", row), "99213", dos=dt.date(2026, 3, 2), provider=provider,
                      columns=(("hcpcs", 1), ("note_status", 2)), **fields)  # type: ignore[arg-type]  # fmt: skip
    return LineResult(line, findings=tuple(Finding(r, "warning", "m", line.source) for r in rules))


def test_audit_documentation_per_provider() -> None:
    results = [
        _result(2, "DR A", ("DC01", "TM01"), signed=dt.date(2026, 3, 2), posted=dt.date(2026, 3, 3)),
        _result(3, "DR A", (), signed=dt.date(2026, 3, 12), posted=dt.date(2026, 3, 12)),
        _result(4, "DR A", ("LN03",)),
        _result(5, "DR B", ()),
    ]
    a, b = documentation_figures(results)
    assert (a.provider, a.lines, a.flagged_lines, a.findings) == ("DR A", 3, 1, 2)
    assert a.top_rules == (("DC01", 1), ("TM01", 1)) and round(a.rate, 4) == 0.3333
    assert a.to_signature == (5.0, 9.0) and a.to_posting == (0.5, 0.9)
    assert (b.flagged_lines, b.to_signature) == (0, None)
    assert table_rows([b]) == [["DR B", 1, 0, 0.0, 0, "", None, None, None, None]]


def test_audit_without_documentation_columns_has_no_table() -> None:
    line = ChargeLine(CellRef("s", 2), "99213", columns=(("hcpcs", 1),))
    assert documentation_figures([LineResult(line)]) == ()


def test_median_p90() -> None:
    assert median_p90([]) is None and median_p90([4]) == (4.0, 4.0)
    assert median_p90(list(range(11))) == (5.0, 9.0)
