"""Diagnoses judged by the code set in force on their date: CMS's ICD-10-CM files by fiscal year (from
October 1) and ICD-9-CM v32 before 2015-10-01, installed from the real files in ../shared/data/cms."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rvucheck.refdata.code_sets import written_as
from rvucheck.refdata.icd_files import cms_code_sets_installed, headers_of, recognize
from rvucheck.refdata.install import install_from
from rvucheck.refdata.store import Store

D = dt.date
# The CMS-published totals of billable codes (lines of each year's codes file; PROVENANCE.md section 12)
BILLABLE = {
    "FY2017": 71_486,
    "FY2018": 71_704,
    "FY2019": 71_932,
    "FY2020": 72_184,
    "FY2021": 72_621,
    "FY2022": 72_750,
    "FY2023": 73_674,
    "FY2024": 74_044,
    "FY2025": 74_260,
    "FY2026": 74_719,
}


def test_every_fiscal_year_and_icd9_installed_with_its_span(data_dir: Path) -> None:
    store = Store(data_dir)
    fiscal = {d.dataset_id: d for d in store.datasets("icd10cm") if d.dataset_id.startswith("FY")}
    assert {k: d.meta["billable"] for k, d in fiscal.items()} == BILLABLE
    fy2018 = fiscal["FY2018"]
    assert (fy2018.effective_from, fy2018.effective_to) == (D(2017, 10, 1), D(2018, 9, 30))
    [icd9] = store.datasets("icd9cm")
    assert (icd9.dataset_id, icd9.meta["billable"], icd9.effective_to) == ("v32", 14_567, D(2015, 9, 30))
    assert cms_code_sets_installed(store)
    assert not cms_code_sets_installed(Store(data_dir.parent / "no-such-store"))


@pytest.mark.parametrize(
    ("code", "on", "state"),
    [
        ("N18.3", D(2018, 3, 1), "billable"),  # split into N18.30-N18.32 from FY2021
        ("M54.5", D(2018, 3, 1), "billable"),  # split into M54.50-M54.59 from FY2022
        ("N18.3", D(2020, 9, 30), "billable"),  # the last day of FY2020
        ("N18.3", D(2020, 10, 1), "header"),  # the first day of FY2021
        ("M54.5", D(2021, 9, 30), "billable"),
        ("M54.5", D(2021, 10, 1), "header"),
        ("N18.3", D(2026, 2, 10), "header"),
        ("M54.5", D(2026, 7, 15), "header"),
        ("U07.1", D(2019, 12, 2), "invalid"),  # first in the FY2021 file
        ("U07.1", D(2021, 1, 11), "billable"),
        # ICD-9-CM on 2008 dates: not read as ICD-10 (V09.0 a pedestrian accident category, E8889 as E88.89)
        ("V09.0", D(2008, 5, 6), "billable"),
        ("V090", D(2008, 5, 6), "billable"),
        ("E8889", D(2008, 5, 6), "billable"),
        ("E888.9", D(2008, 5, 6), "billable"),
        ("4019", D(2008, 5, 6), "billable"),
        ("401.9", D(2008, 5, 6), "billable"),
        ("250", D(2008, 5, 6), "header"),
        ("401.3", D(2008, 5, 6), "invalid"),
        ("99213", D(2008, 5, 6), "invalid"),
        # the other system's codes
        ("E88.89", D(2008, 5, 6), "other"),  # the dot after 3 characters is ICD-10's
        ("I10", D(2012, 6, 1), "other"),
        ("E11.9", D(2012, 6, 1), "other"),
        ("4019", D(2019, 3, 4), "other"),
        ("250.00", D(2019, 3, 4), "other"),
        ("E888.9", D(2019, 3, 4), "other"),  # the dot after 4 characters is ICD-9's
        ("E8889", D(2019, 3, 4), "billable"),  # read as E88.89 on an ICD-10 date
        ("V09.0", D(2026, 5, 1), "header"),
        # FY2027 (not installed): the newest set stands in, and says so (test_which_set_answers_for_a_date)
        ("I10", D(2026, 10, 1), "billable"),
        ("4019", D(2027, 9, 30), "other"),
        # dates no installed set covers: FY2016 (no usable CMS file), FY2028 on, MIMIC's shifted 2100s
        ("I10", D(2016, 1, 4), "unjudged"),
        ("I10", D(2027, 10, 1), "unjudged"),
        ("4019", D(2150, 1, 1), "unjudged"),
    ],
)
def test_a_code_is_judged_by_the_set_of_its_date(ref: Any, code: str, on: dt.date, state: str) -> None:
    assert ref.dx_state(code, on) == state


def test_which_set_answers_for_a_date(ref: Any) -> None:
    assert ref.dx_code_set(D(2017, 9, 30)).name == "ICD-10-CM FY2017"
    assert ref.dx_code_set(D(2017, 10, 1)).name == "ICD-10-CM FY2018"
    assert ref.dx_code_set(D(2015, 9, 30)).name == "ICD-9-CM v32"
    assert ref.dx_code_set(D(2001, 1, 1)).name == "ICD-9-CM v32"  # v32 stands in for the earlier versions
    assert ref.dx_code_set(D(2015, 10, 1)) is None  # FY2016: no CMS file
    assert ref.dx_code_set(D(2100, 6, 1)) is None
    newest = ref.dx_code_set(None)  # an undated line: the newest ICD-10-CM set
    assert newest is not None and newest.system == "ICD-10-CM"
    assert newest == ref.dx_code_set(D(2026, 9, 30)) and not newest.stand_in
    stand_in = ref.dx_code_set(D(2026, 10, 1))  # FY2027 is not installed: the newest set answers for it
    assert (stand_in.key, stand_in.stand_in) == (newest.key, "FY2027")
    assert ref.dx_code_set(D(2027, 10, 1)) is None  # but not for the year after


def test_mimic_admission_diagnoses_are_icd9_codes(ref: Any, shared_cms: Path) -> None:
    """MIMIC-III's DIAGNOSES_ICD.csv (real ICD-9-CM, no dots, admissions 2001-2012 before date shifting): no
    code is invalid in v32; 45 of 1,761 are codes v32 had split into subcodes (041.4 in FY2012, 276.5 and 585
    in FY2006), valid in the version of their admission year, which is not installed."""
    with (shared_cms.parent / "claims" / "DIAGNOSES_ICD.csv").open(newline="") as handle:
        codes = [row["ICD9_CODE"] for row in csv.DictReader(handle)]
    states = Counter(ref.dx_state(code, D(2012, 6, 1)) for code in codes)
    assert states == Counter({"billable": 1_716, "header": 45})
    assert {ref.dx_state(code, D(2012, 6, 1)) for code in ("0414", "2765", "585")} == {"header"}
    # On a 2019 date the numeric codes are ICD-9 ("other": DX04). Undotted V and E codes read as ICD-10-CM, as
    # the date says: V44.0 etc. are ICD-10 categories (DX03), E888.9 and E880.9 read as E88.89 and E88.09.
    later = Counter(ref.dx_state(code, D(2019, 6, 1)) for code in codes)
    assert later == Counter({"other": 1_761 - 43 - 4, "header": 43, "billable": 4})
    assert {code for code in codes if ref.dx_state(code, D(2019, 6, 1)) == "billable"} == {"E8889", "E8809"}


def test_written_as_reads_the_dot() -> None:
    assert written_as("E88.89", "ICD-10-CM") and not written_as("E88.89", "ICD-9-CM")
    assert written_as("E888.9", "ICD-9-CM") and not written_as("E888.9", "ICD-10-CM")
    assert written_as("V09.0", "ICD-9-CM") and written_as("V09.0", "ICD-10-CM")
    assert written_as("4019", "ICD-9-CM") and written_as("4019", "ICD-10-CM")  # no dot: either
    assert not written_as("4.0.19", "ICD-9-CM")


def test_headers_are_the_prefixes_from_the_category_on() -> None:
    assert headers_of(["S72001A"], "ICD-10-CM") == {"S72", "S720", "S7200", "S72001"}
    assert headers_of(["25000"], "ICD-9-CM") == {"250", "2500"}
    assert headers_of(["E8889"], "ICD-9-CM") == {"E888"}  # E codes: the category has 4 characters
    assert headers_of(["V090"], "ICD-9-CM") == {"V09"}


def _cms_download(tmp_path: Path, shared_cms: Path) -> Path:
    """A zip laid out like CMS's full download: a folder, the codes member under CMS's April name, the order
    file and the addenda beside it. The codes member is CMS's own FY2026 file; the others are MADE UP."""
    with zipfile.ZipFile(shared_cms / "ICD10CM" / "icd10cm_codes_fy2026.zip") as source:
        codes = source.read("icd10cm_codes_2026.txt")
    target = tmp_path / "April-1-2026-Code-Descriptions-in-Tabular-Order.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        folder = "Code Descriptions in Tabular Order April 1 2026/"
        out.writestr(folder + "icd10cm-codes-April-1-2026.txt", codes)
        out.writestr(folder + "icd10cm-order-April-1-2026.txt", "00001 A00     0 Cholera (made up)\r\n")
        out.writestr(folder + "icd10cm-codes-addenda-April-1-2026.txt", "Add:    A000 made up\r\n")
        out.writestr(folder + "README.txt", "made up\r\n")
    return target


