"""docs/excel.md says what is true (issue 15): xlwings' classic functions are Windows only, the Windows set-up
names every step (Python, pip install, data install, the Trust Center setting, rvucheck excel install), and a
Mac or the web is sent to the no-add-in workbooks or xlwings Lite."""

from __future__ import annotations

from pathlib import Path

DOC = (Path(__file__).resolve().parents[2] / "docs" / "excel.md").read_text(encoding="utf-8")


def test_classic_functions_are_windows_only() -> None:
    assert "## Functions in Excel on Windows (classic xlwings)" in DOC
    assert "Windows/macOS" not in DOC and "Windows or macOS" not in DOC
    assert "On a Mac or in Excel on the web" in DOC and "xlwings Lite" in DOC


def test_windows_steps_in_order() -> None:
    steps = [
        "python --version",
        'pip install "rvucheck[all]"',
        "rvucheck data install",
        "Trust access to the VBA project object model",
        "rvucheck excel install",
    ]
    section = DOC[DOC.index("## Functions in Excel on Windows") :]
    positions = [section.index(step) for step in steps]
    assert positions == sorted(positions)


def test_the_command_the_doc_names_exists() -> None:
    from rvucheck.cli.main import build_parser

    parser = build_parser()
    commands = (["excel", "install"], ["data", "update"], ["workbook", "template", "--out", "x"])
    for argv in commands:
        assert parser.parse_args(argv).func is not None
