"""Datasets whose CMS file name changes every quarter (NCCI add-on code edits, the lab NCD code lists):
`rvucheck data install` reads the CMS page that links them and takes the newest matching link. Exercised
against a local http.server serving landing pages written here in the shape of CMS's pages (an AMA licence
wrapper around NCCI links, "(ZIP)" link texts) with MADE-UP file names and values, and, in the last test,
zips of the real files from ../shared/data/cms behind such a page (no network)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from local_site import serving

from rvucheck.cli.main import main
from rvucheck.refdata import releases
from rvucheck.refdata.install import install_from
from rvucheck.refdata.lab_ncd import LabNcds
from rvucheck.refdata.landing import choose, file_links, period_of
from rvucheck.refdata.ncci.edits import NcciData
from rvucheck.refdata.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cms"
MADE_UP = "MADE-UP VALUES for rvucheck tests, not CMS data"
AOC_HEADER = [
    "AOC_Edit_Type",
    "Add-On_Code",
    "AOC_DelDT",
    "Primary_Code",
    "Primary_Code_DelDT",
    "AOC_Edit_EffDT",
    "AOC_Edit_DelDT",
    "Special_Instruction_Notes",
]


def _aoc_zip(target: Path, quarter: str, primary: str) -> None:
    """A zip like CMS's AOC zip: the Medicare xlsx (AMA notice row, header row, edit rows)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"AOC_V{quarter}-MCR_xlsx"
    sheet.append([MADE_UP])
    sheet.append(AOC_HEADER)
    sheet.append(["1", "99999", "", primary, "", "2013091", "", ""])
    xlsx = target.parent / f"AOC_V{quarter}-MCR.xlsx"
    book.save(xlsx)
    with zipfile.ZipFile(target, "w") as zf:
        zf.write(xlsx, xlsx.name)
    xlsx.unlink()


def _lab_zip(target: Path, cr: str, resolution: int) -> None:
    """A zip like CMS's Lab Code List ICD-10 zip: the NCD spreadsheet with its two header rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([MADE_UP])
    sheet.append(["NCD", "Description", "CPT/HCPCS", "", "", "ICD-10", "", "", ""])
    sheet.append(
        ["Number", "", "Code", "Eff Date", "Term Date", "Code", "Eff Date", "Term Date", "Resolution"]
    )
    start = dt.datetime(2020, 1, 1)
    sheet.append(["190.99", "Made-up test panel", "10001", start, None, "", None, None, None])
    sheet.append(["190.99", "", "", None, None, "E11.9", start, None, resolution])
    sheet.append(["190.99", "", "", None, None, "@@@@@@@", start, None, 3])
    xlsx = target.parent / f"{cr}-Initial-ICD10-NCD-Spreadsheet-20300101.xlsx"
    book.save(xlsx)
    with zipfile.ZipFile(target, "w") as zf:
        zf.write(xlsx, xlsx.name)
    xlsx.unlink()


def _page(title: str, links: list[tuple[str, str]]) -> str:
    """A page in the shape of CMS's (Drupal) pages: the downloads as a list of links after the text."""
    items = "\n".join(f'<li><a href="{href}" class="external-link">{text}</a></li>' for href, text in links)
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title} | CMS</title></head><body>"
        f"<main><h1>{title}</h1><p>{MADE_UP}: a test page.</p>"
        f"<div class='field--name-field-downloads'><h2>Downloads</h2><ul>{items}</ul></div>"
        "<a href='/about-cms'>About CMS</a></main></body></html>"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("cms-pages")
    files = root / "files" / "zip"
    files.mkdir(parents=True)
    _aoc_zip(files / "madeup-aoc-v2030q1.zip", "2030Q1", "10002")
    _aoc_zip(files / "madeup-aoc-v2030q2.zip", "2030Q2", "10001")
    _aoc_zip(files / "madeup-medicaid-aoc-v2030q3.zip", "2030Q3", "43001")
    (root / "aoc.html").write_text(
        _page(
            "Medicare NCCI Add-on Code Edits",
            [
                ("/files/document/aoc-file-structure.pdf", "AOC File Structure (PDF)"),
                # the older quarter first, as CMS lists its archive; both behind the AMA licence page
                (
                    "/license/ama?file=/files/zip/madeup-aoc-v2030q1.zip",
                    "Add-on Code Edits Effective 01/01/2030 (ZIP)",
                ),
                (
                    "/license/ama?file=/files/zip/madeup-aoc-v2030q2.zip",
                    "Add-on Code Edits Effective 04/01/2030 (ZIP)",
                ),
                ("/files/zip/madeup-medicaid-aoc-v2030q3.zip", "Medicaid Add-on Code Edits 2030 Q3 (ZIP)"),
            ],
        )
    )
    _lab_zip(files / "january-2030-lab-code-list-icd-10.zip", "2030100", 3)
    _lab_zip(files / "april-2030-lab-code-list-icd-10.zip", "2030200", 1)
    (root / "lab.html").write_text(
        _page(
            "Lab NCDs - ICD-10",
            [
                ("/files/zip/april-2030-lab-code-list-icd-10.zip", "April 2030 Lab Code List ICD-10 (ZIP)"),
                (
                    "/files/zip/january-2030-lab-code-list-icd-10.zip",
                    "January 2030 Lab Code List ICD-10 (ZIP)",
                ),
                ("/files/zip/lab-code-list-icd-9.zip", "Lab Code List ICD-9 2031 (ZIP)"),
            ],
        )
    )
    (root / "moved.html").write_text(_page("Page moved", [("/files/zip/other.zip", "Something else (ZIP)")]))

    with serving(root) as site:
        yield site


