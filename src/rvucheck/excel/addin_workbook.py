"""`workbooks/rvucheck-functions.xlsm` and `rvucheck excel install`: Excel set up to import the functions.

The workbook is xlwings' own standalone quickstart workbook (it carries the xlwings VBA module, so it works
without the add-in) with its settings sheet activated as `xlwings.conf` and
`UDF Modules` = `rvucheck.excel.udfs`,
plus an Examples sheet. We build it from the copy inside the installed xlwings package rather than shipping a
VBA project of our own: the VBA then always matches the user's xlwings version.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Font

from rvucheck.errors import RvucheckError
from rvucheck.outputs import write_file

UDF_MODULE = "rvucheck.excel.udfs"
CONF_SHEET = "xlwings.conf"

# (what it shows, formula); codes from the CMS fee schedule, localities from the GPCI file.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Work RVU", '=RVU("20983")'),
    ("Work RVU, code typed as a number", "=RVU(99213)"),
    ("Total RVU, facility", '=RVU("20983","total_facility")'),
    ("Professional component (26) work RVU", '=RVU("71046",,"26")'),
    ("National payment, non-facility", '=RVU_PAYMENT("20983")'),
    ("Payment, facility, locality 01112-05", '=RVU_PAYMENT("20983",,"01112-05","facility")'),
    ("Payment, bilateral (50), place of service 22", '=RVU_PAYMENT("27447","50","01112-05",22)'),
    ("Global days", '=RVU_GLOBAL("27447")'),
    ("Status", '=RVU_STATUS("20983")'),
    ("Descriptor (from your CMS file)", '=RVU_DESC("20983")'),
    ("Work RVU percentile in its category", '=RVU_PERCENTILE("20983")'),
    ("Findings for one line", '=RVU_CHECK("99214","",1,DATE(2026,7,15),"E11.9",11)'),
)
INFO_EXAMPLE = '=RVU_INFO("20983")'
CHECK_BLOCK = (
    ("code", "modifiers", "units", "date", "diagnoses", "pos", "patient", "provider"),
    ("99214", "25", 1, "2026-07-15", "M17.11", "11", "P001", "Dr A"),
    ("20610", "", 1, "2026-07-15", "M17.11", "11", "P001", "Dr A"),
    ("20611", "", 1, "2026-07-15", "M17.11", "11", "P001", "Dr A"),
)


def quickstart_path() -> Path:
    import xlwings

    path = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
    if not path.is_file():
        version = xlwings.__version__
        raise RvucheckError(f"xlwings {version} lacks {path.name}: reinstall it (pip install xlwings)")
    return path


def build_functions_workbook(out: Path) -> Path:
    book = load_workbook(quickstart_path(), keep_vba=True)
    settings = book["_xlwings.conf"]
    settings.title = CONF_SHEET  # the leading underscore keeps it inactive; without it the settings apply
    for row in settings.iter_rows(min_row=1, max_row=12):
        key = row[0].value
        if key == "UDF Modules":
            row[1].value = UDF_MODULE
        elif key == "Interpreter_Win":
            row[1].value = None  # blank: the interpreter in ~/.xlwings/xlwings.conf (rvucheck excel install)
    examples = book["Sheet1"]
    examples.title = "Examples"
    examples["A1"] = "rvucheck functions (import them first: xlwings ribbon > Import Functions)"
    examples["A1"].font = Font(bold=True, size=14)
    examples["A3"], examples["B3"], examples["C3"] = "What", "Result", "Formula"
    for cell in examples[3]:
        cell.font = Font(bold=True)
    for offset, (label, formula) in enumerate(EXAMPLES):
        row = 4 + offset
        examples[f"A{row}"] = label
        examples[f"B{row}"] = formula
        examples[f"C{row}"] = formula[1:]  # the formula as text, beside its live result
    info_row = 5 + len(EXAMPLES)
    examples[f"A{info_row}"] = "Everything about a code (spills two rows):"
    examples[f"A{info_row + 1}"] = INFO_EXAMPLE
    block_row = info_row + 5
    examples[f"A{block_row - 1}"] = "A block of lines checked together (RVU_CHECK_RANGE in column J spills):"
    for offset, values in enumerate(CHECK_BLOCK):
        for column, value in enumerate(values, start=1):
            examples.cell(row=block_row + offset, column=column, value=value)
    last = block_row + len(CHECK_BLOCK) - 1
    examples[f"J{block_row}"] = f"=RVU_CHECK_RANGE(A{block_row}:H{last})"
    examples.column_dimensions["A"].width = 44
    examples.column_dimensions["B"].width = 16
    examples.column_dimensions["C"].width = 52
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def user_config_path() -> Path:
    return Path.home() / ".xlwings" / "xlwings.conf"


def write_user_config(path: Path, interpreter: str = sys.executable) -> list[str]:
    """Set UDF MODULES (and this Python as the interpreter) in xlwings' user config, keeping other keys.
    Returns the keys written."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    platform_key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    wanted = {"UDF MODULES": UDF_MODULE, platform_key: interpreter}
    kept = [line for line in lines if _config_key(line) not in wanted]
    text = "\n".join([*kept, *(f'"{k}","{v}"' for k, v in wanted.items())]) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    # the user's own config: a symlinked dotfile is updated where it lives, through a temp and a rename
    write_file(path.resolve(), lambda temp: temp.write_text(text, encoding="utf-8"))
    return list(wanted)


def _config_key(line: str) -> str:
    found = re.findall(r'"([^"]*)"', line)
    return found[0].upper() if found else ""
