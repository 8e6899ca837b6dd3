"""workbooks/rvucheck-functions.xlsm, `rvucheck excel install|workbook`, `rvucheck workbook template`."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from rvucheck.cli.main import main
from rvucheck.excel import udfs
from rvucheck.excel import workbook_data as wd
from rvucheck.excel.addin_workbook import CONF_SHEET, UDF_MODULE, build_functions_workbook, write_user_config

REPO = Path(__file__).resolve().parents[2]
SHIPPED_XLSM = REPO / "workbooks" / "rvucheck-functions.xlsm"


def registered_names() -> set[str]:
    """The module's functions (classic xlwings on Linux makes @xw.func a pass-through, so no __xlfunc__)."""
    return {n for n, f in inspect.getmembers(udfs, inspect.isfunction) if f.__module__ == udfs.__name__}


def test_functions_workbook_imports_rvucheck_udfs() -> None:
    assert "xl/vbaProject.bin" in zipfile.ZipFile(SHIPPED_XLSM).namelist()  # the xlwings VBA module
    book = openpyxl.load_workbook(SHIPPED_XLSM, keep_vba=True)
    assert CONF_SHEET in book.sheetnames  # active settings sheet (no leading underscore)
    settings = {row[0]: row[1] for row in book[CONF_SHEET].iter_rows(values_only=True) if row[0]}
    assert settings["UDF Modules"] == UDF_MODULE == "rvucheck.excel.udfs"
    assert settings["Interpreter_Win"] is None  # from ~/.xlwings/xlwings.conf, not a path of this machine


def excel_args(text: str, sheet: Any) -> list[Any]:
    """The arguments of a simple example formula: "text", numbers, blanks, DATE(y,m,d), A1:H4 ranges."""
    values: list[Any] = []
    for token in re.findall(
        r'"[^"]*"|DATE\(\d+,\d+,\d+\)|[A-Z]+\d+:[A-Z]+\d+|[^,]+|(?<=,)(?=,|$)|^(?=,)', text
    ):
        if token.startswith('"'):
            values.append(token[1:-1])
        elif token.startswith("DATE("):
            values.append(dt.date(*map(int, re.findall(r"\d+", token))))
        elif ":" in token:
            values.append([[c.value for c in r] for r in sheet[token]])
        elif token == "":
            values.append(None)
        else:
            values.append(float(token))
    return values


@pytest.mark.usefixtures("udf_data")
def test_every_example_answers_with_a_value(data_dir: Path) -> None:
    """Evaluate each example formula with the functions, as Excel would after Import Functions."""
    book = openpyxl.load_workbook(SHIPPED_XLSM, keep_vba=True)
    sheet = book["Examples"]
    formulas = [c.value for row in sheet.iter_rows() for c in row if str(c.value).startswith("=RVU")]
    used = {re.match(r"=(RVU\w*)\(", f).group(1) for f in formulas}  # type: ignore[union-attr]
    assert used == registered_names()  # every function has an example, and no example is unknown
    assert '=RVU("20983")' in formulas
    answers = {}
    for formula in formulas:
        name, inner = re.fullmatch(r"=(RVU\w*)\((.*)\)", formula).groups()  # type: ignore[union-attr]
        answer = getattr(udfs, name)(*excel_args(inner, sheet))
        flat = [v for row in answer for v in row] if isinstance(answer, list) else [answer]
        assert not any(isinstance(v, str) and v.startswith(("#", "rvucheck")) for v in flat), (
            formula,
            answer,
        )
        answers[formula] = answer
    assert answers['=RVU("20983")'] == 6.71
    assert answers['=RVU_PAYMENT("20983")'] == 4905.92
    block = next(a for f, a in answers.items() if f.startswith("=RVU_CHECK_RANGE"))
    assert block[0] == ["findings"] and any(row[0] for row in block[1:])  # the block's same-day findings


