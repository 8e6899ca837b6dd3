"""`rvucheck workbook template`: recalculated by LibreOffice, every computed cell equals the Python value.

The calculator is filled with a spread of real codes (every PC/TC kind, OPPS-capped imaging, global periods,
settings, localities) before LibreOffice computes it; then each formula cell is compared with what the
functions (`RVU`, `RVU_PAYMENT`, ...) answer for the same inputs.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from rvucheck.excel import template, udfs
from rvucheck.excel import workbook_data as wd
from rvucheck.excel.template import ExampleLine
from rvucheck.refdata.pricing import pricer
from rvucheck.refdata.pricing.anesthesia import is_anesthesia

pytestmark = [pytest.mark.libreoffice, pytest.mark.usefixtures("udf_data")]


def sample_lines(ref: Any) -> list[ExampleLine]:
    """About 100 lines: the examples, 15 rows whose payment the OPPS cap lowers, rows with an NA setting,
    26/TC rows, and every 400th row of the release; settings and localities rotate."""
    rows = sorted(ref.rows(ref.release_for().release_id).values(), key=lambda r: (r.hcpcs, r.modifier))
    capped = [r for r in rows if ref.fee(r, None, False).opps_capped][:15]  # national OPPS cap applies
    na_rows = [r for r in rows if r.nonfacility_na.strip() == "NA"][:10]
    component_rows = [r for r in rows if r.modifier in ("26", "TC")][:: max(1, len(rows) // 40)][:20]
    spread = rows[::400]
    keys = sorted(ref.localities())
    localities = itertools.cycle(("", wd.NATIONAL, "01112-05", keys[0], keys[len(keys) // 2], keys[-1]))
    lines = list(template.EXAMPLES)
    settings = itertools.cycle(("nonfacility", "facility", "nonfacility"))
    for row in [*capped, *na_rows, *component_rows, *spread]:
        units = 3 if row.hcpcs.endswith("7") else None
        code: str | int = int(row.hcpcs) if row.hcpcs.isdigit() and row.hcpcs[0] != "0" else row.hcpcs
        lines.append(ExampleLine(code, row.modifier, units, next(settings), next(localities)))
    lines.append(ExampleLine("93000", "26,59"))  # several modifiers in one cell: 26 picks its row
    lines.append(ExampleLine("71046", "tc", 2))
    lines.append(ExampleLine("71046", "26 TC"))  # both components: the global row, as the one pricer says
    lines.append(ExampleLine("94150", "TC"))  # status B: $0 in the formulas as in RVU_PAYMENT
    lines.append(ExampleLine(100, setting="facility"))  # anesthesia 00100 typed as a number
    lines.append(ExampleLine("ZZZZZ"))  # not in the fee schedule: the formula cells show #N/A
    return lines


@pytest.fixture(scope="module")
def calculated(ref: Any, tmp_path_factory: pytest.TempPathFactory, recalculate: Any) -> dict[str, Any]:
    lines = sample_lines(ref)
    data = wd.sheet_data(ref)
    book = template.build_template(data, default_locality="01112-05", lines=lines)
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    book.save(path)
    result = recalculate(path)
    return {
        "lines": lines,
        "formulas": openpyxl.load_workbook(path)[template.CALCULATOR],
        "values": openpyxl.load_workbook(result, data_only=True)[template.CALCULATOR],
        "data": data,
    }


def status_j_or_drug(ref: Any, hcpcs: str) -> bool:
    return is_anesthesia(hcpcs) or ref.drug_price(hcpcs) is not None


def expected_line(ref: Any, line: ExampleLine, default_locality: str) -> dict[str, Any]:
    """What each computed column must show, from the Excel functions themselves."""
    code, modifier = line.code, line.modifier or None
    hcpcs = str(code).zfill(5)
    billed = pricer.normalise_modifiers((modifier or "").replace(",", " ").split())
    priced = pricer.choose_rows(ref, ref.release_for().release_id, hcpcs, billed).priced
    key = f"{hcpcs}|{priced.modifier if priced else ''}"
    work = udfs.RVU(code, "work", modifier)
    if work == "#N/A":
        return dict.fromkeys("GHIJKLM", "#N/A") | {"F": key}
    units = line.units or 1
    facility = line.setting == "facility"
    payment = udfs.RVU_PAYMENT(code, modifier, line.locality or default_locality, line.setting)
    if not isinstance(payment, float) or status_j_or_drug(ref, hcpcs):
        # anesthesia (base + time units) and Part B drugs (ASP) are priced by the add-in only: the no-add-in
        # formulas show the fee schedule's own amount of the row, $0 (the calculator's note says so)
        assert priced is not None and priced.status_code in ("J", "E"), (hcpcs, payment)
        payment = 0.0
    return {
        "F": key,
        "G": work,
        "H": udfs.RVU(code, "total_facility" if facility else "total_nonfacility", modifier),
        "I": work * units,
        "J": udfs.RVU_GLOBAL(code, modifier),
        "K": udfs.RVU_STATUS(code, modifier).split(":")[0],
        "L": payment,
        "M": payment * units,
    }


def capped_lines(ref: Any, lines: list[ExampleLine]) -> int:
    count = 0
    for line in lines:
        row = ref.rvu(str(line.code).zfill(5), line.modifier or "")
        locality = line.locality or "01112-05"
        where = None if locality == wd.NATIONAL else ref.locality(locality)
        count += bool(row and ref.fee(row, where, line.setting == "facility").opps_capped)
    return count


def test_every_computed_cell_equals_the_python_value(calculated: dict[str, Any], ref: Any) -> None:
    formulas, values, lines = calculated["formulas"], calculated["values"], calculated["lines"]
    last = template.total_row(lines)
    compared = 0
    for row in range(template.FIRST_LINE, last):
        offset = row - template.FIRST_LINE
        expected = expected_line(ref, lines[offset], "01112-05") if offset < len(lines) else {}
        for letter in "FGHIJKLM":
            assert str(formulas[f"{letter}{row}"].value).startswith("="), f"{letter}{row} is not a formula"
            got = values[f"{letter}{row}"].value
            want = expected.get(letter)
            if want is None:  # an empty calculator row: the formulas show nothing
                assert got in (None, ""), (letter, row, got)
            elif isinstance(want, float):
                assert got == pytest.approx(want, abs=1e-9), (letter, row, lines[offset], got, want)
            else:
                assert got == want, (letter, row, lines[offset], got, want)
            compared += 1
    assert compared == 8 * (last - template.FIRST_LINE)
    assert len(lines) > 80
    assert capped_lines(ref, lines) >= 5  # the MIN(full, OPPS-capped) branch was exercised


def test_an_unknown_code_shows_na_in_its_row_and_in_the_totals(calculated: dict[str, Any]) -> None:
    values, lines = calculated["values"], calculated["lines"]
    last = template.total_row(lines)
    unknown_row = template.FIRST_LINE + len(lines) - 1
    assert lines[-1].code == "ZZZZZ"
    assert values[f"G{unknown_row}"].value == "#N/A"
    assert values[f"I{last}"].value == "#N/A"  # SUM over a #N/A shows #N/A, as in Excel
    assert values[f"M{last}"].value == "#N/A"


def test_shipped_examples_and_totals_through_the_index_match_fallback(
    ref: Any, tmp_path: Path, recalculate: Any
) -> None:
    """A spreadsheet without XLOOKUP (Excel 2016, LibreOffice < 24.8) reads #NAME? there; IFERROR then
    takes INDEX/MATCH. Simulated by renaming XLOOKUP to a function no spreadsheet has: same values."""
    data = wd.sheet_data(ref)
    book = template.build_template(data)
    sheet = book[template.CALCULATOR]
    renamed = 0
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "_xlfn.XLOOKUP(" in cell.value:
                cell.value = cell.value.replace("_xlfn.XLOOKUP(", "_xlfn.NOSUCHLOOKUP(")
                renamed += 1
    assert renamed == 5 * template.LINE_COUNT  # columns G, H, J, K, L of every line
    sheet["P1"] = "=ISERROR(_xlfn.NOSUCHLOOKUP(1,A:A,A:A))"  # proof that the renamed lookup does fail
    path = tmp_path / "examples.xlsx"
    book.save(path)
    values = openpyxl.load_workbook(recalculate(path), data_only=True)[template.CALCULATOR]
    assert values["P1"].value is True
    last = template.total_row(template.EXAMPLES)
    for offset, line in enumerate(template.EXAMPLES):
        row = template.FIRST_LINE + offset
        for letter, want in expected_line(ref, line, wd.NATIONAL).items():
            got = values[f"{letter}{row}"].value
            assert got == (pytest.approx(want, abs=1e-9) if isinstance(want, float) else want), (letter, row)
    expected = [expected_line(ref, line, wd.NATIONAL) for line in template.EXAMPLES]
    assert values[f"I{last}"].value == pytest.approx(sum(e["I"] for e in expected), abs=1e-9)
    assert values[f"M{last}"].value == pytest.approx(sum(e["M"] for e in expected), abs=1e-6)
    assert values[f"G{template.FIRST_LINE}"].value == 6.71  # 20983
    assert values[f"L{template.FIRST_LINE}"].value == 4905.92  # national, non-facility


def test_data_sheets_hold_the_release_without_descriptions(calculated: dict[str, Any], ref: Any) -> None:
    data = calculated["data"]
    assert data.release == "RVU26C"
    assert len(data.rows) == len(ref.rows("RVU26C")) == 19356
    assert len(data.localities) == 109
    headers = [h for h, _a in wd.RVU_COLUMNS]
    assert "Description (from your CMS file)" not in [h for h, _a in wd.RVU_COLUMNS[:-1]]
    assert headers[-1].startswith("Description")
