"""read_charges on workbooks and CSVs laid out the way real exports are (made-up data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from rvucheck.errors import InputFileError
from rvucheck.read.charges import read_charges
from rvucheck.testing.synthetic.month import generate_month, write_csv, write_xlsx

HEADERS = [
    "Claim #",
    "Patient MRN",
    "DOS",
    "Rendering Provider",
    "CPT",
    "Mod 1",
    "Mod 2",
    "Units",
    "Dx 1",
    "Dx 2",
    "POS",
    "Charge",
]


def _export(path: Path, rows: list[list[object]], title_rows: int = 3) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Charges"
    ws.append(["Riverbend Medical Group - Charge Detail"])
    for _ in range(title_rows - 2):
        ws.append([])
    ws.append(["Run 11/02/2026"])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_title_block_totals_blank_and_unreadable_rows_are_all_accounted(tmp_path: Path) -> None:
    path = _export(
        tmp_path / "c.xlsx",
        [
            ["E1", "M1", dt.date(2026, 10, 1), "Dr A", 99213, 25, None, 1, "E119", "I10", 11, 125],
            [
                "E1",
                "M1",
                dt.date(2026, 10, 1),
                "Dr A",
                "20610-RT",
                None,
                None,
                "x",
                "M17.11",
                "",
                11,
                "$250.00",
            ],
            ["E2", "M2", 46300, "Dr A", "  g2211 ", "", "", None, "m1711", "", 11.0, "(12)"],
            [],
            ["E3", "M3", "13/45/2026", "Dr B", 100, "", "", 1, "", "", 21, 1],
            ["E4", "M4", dt.date(2026, 10, 2), "Dr B", None, "", "", 1, "I10", "", 11, 1],
            ["Grand Total", "", "", "", "", "", "", 3, "", "", "", 400],
        ],
    )
    result = read_charges(path)
    assert (result.sheet, result.header_row) == ("Charges", 4)
    assert [line.source.row for line in result.lines] == [5, 7]
    first, second = result.lines
    assert (first.hcpcs, first.modifiers, first.units, first.diagnoses, first.pos, first.charge) == (
        "99213",
        ("25",),
        1.0,
        ("E11.9", "I10"),
        "11",
        125.0,
    )
    assert (
        first.column_of("hcpcs") == 5 and first.column_of("modifiers") == 6 and first.column_of("units") == 8
    )
    assert (second.hcpcs, second.dos, second.diagnoses, second.charge) == (
        "G2211",
        dt.date(2026, 10, 5),
        ("M17.11",),
        -12.0,
    )
    reasons = {u.source.row: (u.source.column, u.reason) for u in result.unreadable}
    assert reasons[6] == (8, "Charges!H6: units 'x' is not a number")
    assert reasons[9][0] == 3 and "'13/45/2026' is not a date" in reasons[9][1]
    assert reasons[10] == (5, "no procedure code in Charges!E10")
    assert result.totals_rows == [11]
    assert result.blank_rows == 1
    assert result.rows_read == 5  # 2 checked + 3 unreadable; totals and blank rows counted apart


def test_code_cell_with_modifier_and_modifiers_in_one_cell(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Procedure Code", "Modifier", "Qty", "Service Date", "ICD-10"])
    ws.append(["99213-25", "59", 1, "10/05/2026", "E11.9, I10"])
    ws.append([99214, "25,59", 2, "2026-10-06", "I10;E78.5"])
    wb.save(tmp_path / "one-cell.xlsx")
    lines = read_charges(tmp_path / "one-cell.xlsx").lines
    assert [(x.hcpcs, x.modifiers, x.units, x.dos, x.diagnoses) for x in lines] == [
        ("99213", ("25", "59"), 1.0, dt.date(2026, 10, 5), ("E11.9", "I10")),
        ("99214", ("25", "59"), 2.0, dt.date(2026, 10, 6), ("I10", "E78.5")),
    ]


def test_1904_workbook_unformatted_serial(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["CPT", "DOS", "Posted"])
    ws.append([99213, 46300 - 1462, dt.date(2026, 10, 7)])
    wb.save(tmp_path / "mac.xlsx")
    result = read_charges(tmp_path / "mac.xlsx")
    assert result.date1904
    assert (result.lines[0].dos, result.lines[0].posted) == (dt.date(2026, 10, 5), dt.date(2026, 10, 7))


def test_merged_provider_and_date_apply_to_each_row_and_hidden_rows_are_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Provider", "DOS", "CPT"])
    ws.append(["Dr A", dt.date(2026, 10, 1), 99213])
    ws.append([None, None, 20610])
    ws.append([None, None, 99214])
    ws.merge_cells("A2:A4")
    ws.merge_cells("B2:B3")
    ws.row_dimensions[3].hidden = True
    wb.save(tmp_path / "merged.xlsx")
    result = read_charges(tmp_path / "merged.xlsx")
    assert [(x.provider, x.dos) for x in result.lines] == [
        ("Dr A", dt.date(2026, 10, 1)),
        ("Dr A", dt.date(2026, 10, 1)),
        ("Dr A", None),
    ]
    assert result.hidden_rows == [3]


def test_formula_without_saved_value_is_unreadable_with_reason(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["CPT", "Units"])
    ws.append([99213, 1])
    ws.append(['=TEXT(99214,"0")', 1])  # openpyxl saves no cached value: calamine reads it as empty
    ws.append([99215, "=1+1"])
    wb.save(tmp_path / "formulas.xlsx")
    result = read_charges(tmp_path / "formulas.xlsx")
    assert [x.hcpcs for x in result.lines] == ["99213"]
    reasons = {u.source.row: u.reason for u in result.unreadable}
    assert set(reasons) == {3, 4}
    assert reasons[3].startswith("Sheet!A3 holds a formula with no saved result")
    assert reasons[4].startswith("Sheet!B4 holds a formula with no saved result")


def test_formula_with_cached_value_uses_it(tmp_path: Path) -> None:
    lines = generate_month(2026, 10, 30, seed=1)
    result = read_charges(write_xlsx(lines, tmp_path / "x.xlsx", 2026, 10))
    assert len(result.lines) == 30
    assert result.totals_rows == [36]  # "Grand Total" with SUBTOTAL formulas (cached values) after 30 lines
    assert [x.hcpcs for x in result.lines] == [x.hcpcs for x in lines]
    assert [x.modifiers for x in result.lines] == [x.modifiers for x in lines]
    assert [x.diagnoses for x in result.lines] == [x.diagnoses for x in lines]


def test_chooses_the_charge_sheet_and_honours_sheet_option(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Read me first"])
    other = wb.create_sheet("Payments")
    other.append(["Patient", "Amount"])
    charges = wb.create_sheet("Detail")
    charges.append(["CPT", "Units", "DOS"])
    charges.append([99213, 1, dt.date(2026, 10, 1)])
    wb.save(tmp_path / "multi.xlsx")
    assert read_charges(tmp_path / "multi.xlsx").sheet == "Detail"
    assert read_charges(tmp_path / "multi.xlsx", sheet="detail").sheet == "Detail"
    with pytest.raises(InputFileError, match="has no sheet 'Nope'; its sheets are: Notes, Payments, Detail"):
        read_charges(tmp_path / "multi.xlsx", sheet="Nope")


def test_no_code_column_names_the_headers_it_saw(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Patient", "Service", "Amount"])
    wb.active.append(["M1", "Office visit", 100])
    wb.save(tmp_path / "nocode.xlsx")
    with pytest.raises(
        InputFileError, match=r"no procedure code column found .*headers seen: Patient, Service"
    ):
        read_charges(tmp_path / "nocode.xlsx")
    mapped = read_charges(tmp_path / "nocode.xlsx", mapping={"hcpcs": "Service"})
    assert mapped.mapping["hcpcs"] == 2 and mapped.lines[0].hcpcs == "OFFICE VISIT"


def test_empty_workbook(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(InputFileError, match="has no data"):
        read_charges(tmp_path / "empty.xlsx")


def test_repeated_page_header_is_reported_not_checked(tmp_path: Path) -> None:
    path = _export(
        tmp_path / "pages.xlsx",
        [
            ["E1", "M1", dt.date(2026, 10, 1), "Dr A", 99213],
            HEADERS,
            ["E2", "M2", dt.date(2026, 10, 1), "Dr A", 99214],
        ],
    )
    result = read_charges(path)
    assert [x.hcpcs for x in result.lines] == ["99213", "99214"]
    assert [u.source.row for u in result.unreadable] == [6]
    assert "repeats the column headers" in result.unreadable[0].reason


def test_csv_exports(tmp_path: Path) -> None:
    lines = generate_month(2026, 10, 40, seed=2)
    result = read_charges(write_csv(lines, tmp_path / "export.csv"))
    assert (result.sheet, result.header_row, result.kind) == ("export", 1, "csv")
    assert [(x.hcpcs, x.modifiers, x.dos, x.diagnoses, x.units) for x in result.lines] == [
        (x.hcpcs, x.modifiers, x.dos, x.diagnoses, x.units) for x in lines
    ]
    semicolon = tmp_path / "semi.csv"
    semicolon.write_bytes("CPT;Qté;Médecin\n99213;1;Dr Hélène\n".encode("cp1252"))
    read = read_charges(semicolon)
    assert (read.lines[0].hcpcs, read.lines[0].provider) == ("99213", "")  # "Médecin" is not a synonym
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffCPT,Units\n99214,2\n".encode())
    assert read_charges(bom).lines[0].units == 2.0
