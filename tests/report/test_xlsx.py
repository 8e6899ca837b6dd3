"""The safe workbook toolkit: text never becomes a formula, a `Formula` always does, values are unchanged.
Also the two no-add-in workbooks, whose user-given text goes through it while their formulas stay formulas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from rvucheck.excel import procedure_log as pl
from rvucheck.excel import template
from rvucheck.excel import workbook_data as wd
from rvucheck.report.formula_text import looks_like_formula
from rvucheck.report.xlsx import Formula, append_values, put, put_at, put_text

HOSTILE = ("=2+3", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", '=HYPERLINK("http://x","y")', "\t=1+1", "\r=1")


def _saved(book: Workbook, tmp_path: Path) -> Any:
    path = tmp_path / "book.xlsx"
    book.save(path)
    return load_workbook(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [*((t, True) for t in HOSTILE), ("cmd|' /C calc'!A0", True), ("Dr A", False), ("99213", False),
     ("J06.9 | R05", False), ("", False)],
)  # fmt: skip
def test_formula_like_text(text: str, expected: bool) -> None:
    assert looks_like_formula(text) is expected


def test_text_stays_text_with_a_quote_prefix_and_formulas_are_explicit(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row, text in enumerate(HOSTILE, start=1):
        put(ws, row, 1, text)
    put_text(ws, 1, 2, "Dr A")
    put(ws, 2, 2, 12.5, '"$"#,##0.00')
    put(ws, 3, 2, dt.date(2026, 10, 1))
    put_at(ws, "C1", Formula("=SUM(B2:B2)"))
    put_text(ws, 2, 3, 42)  # a number as text: a code like 99213 read as a number stays "99213"
    sheet = _saved(book, tmp_path).active
    for row, text in enumerate(HOSTILE, start=1):
        cell = sheet.cell(row, 1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert (sheet["B1"].value, sheet["B1"].data_type, sheet["B1"].quotePrefix) == ("Dr A", "s", False)
    assert sheet["B2"].value == 12.5 and sheet["B2"].number_format == '"$"#,##0.00'
    assert sheet["B3"].value == dt.datetime(2026, 10, 1)
    assert (sheet["C1"].value, sheet["C1"].data_type) == ("=SUM(B2:B2)", "f")
    assert (sheet["C2"].value, sheet["C2"].data_type) == ("42", "s")
    with pytest.raises(ValueError, match="starts with '='"):
        Formula("SUM(B2:B2)")


def test_values_from_an_export_are_appended_as_text(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    append_values(ws, ["Provider", "CPT", "Units"])
    append_values(ws, ["=2+3", "99213", 2])
    append_values(ws, ["", "@SUM(1,1)", ""])
    sheet = _saved(book, tmp_path).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Provider", "CPT", "Units"], ["=2+3", "99213", 2], [None, "@SUM(1,1)", None]
    ]  # fmt: skip
    assert {c.data_type for row in sheet.iter_rows() for c in row if c.value is not None} == {"s", "n"}


def test_template_keeps_user_text_as_text_and_its_formulas(ref: Any, tmp_path: Path) -> None:
    lines = (
        template.ExampleLine("=2+3", modifier="@SUM(1,1)", setting="-2+3", locality="+cmd|' /C calc'!A0"),
    )
    data = wd.sheet_data(ref, on=dt.date(2026, 10, 1))
    sheet = _saved(template.build_template(data, '=HYPERLINK("http://x","y")', lines), tmp_path)[
        template.CALCULATOR
    ]
    row = template.FIRST_LINE
    assert [sheet[f"{letter}{row}"].value for letter in "ABDE"] == [
        "=2+3", "@SUM(1,1)", "-2+3", "+cmd|' /C calc'!A0"
    ]  # fmt: skip
    assert {sheet[f"{letter}{row}"].data_type for letter in "ABDE"} == {"s"}
    locality = sheet[template.DEFAULT_LOCALITY_CELL]
    assert (locality.value, locality.data_type) == ('=HYPERLINK("http://x","y")', "s")
    for letter, formula in template.line_formulas(row).items():
        assert (sheet[f"{letter}{row}"].value, sheet[f"{letter}{row}"].data_type) == (formula, "f")
    total = sheet[f"M{template.total_row(lines)}"]
    assert total.data_type == "f" and total.value.startswith("=SUM(M")


def test_procedure_log_formulas_stay_formulas(tmp_path: Path) -> None:
    book = _saved(pl.build_procedure_log(None, year=2026), tmp_path)
    log, summary = book[pl.LOG], book[pl.SUMMARY]
    assert (log[f"G{pl.FIRST_ENTRY}"].value, log[f"G{pl.FIRST_ENTRY}"].data_type) == (
        pl.entry_formulas(pl.FIRST_ENTRY)["G"], "f"
    )  # fmt: skip
    assert summary[pl.YEAR_CELL].value == 2026 and summary[f"B{pl.YEAR_TOTAL_ROW}"].data_type == "f"
    assert log["A2"].data_type == "s" and log["A2"].value.startswith("no fee schedule yet")


def test_a_note_box_grows_with_its_text() -> None:
    from rvucheck.report.xlsx import NOTE_MAX_WIDTH_PX, note_size, sized_note

    short_width, short_height = note_size("GS01 (error): 25 missing")
    assert short_width < NOTE_MAX_WIDTH_PX and short_height < 79  # a short note: a small box
    median = "x" * 289  # the median note of the sample month (issue 15)
    width, height = note_size(median)
    per_line = (width - 20) // 6.2
    assert width == NOTE_MAX_WIDTH_PX and height >= 15 * -(-289 // per_line)  # every wrapped line shown
    assert note_size(median + "\nFix: add 25")[1] == height + 15  # a paragraph is a line more
    assert note_size("y" * 100_000)[1] == 900  # capped: the cell is still reachable
    note = sized_note("=1+1\x07")
    assert note.text == "=1+1?" and (note.width, note.height) == note_size("=1+1?")


def test_print_setup_landscape_one_page_wide_with_repeated_titles(tmp_path: Path) -> None:
    from rvucheck.report.xlsx import print_setup

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Findings"
    print_setup(ws, title_rows=1, area="A1:K40")
    other = book.create_sheet("Summary")
    print_setup(other, title_rows=None, landscape=False)
    saved = _saved(book, tmp_path)
    ws, other = saved["Findings"], saved["Summary"]
    setup = ws.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1" and ws.print_area == "'Findings'!$A$1:$K$40"
    assert other.page_setup.orientation == "portrait" and other.print_title_rows is None
