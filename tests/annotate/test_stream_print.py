"""The annotated copy's charge sheet prints landscape, one page wide, its header row on every page (issue 15),
unless the sheet brought page set-up properties of its own."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from rvucheck.annotate.stream.tail import fit_to_width_head, fit_to_width_tail
from rvucheck.cli.main import main

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks/sample-charges-2026-10.xlsx"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            b'<worksheet a="1"><dimension ref="A1"/>',
            b'<worksheet a="1"><sheetPr><pageSetUpPr fitToPage="1"/>',
        ),
        (
            b'<worksheet><sheetPr codeName="S"/><dimension',
            b'<sheetPr codeName="S"><pageSetUpPr fitToPage="1"/>',
        ),
        (b'<worksheet><sheetPr><tabColor rgb="FF0000"/></sheetPr>', b'<tabColor rgb="FF0000"/><pageSetUpPr'),
    ],
)
def test_fit_to_page_is_added_to_the_head(head: bytes, expected: bytes) -> None:
    edited, ours = fit_to_width_head(head)
    assert ours and expected in edited and edited.count(b"pageSetUpPr") == 1


def test_a_sheet_with_its_own_page_set_up_properties_is_left_alone() -> None:
    head = b'<worksheet><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="A1"/>'
    assert fit_to_width_head(head) == (head, False)


def test_a_page_setup_in_open_close_form_is_kept_as_it_is() -> None:
    tail = b'<pageSetup orientation="portrait"></pageSetup></worksheet>'
    assert fit_to_width_tail(tail) == tail


def test_page_setup_is_added_or_made_one_page_wide() -> None:
    added = fit_to_width_tail(b'<pageMargins left="0.7"/><headerFooter/></worksheet>')
    ours = b'<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    assert added == b'<pageMargins left="0.7"/>' + ours + b"<headerFooter/></worksheet>"
    own = fit_to_width_tail(b'<pageSetup paperSize="9" orientation="portrait" scale="55"/></worksheet>')
    assert own == (
        b'<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>'
    )


def test_the_sample_month_copy_prints_one_page_wide(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    sample = tmp_path / "sample.xlsx"
    sample.write_bytes(SAMPLE.read_bytes())
    assert main([str(sample), "--fail-on", "never"]) == 0
    with zipfile.ZipFile(tmp_path / "sample.rvucheck.xlsx") as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
        workbook = package.read("xl/workbook.xml").decode()
    assert b'<pageSetUpPr fitToPage="1"/>' in sheet
    assert re.search(rb'<pageSetup [^>]*orientation="landscape" fitToWidth="1" fitToHeight="0"/>', sheet)
    assert re.search(
        r'<definedName name="_xlnm.Print_Titles" localSheetId="0">\'Charge Detail\'!\$\d+:\$\d+<', workbook
    )
