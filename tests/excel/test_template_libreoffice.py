"""`rvucheck workbook template`: recalculated by LibreOffice, every computed cell equals the Python value.

The calculator is filled with a spread of real codes (every PC/TC kind, OPPS-capped imaging, global periods,
settings, localities) before LibreOffice computes it; then each formula cell is compared with what the
functions (`RVU`, `RVU_PAYMENT`, ...) answer for the same inputs.
"""

from __future__ import annotations

import itertools
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
    lines.append(ExampleLine("27447", "50", setting="facility"))  # bilateral, indicator 1: 150%
    lines.append(ExampleLine("11102", "51"))  # a second procedure: 50%
    lines.append(ExampleLine("27130", "80", setting="facility"))  # assistant at surgery: 16%
    lines.append(ExampleLine("99213-25"))  # the modifier typed with the code
    lines.append(ExampleLine("ZZZZZ"))  # not in the fee schedule: "not found", the totals unharmed
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
    hcpcs, _, typed = str(code).partition("-")
    hcpcs = hcpcs.zfill(5)
    billed = pricer.normalise_modifiers(f"{modifier or ''} {typed}".replace(",", " ").split())
    priced = pricer.choose_rows(ref, ref.release_for().release_id, hcpcs, billed).priced
    work = udfs.RVU(code, "work", modifier)
    if work == "#N/A":
        return dict.fromkeys("GHIJKLM", "") | {"F": "not found"}
    assert priced is not None
    units = line.units or 1
    facility = line.setting == "facility"
    locality = line.locality or default_locality
    payment = udfs.RVU_PAYMENT(code, modifier, locality, line.setting)
    if not isinstance(payment, float) or status_j_or_drug(ref, hcpcs):
        # anesthesia (base + time units) and Part B drugs (ASP) are priced by the add-in only: the no-add-in
        # formulas show the fee schedule's own amount of the row, $0 (the calculator's note says so)
        assert priced is not None and priced.status_code in ("J", "E"), (hcpcs, payment)
        payment = 0.0
    where = None if locality == wd.NATIONAL else ref.locality(locality)
    choice = pricer.choose_rows(ref, ref.release_for().release_id, hcpcs, billed)
    credited = pricer.adjusted(ref, choice, billed, 1, where, facility).work_rvu
    return {
        "F": "ok",
        "G": work,
        "H": udfs.RVU(code, "total_facility" if facility else "total_nonfacility", modifier),
        "I": credited * units,
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
            if want in (None, ""):  # an empty calculator row, or a code not found: nothing shown
                assert got in (None, ""), (letter, row, got)
            elif isinstance(want, float):
                assert got == pytest.approx(want, abs=1e-9), (letter, row, lines[offset], got, want)
            else:
                assert got == want, (letter, row, lines[offset], got, want)
            compared += 1
    assert compared == 8 * (last - template.FIRST_LINE)
    assert len(lines) > 80
    assert capped_lines(ref, lines) >= 5  # the MIN(full, OPPS-capped) branch was exercised


def test_an_unknown_code_says_not_found_and_breaks_no_total(calculated: dict[str, Any], ref: Any) -> None:
    values, lines = calculated["values"], calculated["lines"]
    last = template.total_row(lines)
    unknown_row = template.FIRST_LINE + len(lines) - 1
    assert lines[-1].code == "ZZZZZ"
    assert values[f"F{unknown_row}"].value == "not found" and values[f"G{unknown_row}"].value in (None, "")
    expected = [expected_line(ref, line, "01112-05") for line in lines[:-1]]
    assert values[f"I{last}"].value == pytest.approx(sum(e["I"] for e in expected), abs=1e-6)
    assert values[f"M{last}"].value == pytest.approx(sum(e["M"] for e in expected), abs=1e-4)
    assert values[f"F{last}"].value == "1 not found"


def test_payment_modifiers_are_credited(calculated: dict[str, Any]) -> None:
    values, lines = calculated["values"], calculated["lines"]
    rows = {(line.code, line.modifier): template.FIRST_LINE + i for i, line in enumerate(lines)}
    bilateral = rows[("27447", "50")]
    assert values[f"I{bilateral}"].value == pytest.approx(
        round(values[f"G{bilateral}"].value * 1.5 + 1e-9, 2)
    )
    assert values[f"U{bilateral}"].value == 1.5  # the 50 factor, shown in its own helper column
    assert values[f"V{rows[('11102', '51')]}"].value == 0.5
    assert values[f"X{rows[('27130', '80')]}"].value == 0.16
    typed = rows[("99213-25", "")]
    assert (values[f"F{typed}"].value, values[f"N{typed}"].value) == ("ok", "99213")
    formulas = calculated["formulas"]
    longest = max(len(str(c.value)) for r in formulas.iter_rows(min_row=template.FIRST_LINE) for c in r)
    assert longest < 400  # each step readable in its own column (they were 2,800-3,300 characters)


def test_examples_print_on_one_page_wide(ref: Any) -> None:
    book = template.build_template(wd.sheet_data(ref))
    sheet = book[template.CALCULATOR]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == f"${template.HEADER_ROW}:${template.HEADER_ROW}"
    assert sheet["L7"].number_format == '"$"#,##0.00' and list(sheet.tables) == ["Calculator"]
    assert "RVU_WORK" in book.defined_names and list(book[wd.RVU_SHEET].tables) == ["RvuTable"]


def test_data_sheets_hold_the_release_without_descriptions(calculated: dict[str, Any], ref: Any) -> None:
    data = calculated["data"]
    assert data.release == "RVU26C"
    assert len(data.rows) == len(ref.rows("RVU26C")) == 19356
    assert len(data.localities) == 109
    headers = [h for h, _a in wd.RVU_COLUMNS]
    assert "Description (from your CMS file)" not in [h for h, _a in wd.RVU_COLUMNS[:-1]]
    assert headers[-1].startswith("Description")
