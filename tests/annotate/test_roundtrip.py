"""The annotated copy keeps everything the input had, cell by cell, and adds the results correctly.

The reports here are built by hand (no engine): the annotator's job is to place what it is given."""

from __future__ import annotations

import hashlib
import zipfile
from copy import copy as copy_style
from pathlib import Path

import openpyxl
import pytest
from annotate_corpus import FIRST_DATA_ROW, HEADER_ROW, VBA_BYTES, as_xlsm, feature_rich, with_sparklines
from openpyxl.utils import get_column_letter

from rvucheck.annotate.copy import annotate, plan_output
from rvucheck.errors import InputFileError
from rvucheck.model import Finding, LineResult, Report
from rvucheck.read.charges import ReadResult, read_charges
from rvucheck.report.formats import summarize
from rvucheck.report.xlsx import SEVERITY_FILLS

NEW_COLUMN = 13  # 12 original columns on the charge sheet


def _report(read: ReadResult) -> Report:
    by_code = {line.hcpcs: line for line in read.lines}
    results = []
    for line in read.lines:
        findings: tuple[Finding, ...] = ()
        if line.hcpcs == "99213":
            findings = (
                Finding(
                    "GS01",
                    "error",
                    "25 missing on 99213 billed with 20610",
                    line.source,
                    fix="Add 25",
                    ref="NCCI Policy Manual Ch. I",
                    field="modifiers",
                    dollars_at_stake=91.5,
                    wrvu_at_stake=1.3,
                ),
            )
        elif line.hcpcs == "17110":
            findings = (Finding("MU01", "warning", "2 units over MUE 1", line.source, field="units"),)
        elif line.hcpcs == "99203":
            findings = (
                Finding(
                    "DX02",
                    "warning",
                    "E11 is a category, not a billable code",
                    line.source,
                    field="diagnoses",
                ),
                Finding("NP01", "info", "=new patient seen before", line.source, field="hcpcs"),
            )
        results.append(
            LineResult(
                line=line,
                work_rvu=1.3,
                credited_work_rvu=1.25,
                total_rvu=2.85,
                payment=95.19,
                global_days="XXX",
                status_code="A",
                release="RVU26C",
                findings=findings,
            )
        )
    assert by_code
    return Report(
        results=tuple(results),
        release="RVU26C",
        ncci_quarter="2026Q2",
        notes=("dates after 2026-06-30 are checked against NCCI 2026Q2 edits",),
    )


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return feature_rich(tmp_path / "charges.xlsx")


