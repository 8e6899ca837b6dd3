"""Every workbook output printed (LibreOffice -> PDF): landscape, one page wide, and few pages for the sample
month (issue 15: the annotated copy printed 389 pages four columns wide, the template 1,275 pages).

Page counts measured when this was written: the annotated copy's added sheets (Findings + Summary) 8 pages
for the sample month's 163 findings (18 with the Documentation sheet's 230 lines, issue 18; the whole copy,
charge sheet included, 32), the audit workbook 25, the template 4, the procedure log 31 (its
1,000 formula rows print as empty lines); the bounds leave room for fonts that set wider."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from rvucheck.cli.main import main
from rvucheck.excel import procedure_log as pl
from rvucheck.excel import template
from rvucheck.excel import workbook_data as wd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audit"))
from test_audit_cli import audit_data_dir

pytestmark = pytest.mark.libreoffice
SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "sample-charges-2026-10.xlsx"
PAGE = re.compile(rb"/Type\s*/Page\b")  # a page object (not /Pages, the page tree)


def _pdfs(books: list[Path], where: Path) -> dict[str, bytes]:
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        pytest.fail("LibreOffice (soffice) is needed to print the workbooks")
    profile = where / "lo-profile"
    command = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(where / "pdf"), *map(str, books)]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return {book.stem: (where / "pdf" / f"{book.stem}.pdf").read_bytes() for book in books}


def _pages_by_sheet(pdf: bytes) -> int:
    return len(PAGE.findall(pdf))


@pytest.fixture(scope="module")
def printed(data_dir: Path, shared_cms: Path, ref: object, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("print")
    source = work / SAMPLE.name
    shutil.copyfile(SAMPLE, source)
    assert main([f"--data-dir={data_dir}", str(source), "--fail-on", "never"]) == 0
    copy = openpyxl.load_workbook(work / "sample-charges-2026-10.rvucheck.xlsx")
    del copy["Charge Detail"]  # its print set-up is the charge-sheet writer's; these are the added sheets
    copy.save(work / "added.xlsx")
    data = audit_data_dir(data_dir, work / "data", shared_cms)
    assert main([f"--data-dir={data}", "audit", str(source), "--out", str(work / "audit.xlsx")]) == 0
    sheet_data = wd.sheet_data(ref)
    template.build_template(sheet_data).save(work / "template.xlsx")
    pl.build_procedure_log(sheet_data, year=2026).save(work / "log.xlsx")
    books = [work / f"{name}.xlsx" for name in ("added", "audit", "template", "log")]
    return {"pdf": _pdfs(books, work), "books": {b.stem: openpyxl.load_workbook(b) for b in books}}


@pytest.mark.parametrize(("book", "most"), [("added", 20), ("audit", 30), ("template", 6), ("log", 40)])
def test_each_output_prints_in_few_pages(printed: dict, book: str, most: int) -> None:
    pages = _pages_by_sheet(printed["pdf"][book])
    assert 1 <= pages <= most, f"{book}: {pages} pages"


@pytest.mark.parametrize("book", ["added", "audit", "template", "log"])
def test_every_sheet_is_set_up_to_print(printed: dict, book: str) -> None:
    for sheet in printed["books"][book].worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.fitToWidth) == ("landscape", 1), (book, sheet.title)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, (book, sheet.title)