def test_shipped_xlsm_is_what_the_builder_writes(tmp_path: Path) -> None:
    fresh = openpyxl.load_workbook(build_functions_workbook(tmp_path / "f.xlsm"), keep_vba=True)
    shipped = openpyxl.load_workbook(SHIPPED_XLSM, keep_vba=True)
    assert fresh.sheetnames == shipped.sheetnames
    # the Examples sheet is ours; the settings sheet is xlwings' (its notes may change with xlwings versions)
    assert list(fresh["Examples"].values) == list(shipped["Examples"].values)
    settings = [[r[0], r[1]] for r in fresh[CONF_SHEET].iter_rows(max_row=9, values_only=True)]
    assert settings == [[r[0], r[1]] for r in shipped[CONF_SHEET].iter_rows(max_row=9, values_only=True)]


def test_excel_install_writes_the_user_config_and_keeps_other_keys(tmp_path: Path) -> None:
    config = tmp_path / "xlwings.conf"
    config.write_text('"LICENSE_KEY","abc"\n"UDF MODULES","old_module"\n', encoding="utf-8")
    assert main(["excel", "install", "--config", str(config), "--no-addin"]) == 0
    lines = config.read_text(encoding="utf-8").splitlines()
    assert '"LICENSE_KEY","abc"' in lines
    assert '"UDF MODULES","rvucheck.excel.udfs"' in lines
    assert not any("old_module" in line for line in lines)
    assert any(line.startswith('"INTERPRETER_') for line in lines)
    write_user_config(config)  # idempotent
    assert config.read_text(encoding="utf-8").splitlines() == lines


def test_excel_install_on_linux_explains_the_addin_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["excel", "install", "--config", str(tmp_path / "x.conf")]) == 0
    assert "xlwings addin install" in capsys.readouterr().out


def test_template_command_writes_no_descriptions_by_default(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["--data-dir", str(data_dir), "workbook", "template", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    headers = next(book[wd.RVU_SHEET].iter_rows(min_row=2, max_row=2, values_only=True))
    assert not any(str(h).startswith("Description") for h in headers)
    first = next(book[wd.RVU_SHEET].iter_rows(min_row=3, max_row=3, values_only=True))
    assert not any(isinstance(v, str) and len(v) > 12 and " " in v for v in first)  # no CPT text anywhere
    assert book[wd.GPCI_SHEET]["A3"].value == wd.NATIONAL


def test_template_with_descriptions_on_request(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    args = ["--data-dir", str(data_dir), "workbook", "template", "--out", str(out), "--with-descriptions"]
    assert main([*args, "--locality", "01112-05"]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    rows = book[wd.RVU_SHEET].iter_rows(min_row=2, values_only=True)
    headers = next(rows)
    described = {r[1]: r[-1] for r in rows if r[2] is None}
    assert headers[-1] == "Description (from your CMS file)"
    assert described["20983"] == "Ablate bone tumor(s) perq"
    assert book["Calculator"]["B4"].value == "01112-05"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["workbook", "template", "--out", "EXISTING"], "already exists; use --force"),
        (["workbook", "template", "--out", "t.csv"], "must be an .xlsx file"),
        (["workbook", "template", "--out", "new.xlsx", "--date", "July"], "--date 'July' is not a date"),
        (["workbook", "template", "--out", "new.xlsx", "--locality", "nowhere"], "no Medicare locality"),
        (
            ["workbook", "procedure-log", "--out", "new.xlsx", "--date", "2019-01-01"],
            "no CY2019 fee schedule",
        ),
        (["excel", "workbook", "--out", "x.xlsx"], "must be an .xlsm file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "existing.xlsx"
    existing.write_bytes(b"")
    args = [
        str(existing) if a == "EXISTING" else str(tmp_path / a) if a.endswith((".xlsx", ".csv")) else a
        for a in args
    ]
    assert main(["--data-dir", str(data_dir), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_no_data_installed_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["--data-dir", str(tmp_path / "empty"), "workbook", "template", "--out", str(out)]) == 2
    assert "rvucheck data install" in capsys.readouterr().err
    assert not out.exists()