def _run(source: Path, force: bool = False, out: Path | None = None) -> tuple[Path, ReadResult, Report]:
    read = read_charges(source)
    report = _report(read)
    plan = plan_output(source, read.kind, out, force)
    written = annotate(
        source, read.layout, report, summarize(report, hidden_rows=tuple(read.hidden_rows)), plan
    )
    return written.path, read, report


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_original_cell_style_and_feature_survives(corpus: Path) -> None:
    before = _digest(corpus)
    out, _read, report = _run(corpus)
    assert out == corpus.with_name("charges.rvucheck.xlsx")
    assert _digest(corpus) == before, "the input was modified"
    original, copy = openpyxl.load_workbook(corpus), openpyxl.load_workbook(out)
    assert copy.sheetnames[: len(original.sheetnames)] == original.sheetnames
    assert copy.sheetnames[len(original.sheetnames) :] == ["Findings", "Summary"]
    flagged_rows = {r.line.source.row for r in report.results if r.findings}
    for ws in original.worksheets:
        other = copy[ws.title]
        assert other.sheet_state == ws.sheet_state
        assert other.freeze_panes == ws.freeze_panes
        assert sorted(map(str, other.merged_cells.ranges)) == sorted(map(str, ws.merged_cells.ranges))
        for row in ws.iter_rows():
            for cell in row:
                twin = other[cell.coordinate]
                assert twin.value == cell.value, cell.coordinate
                assert twin.number_format == cell.number_format, cell.coordinate
                # styles come back as proxies, which compare by identity: compare copies
                assert copy_style(twin.font) == copy_style(cell.font), cell.coordinate
                assert copy_style(twin.border) == copy_style(cell.border), cell.coordinate
                assert copy_style(twin.alignment) == copy_style(cell.alignment), cell.coordinate
                if not (ws.title == "Charges" and cell.row in flagged_rows):
                    assert copy_style(twin.fill) == copy_style(cell.fill), cell.coordinate
        for number, dimension in ws.row_dimensions.items():
            assert other.row_dimensions[number].hidden == dimension.hidden
        assert [(str(v.sqref), v.formula1) for v in other.data_validations.dataValidation] == [
            (str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation
        ]
        assert [str(r.sqref) for r in other.conditional_formatting] == [
            str(r.sqref) for r in ws.conditional_formatting
        ]
        assert dict(other.tables.items()) == dict(ws.tables.items())  # name -> ref
        assert len(other._charts) == len(ws._charts)
        assert len(other._images) == len(ws._images)
    assert copy["Lookup"].tables["Fees"].ref == "A1:B4" and len(copy["Lookup"]._charts) == 1
    assert copy.defined_names["ChargeTotal"].attr_text == original.defined_names["ChargeTotal"].attr_text
    assert copy["Charges"]["A2"].hyperlink.target == "https://example.org/charges"
    assert copy["Charges"]["L4"].value == "=K4*2"  # formulas stay formulas
    assert copy["Charges"]["E4"].comment.text.startswith("Checked by the front desk")


def test_appended_columns_fills_notes_and_filter(corpus: Path) -> None:
    out, _read, _report = _run(corpus)
    ws = openpyxl.load_workbook(out)["Charges"]
    titles = [ws.cell(row=HEADER_ROW, column=NEW_COLUMN + i).value for i in range(8)]
    assert titles == [
        "Work RVU",
        "Credited wRVU",
        "Total RVU",
        "Est. Payment",
        "Global",
        "Status",
        "Severity",
        "Findings",
    ]
    row = FIRST_DATA_ROW  # 99213 with GS01 on its modifier
    values = [ws.cell(row=row, column=NEW_COLUMN + i).value for i in range(8)]
    assert values == [
        1.3,
        1.25,
        2.85,
        95.19,
        "XXX",
        "A",
        "error",
        "GS01: 25 missing on 99213 billed with 20610",
    ]
    assert ws.cell(row=row, column=NEW_COLUMN + 3).number_format == '"$"#,##0.00'
    for column in (1, 5, 12, NEW_COLUMN + 7):
        assert ws.cell(row=row, column=column).fill.fgColor.rgb.endswith(
            SEVERITY_FILLS["error"].fgColor.rgb[-6:]
        )
    assert ws.cell(row=row, column=3).number_format == "mm/dd/yyyy"  # the fill kept the cell's own format
    assert ws.cell(row=row + 1, column=1).fill.fill_type is None  # 20610 line had no finding
    assert "GS01 (error): 25 missing on 99213" in ws.cell(row=row, column=6).comment.text  # Mod 1 column
    assert "MU01 (warning)" in ws.cell(row=FIRST_DATA_ROW + 3, column=8).comment.text  # Units
    e4 = ws.cell(row=FIRST_DATA_ROW + 4, column=9).comment.text  # Dx 1 of 99203
    assert "DX02 (warning)" in e4
    assert ws.cell(row=FIRST_DATA_ROW + 4, column=5).comment.text.startswith("NP01 (info)")
    assert ws.cell(row=FIRST_DATA_ROW + 4, column=NEW_COLUMN + 6).value == "warning"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:T{FIRST_DATA_ROW + 5}"
    assert ws.cell(row=FIRST_DATA_ROW + 6, column=NEW_COLUMN + 7).value == "totals row: reported, not checked"


def test_appended_columns_read_like_the_export(corpus: Path) -> None:
    """Headers styled like the export's own header, widths that fit the titles and the filter button,
    codes centred, findings wrapped inside their column."""
    out, _read, _report = _run(corpus)
    ws = openpyxl.load_workbook(out)["Charges"]
    own = ws.cell(row=HEADER_ROW, column=NEW_COLUMN - 1)
    for offset in range(8):
        header = ws.cell(row=HEADER_ROW, column=NEW_COLUMN + offset)
        assert header.font.b and header.fill.fgColor.rgb == own.fill.fgColor.rgb == "00DDEBF7"
        width = ws.column_dimensions[get_column_letter(NEW_COLUMN + offset)].width
        assert width >= len(str(header.value)) + 3
    row = FIRST_DATA_ROW
    assert [ws.cell(row=row, column=NEW_COLUMN + i).number_format for i in range(4)] == [
        "0.00", "0.00", "0.00", '"$"#,##0.00'
    ]  # fmt: skip
    assert ws.cell(row=row, column=NEW_COLUMN + 4).alignment.horizontal == "center"  # Global
    findings = ws.cell(row=row, column=NEW_COLUMN + 7)
    assert findings.alignment.wrap_text and findings.fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.column_dimensions[get_column_letter(NEW_COLUMN + 7)].width == 80


def test_findings_sheet_links_to_cells_and_text_never_becomes_a_formula(corpus: Path) -> None:
    out, _read, _report = _run(corpus)
    wb = openpyxl.load_workbook(out)
    findings = wb["Findings"]
    heads = [c.value for c in findings[1]]
    rows = [dict(zip(heads, [c.value for c in row], strict=True)) for row in findings.iter_rows(min_row=2)]
    assert [(r["Cell"], r["Rule"], r["Severity"]) for r in rows] == [
        ("Charges!F4", "GS01", "error"),
        ("Charges!H7", "MU01", "warning"),
        ("Charges!I8", "DX02", "warning"),
        ("Charges!E8", "NP01", "info"),
    ]
    assert findings["A2"].hyperlink.location == "'Charges'!F4"

    def cell(title: str, row: int) -> openpyxl.cell.Cell:
        return findings.cell(row, heads.index(title) + 1)

    assert cell("Message", 2).alignment.wrap_text and cell("Message", 2).alignment.vertical == "top"
    severity = cell("Severity", 2)
    assert severity.alignment.horizontal == "center" and severity.fill.fgColor.rgb.endswith("FFC7CE")
    assert (rows[0]["$ at stake"], rows[0]["wRVU at stake"]) == (91.5, 1.3)
    assert rows[0]["Documentation needed"] is None  # no documentation requirements on these hand-made results
    message = cell("Message", 5)
    assert message.value == "=new patient seen before" and message.data_type == "s"
    summary = wb["Summary"]
    cells = {c.value: c for row in summary.iter_rows() for c in row if isinstance(c.value, str)}
    injected = cells['=HYPERLINK("http://x","Dr Injected")']
    assert injected.data_type == "s"
    labels = {row[0].value: row[1].value for row in summary.iter_rows(min_row=3, max_row=25) if row[0].value}
    assert labels["Lines read"] == 6 and labels["PFS release used"] == "RVU26C"
    assert labels["NCCI quarter used"] == "2026Q2" and labels["Findings: warning"] == 2
    assert labels["Hidden rows (checked)"] == 1
    assert labels["$ at stake (each line once)"] == 91.5
    stake_label = next(
        row[0] for row in summary.iter_rows(min_row=3) if row[0].value == "$ at stake (each line once)"
    )
    assert stake_label.comment is not None and "conversion factor" in stake_label.comment.text  # defined
    header = next(row for row in summary.iter_rows() if row[0].value == "Provider")
    assert [c.value for c in header[4:9]] == ["Est. payment", "$ at stake", "Errors", "Warnings", "Info"]
    assert len(summary._charts) == 5
    titles = [chart.title.tx.rich.p[0].r[0].t for chart in summary._charts]
    assert titles == [
        "Work RVU by provider", "Findings by provider", "Findings per rule", "Top codes by work RVU",
        "Top codes by est. payment",
    ]  # fmt: skip
    by_severity = summary._charts[1].series
    assert [s.graphicalProperties.solidFill.srgbClr for s in by_severity] == [
        "C00000",
        "FFC000",
        "5B9BD5",
    ]
    assert summary.cell(row=1, column=1).font.name == "Calibri"  # the workbook's font, not a fallback


def test_macros_survive_in_an_xlsm(corpus: Path, tmp_path: Path) -> None:
    xlsm = as_xlsm(corpus, tmp_path / "macro.xlsm")
    out, _read, _report = _run(xlsm)
    assert out.name == "macro.rvucheck.xlsm"
    with zipfile.ZipFile(out) as archive:
        assert archive.read("xl/vbaProject.bin") == VBA_BYTES
        assert b"macroEnabled" in archive.read("[Content_Types].xml")
    assert openpyxl.load_workbook(out, keep_vba=True)["Charges"]["L4"].value == "=K4*2"


def test_features_openpyxl_would_drop_are_kept_in_the_copy(corpus: Path, tmp_path: Path) -> None:
    """Sparklines (an x14 extension openpyxl drops) stay on the charge sheet: nothing is rewritten but
    the rows; the copy holds the results as usual."""
    source = with_sparklines(corpus, tmp_path / "spark.xlsx")
    before = _digest(source)
    out, _read, _report = _run(source)
    assert out.name == "spark.rvucheck.xlsx" and _digest(source) == before
    with zipfile.ZipFile(out) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"<x14:sparkline><xm:f>Charges!K4:K9</xm:f><xm:sqref>M4</xm:sqref>" in sheet
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Charges", "Lookup", "Hidden", "Findings", "Summary"]
    assert wb["Charges"]["E4"].value == 99213 and wb["Charges"]["T4"].value.startswith("GS01")


def test_existing_output_needs_force_and_input_is_never_the_output(corpus: Path) -> None:
    out, _read, _report = _run(corpus)
    stamp = out.stat().st_mtime_ns
    with pytest.raises(InputFileError, match="already exists; use --force"):
        _run(corpus)
    assert out.stat().st_mtime_ns == stamp
    _run(corpus, force=True)
    with pytest.raises(InputFileError, match="would replace the input"):
        _run(corpus, force=True, out=corpus)
    assert not list(corpus.parent.glob(".charges*")), "a temp file was left behind"