def _table(site: str, pages: dict[str, str]) -> list[releases.Download]:
    """The package's own download entries for these datasets, with only their page moved to the test site."""
    return [
        dataclasses.replace(d, page=site + pages[d.dataset])
        for d in releases.downloads()
        if d.dataset in pages
    ]


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Add-on Code Edits Effective 07/01/2026 (ZIP)", (2026, 7)),
        ("AOC_V2026Q3-MCR.zip", (2026, 7)),
        ("medicare-ncci-2026-q2-aoc.zip", (2026, 4)),
        ("Add-On Code Edits for Medicare Effective 10012026", (2026, 10)),
        ("april-2022-lab-code-list-icd-10.zip", (2022, 4)),
        ("July 1, 2021 Lab Code List", (2021, 7)),
        ("2026100-Initial-ICD10-NCD-Spreadsheet-20250721.xlsx", None),  # a CR number, not a period
        ("Lab Code List 2025", (2025, 0)),
        ("Lab Code List ICD-10 (ZIP)", None),
    ],
)
def test_period_of_link_texts_and_names(text: str, period: tuple[int, int] | None) -> None:
    assert period_of(text) == period


def test_licence_wrapped_links_are_unwrapped_and_the_newest_quarter_wins() -> None:
    page = "https://www.cms.gov/x/aoc"
    html = _page(
        "AOC",
        [
            ("/license/ama?file=/files/zip/aoc-q1.zip", "Add-on Code Edits Effective 01/01/2030 (ZIP)"),
            ("/license/ama?file=/files/zip/aoc-q2.zip", "Add-on Code Edits Effective 04/01/2030 (ZIP)"),
            ("/files/document/aoc-2031.pdf", "Add-on code edits file layout 2031 (PDF)"),
        ],
    ).encode()
    links = file_links(html, page)
    assert [url for url, _ in links] == [
        "https://www.cms.gov/files/zip/aoc-q1.zip",
        "https://www.cms.gov/files/zip/aoc-q2.zip",
    ]  # the PDF is not a data file
    assert choose(links, r"add[\s_-]*on") == "https://www.cms.gov/files/zip/aoc-q2.zip"
    assert choose(links, r"add[\s_-]*on", unlike="2030") is None
    assert choose(links, "mue") is None
    assert file_links(b"", page) == []