def test_cms_full_download_zip_installs_as_an_april_update(tmp_path: Path, shared_cms: Path) -> None:
    store = Store(tmp_path / "data")
    skipped: list[str] = []
    installed = install_from([_cms_download(tmp_path, shared_cms)], store, progress=skipped.append)
    assert [(i.kind, i.dataset_id) for i in installed] == [("icd10cm", "2026-04")]
    assert (installed[0].effective_from, installed[0].effective_to) == (D(2026, 4, 1), D(2026, 9, 30))
    assert sum("skipped" in message for message in skipped) == 3  # order, addenda, readme
    assert installed[0].meta["billable"] == BILLABLE["FY2026"]


def test_a_file_named_like_a_code_list_but_not_one_is_not_recognised(tmp_path: Path) -> None:
    fake = tmp_path / "icd10cm_codes_2020.txt"
    fake.write_text("code,description\nA000,made up\n", encoding="utf-8")
    assert recognize(fake) is None
    icd9 = tmp_path / "CMS32_DESC_LONG_DX.txt"
    icd9.write_text("0010  Cholera due to vibrio cholerae\n", encoding="latin-1")
    found = recognize(icd9)
    assert found is not None and (found.kind, found.dataset_id) == ("icd9cm", "v32")


def test_data_install_from_the_shared_folders_and_status_lists_them(
    tmp_path: Path, shared_cms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rvucheck.cli.main import main

    data = tmp_path / "data"
    folder = tmp_path / "ICD10CM"
    folder.mkdir()
    shutil.copy(shared_cms / "ICD10CM" / "icd10cm_codes_fy2020.zip", folder)  # folder prefix inside the zip
    sources = [str(folder), str(shared_cms / "ICD9CM"), str(shared_cms / "RVU26C")]
    assert main(["--data-dir", str(data), "data", "install", "--from", *sources]) == 0
    assert main(["--data-dir", str(data), "data", "status"]) == 0
    out = capsys.readouterr().out
    assert "ICD-10-CM code sets:" in out and "ICD-9-CM code set:" in out
    assert "FY2020     2019-10-01 to 2020-09-30" in out
    assert "v32        2014-10-01 to 2015-09-30" in out