def test_aoc_from_its_page_newest_medicare_quarter(site: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    table = _table(site, {"AOC": "aoc.html"})
    monkeypatch.setattr(releases, "downloads", lambda: table)
    data = tmp_path / "data"
    assert main([f"--data-dir={data}", "data", "install", "--release", "AOC"]) == 0
    captured = capsys.readouterr()
    assert f"reading {site}aoc.html" in captured.err
    assert f"downloading {site}files/zip/madeup-aoc-v2030q2.zip" in captured.err
    assert "v2030q1" not in captured.err and "medicaid" not in captured.err
    assert "installed ncci 2030Q2: AOC" in captured.out
    ncci = NcciData.open(Store(data))
    assert ncci is not None
    assert ncci.aoc_primaries("99999", dt.date(2030, 5, 1)) == {"10001"}  # Q2's primary, not Q1's 10002


def test_lab_ncd_from_its_page(site: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    table = _table(site, {"LABNCD": "lab.html"})
    monkeypatch.setattr(releases, "downloads", lambda: table)
    store = Store(tmp_path / "data")
    assert main([f"--data-dir={store.data_dir}", "data", "install", "--release", "labncd"]) == 0
    captured = capsys.readouterr()
    assert f"downloading {site}files/zip/april-2030-lab-code-list-icd-10.zip" in captured.err
    assert "installed labncd 2030200" in captured.out  # April's change request, not January's 2030100
    assert [d.dataset_id for d in store.datasets("labncd")] == ["2030200"]
    ncds = LabNcds(store)
    assert ncds.ncds_of("10001", dt.date(2030, 5, 1)) == [("190.99", "Made-up test panel")]
    assert ncds.resolution("190.99", "E11.9", dt.date(2030, 5, 1)) == 1  # April's list covers it
    assert ncds.resolution("190.99", "M25.561", dt.date(2030, 5, 1)) == 3
    assert main([f"--data-dir={store.data_dir}", "data", "status"]) == 0
    status = capsys.readouterr().out
    assert "Lab NCD ICD-10 edits:\n  2030200    undated (newest used)" in status


def test_update_skips_what_is_installed(site: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """`data update` knows an installed AOC or lab NCD file by the address the catalog records (not the
    temporary path it was unpacked to): in its own quarter the page is not read again; a quarter later the
    page is read, and its newest file, being the one installed, is not downloaded again."""
    table = _table(site, {"AOC": "aoc.html", "LABNCD": "lab.html"})
    monkeypatch.setattr(releases, "downloads", lambda: table)
    store = Store(tmp_path / "data")
    update = [f"--data-dir={store.data_dir}", "data", "update", "--date"]
    assert main([*update, "2030-05-01"]) == 0
    first = capsys.readouterr()
    assert first.err.count("downloading") == 2 and "installed ncci 2030Q2: AOC" in first.out
    aoc = next(s["file"] for s in store.datasets("ncci")[0].sources if s["role"] == "AOC")
    assert aoc == f"{site}files/zip/madeup-aoc-v2030q2.zip!AOC_V2030Q2-MCR.xlsx"
    assert main([*update, "2030-05-01"]) == 0  # the same quarter: both files name it
    again = capsys.readouterr().err
    assert "reading" not in again and "downloading" not in again
    assert "up to date: every dataset listed for Q2 2030 is installed" in again
    assert main([*update, "2030-08-01"]) == 0  # Q3: the pages are read; their newest files are installed
    later = capsys.readouterr().err
    assert later.count("reading") == 2 and "downloading" not in later
    assert f"up to date: {site}files/zip/madeup-aoc-v2030q2.zip is installed (ncci 2030Q2)" in later
    assert (
        f"up to date: {site}files/zip/april-2030-lab-code-list-icd-10.zip is installed (labncd 2030200)"
        in later
    )


def test_page_without_the_link_is_a_one_line_error(site: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    table = _table(site, {"AOC": "moved.html"})
    monkeypatch.setattr(releases, "downloads", lambda: table)
    assert main([f"--data-dir={tmp_path / 'data'}", "data", "install", "--release", "AOC"]) == 2
    err = capsys.readouterr().err
    assert f"could not download: {site}moved.html: no link to the NCCI add-on code edits" in err
    assert "open the page in a browser, download the newest file and run rvucheck data install --from" in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("rvucheck: nothing could be downloaded (1 datasets failed)")
    assert not Store(tmp_path / "data").datasets("ncci")


def test_missing_page_is_a_one_line_error(site: str, tmp_path: Path) -> None:
    from rvucheck.errors import InputFileError
    from rvucheck.refdata.landing import current_link

    with pytest.raises(InputFileError) as failure:
        current_link(f"{site}gone.html", "aoc", "", "add-on code edits", lambda _m: None)
    assert str(failure.value).startswith(f"{site}gone.html: download failed (HTTP Error 404")
    assert "\n" not in str(failure.value)


def test_mce_says_it_is_software_and_where(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([f"--data-dir={tmp_path / 'data'}", "data", "install", "--release", "43.1"]) == 0
    err = capsys.readouterr().err
    assert "CMS publishes the Medicare Code Editor only as software" in err
    assert "mce_v<version>_i10dx_master.csv" in err
    assert err.rstrip().endswith(
        "https://www.cms.gov/medicare/payment/prospective-payment-systems/acute-inpatient-pps/"
        "ms-drg-classifications-and-software"
    )
    assert "downloading" not in err and not Store(tmp_path / "data").datasets("mce")


def test_aoc_installed_from_the_page_is_used_by_ao01(site: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    install_from([FIXTURES / "rvu30b"], Store(data))
    table = _table(site, {"AOC": "aoc.html"})
    monkeypatch.setattr(releases, "downloads", lambda: table)
    assert main([f"--data-dir={data}", "data", "install", "--release", "AOC"]) == 0
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "Date of Service,CPT,Modifiers,Provider,Patient,Charge\n"
        "05/01/2030,99999,,DR1,P1,50\n"  # the add-on alone
        "05/01/2030,10001,,DR1,P2,200\n"
        "05/01/2030,99999,,DR1,P2,50\n",  # with the primary the page's newest quarter lists
        encoding="utf-8",
    )
    capsys.readouterr()
    args = ["check", str(claims), "--locality", "01112-05", "--no-annotate", "--format", "json"]
    main([f"--data-dir={data}", *args])
    lines = json.loads(capsys.readouterr().out)["lines"]
    flagged = [line["row"] for line in lines if any(f["rule"] == "AO01" for f in line["findings"])]
    assert flagged == [2]  # the add-on alone; with 10001 (the newest quarter's primary) it passes


def test_real_cms_files_behind_a_page(shared_cms: Path, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """The real AOC and lab NCD files from ../shared/data/cms, zipped under CMS-style names, behind
    made-up pages that also list an older quarter: what data install installs is CMS's content."""
    root = tmp_path / "www"
    (root / "files" / "zip").mkdir(parents=True)
    with zipfile.ZipFile(root / "files" / "zip" / "aoc-v2026q2.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(shared_cms / "AOC2026Q2" / "AOC_V2026Q2-MCR.xlsx", "AOC_V2026Q2-MCR.xlsx")
    lab = shared_cms / "LABNCD2026100" / "2026100-Initial-ICD10-NCD-Spreadsheet-20250721.xlsx"
    with zipfile.ZipFile(root / "files" / "zip" / "january-2026-lab-code-list-icd-10.zip", "w") as zf:
        zf.write(lab, lab.name)
    (root / "aoc.html").write_text(
        _page(
            "Medicare NCCI Add-on Code Edits",
            [
                (
                    "/license/ama?file=/files/zip/aoc-v2025q4.zip",
                    "Add-on Code Edits Effective 10/01/2025 (ZIP)",
                ),
                (
                    "/license/ama?file=/files/zip/aoc-v2026q2.zip",
                    "Add-on Code Edits Effective 04/01/2026 (ZIP)",
                ),
            ],
        )
    )
    (root / "lab.html").write_text(
        _page(
            "Lab NCDs - ICD-10",
            [
                (
                    "/files/zip/october-2025-lab-code-list-icd-10.zip",
                    "October 2025 Lab Code List ICD-10 (ZIP)",
                ),
                (
                    "/files/zip/january-2026-lab-code-list-icd-10.zip",
                    "January 2026 Lab Code List ICD-10 (ZIP)",
                ),
            ],
        )
    )

    with serving(root) as host:
        table = _table(host, {"AOC": "aoc.html", "LABNCD": "lab.html"})
        monkeypatch.setattr(releases, "downloads", lambda: table)
        store = Store(tmp_path / "data")
        assert (
            main(
                [f"--data-dir={store.data_dir}", "data", "install", "--release", "AOC", "--release", "LABNCD"]
            )
            == 0
        )
    out = capsys.readouterr().out
    assert "installed ncci 2026Q2: AOC" in out and "installed labncd 2026100" in out
    ncci = NcciData.open(store)
    assert ncci is not None
    assert ncci.aoc_primaries("99292", dt.date(2026, 5, 1)) == {"99291"}  # PROVENANCE.md's spot check
    assert ("190.21B", "Glycated Hemoglobin/Glycated Protein") in LabNcds(store).ncds_of(
        "83036", dt.date(2026, 5, 1)
    )


def test_every_listed_dataset_has_a_way_to_get_it() -> None:
    listed = releases.downloads()
    assert all(d.urls or d.link or d.manual for d in listed)
    by_id = {d.dataset: d for d in listed}
    assert by_id["AOC"].link and by_id["LABNCD"].link and not by_id["43.1"].link
    assert by_id["43.1"].manual.startswith("CMS publishes the Medicare Code Editor only as software")
