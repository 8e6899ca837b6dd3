"""Made-up files in CMS's formats (tests/fixtures/cms): fixed-width txt, xlsx, 2025 vs 2026 layouts,
dropped zeros, malformed rows (one-line error naming file and line, nothing half-imported)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from rvucheck.errors import InputFileError
from rvucheck.refdata import open_reference
from rvucheck.refdata.install import install_from
from rvucheck.refdata.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cms"


@pytest.fixture
def fixture_ref(tmp_path: Path):  # type: ignore[no-untyped-def]
    install_from([FIXTURES / "rvu30b", FIXTURES / "rvu29d"], Store(tmp_path / "data"))
    return open_reference(tmp_path / "data")


def test_fixed_width_and_csv_2026_layout(fixture_ref) -> None:  # type: ignore[no-untyped-def]
    info = fixture_ref.dataset("RVU30B")
    assert {s["format"] for s in info.sources if s["role"] == "PPRRVU"} == {"csv", "txt"}
    assert info.contents == ("RVU", "GPCI", "LOCCO", "ANES")
    row = fixture_ref.rvu("10002")
    assert (row.release, row.work_rvu, row.pe_rvu_nonfacility, row.nonfacility_na, row.mp_rvu) == (
        "RVU30B", 20.0, 10.0, "NA", 4.0,
    )  # fmt: skip
    assert (row.pre_op, row.intra_op, row.post_op, row.pric_ind, row.conversion_factor) == (
        0.09,
        0.84,
        0.07,
        "9",
        40.0,
    )
    assert fixture_ref.rvu("43002").endo_base == "43001"
    assert fixture_ref.rvu("70001", "TC").opps_pe_nonfacility == 2.6


def test_fixed_width_gpci_locco_anes(fixture_ref) -> None:  # type: ignore[no-untyped-def]
    sf = fixture_ref.locality("01112-05")
    assert (sf.state, sf.name, sf.work_gpci, sf.pe_gpci, sf.mp_gpci) == (
        "CA",
        "MADE-UP SAN FRANCISCO",
        1.1,
        1.4,
        0.4,
    )
    assert (sf.counties, sf.anes_cf) == ("SAN FRANCISCO", 22.5)
    assert fixture_ref.locality("05302-99").counties == "ALL OTHER COUNTIES"  # printed twice, kept once


def test_2025_layout_and_dropped_zeros(fixture_ref) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    row = fixture_ref.rvu("10002", on=dt.date(2029, 11, 1))
    assert (row.release, row.pric_ind, row.conversion_factor, row.endo_base) == ("RVU29D", "", 39.0, "")
    assert fixture_ref.rvu("43002", on=dt.date(2029, 11, 1)).endo_base == "43001"
    # GPCI csv "1112,CA,5,...,1.1" and "10112,AL,0,...,1": leading zeros restored, "1" read as 1.000
    al = fixture_ref.localities("RVU29D")["10112-00"]
    assert (al.work_gpci, al.pe_gpci) == (1.0, 0.9)
    assert "01112-05" in fixture_ref.localities("RVU29D")


def test_payment_from_fixture(fixture_ref) -> None:  # type: ignore[no-untyped-def]
    row = fixture_ref.rvu("10001")
    assert fixture_ref.payment(row) == 220.0  # (2 + 3 + 0.5) x 40
    sf = fixture_ref.locality("01112-05")
    assert fixture_ref.payment(row, sf, facility=True) == 152.0  # (2x1.1 + 1x1.4 + 0.5x0.4) x 40
    imaging = fixture_ref.rvu("70001")
    fee = fixture_ref.fee(imaging)
    # PFS (1 + 5 + 0.1) x 40 = 244.00; OPPS cap (1 + 3 + 0.05) x 40 = 162.00
    assert (fee.full_amount, fee.amount, fee.opps_capped) == (244.0, 162.0, True)


def test_xlsx_pprrvu(tmp_path: Path) -> None:
    """The same release as an xlsx workbook (CMS ships PPRRVU as .xlsx too) imports to the same rows."""
    import csv

    folder = tmp_path / "rvu30b"
    folder.mkdir()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with (FIXTURES / "rvu30b" / "madeup-rvu-2030-apr.csv").open(encoding="latin-1", newline="") as fh:
        for i, cells in enumerate(csv.reader(fh)):
            # numbers as numbers, and zero-led codes as numbers too (00100 -> 100, 000 -> 0), as a re-saved
            # workbook may hold them: the reader pads them back
            sheet.append([_as_cell(c) if i >= 10 and j != 2 else c for j, c in enumerate(cells)])
    workbook.save(folder / "madeup-rvu-2030-apr.xlsx")
    shutil.copy(FIXTURES / "rvu30b" / "madeup-gpci-2030.txt", folder)
    install_from([folder], Store(tmp_path / "x"))
    from_xlsx = open_reference(tmp_path / "x")
    install_from([FIXTURES / "rvu30b"], Store(tmp_path / "c"))
    from_csv = open_reference(tmp_path / "c")
    assert from_xlsx.dataset("RVU30B").sources[-1]["format"] == "xlsx"
    assert from_xlsx.rows("RVU30B") == from_csv.rows("RVU30B")
    assert from_xlsx.rvu("00100").hcpcs == "00100"


def _as_cell(text: str) -> object:
    try:
        return int(text) if text.isdigit() else float(text)
    except ValueError:
        return text


def test_malformed_row_names_file_and_line_and_imports_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    install_from([FIXTURES / "rvu29d"], store)
    broken = tmp_path / "rvu30b"
    shutil.copytree(FIXTURES / "rvu30b", broken)
    csv_path = broken / "madeup-rvu-2030-apr.csv"
    lines = csv_path.read_text(encoding="latin-1").splitlines()
    assert lines[13].startswith("10002,")
    lines[13] = lines[13].replace(",20.00,", ",2O.00,")  # letter O for zero
    csv_path.write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")
    with pytest.raises(InputFileError) as failure:
        install_from([broken], store)
    message = str(failure.value)
    assert "madeup-rvu-2030-apr.csv: line 14:" in message
    assert "'2O.00' is not a number" in message
    assert "\n" not in message
    assert [d.dataset_id for d in store.datasets("pfs")] == ["RVU29D"]
    assert not store.dataset_path("pfs", "RVU30B").exists()
    assert list(store.data_dir.glob("*.tmp")) == []


def test_short_row_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "rvu30b"
    shutil.copytree(FIXTURES / "rvu30b", folder)
    path = folder / "madeup-rvu-2030-apr.csv"
    lines = path.read_text(encoding="latin-1").splitlines()
    lines[12] = ",".join(lines[12].split(",")[:20])
    path.write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")
    with pytest.raises(
        InputFileError, match=r"madeup-rvu-2030-apr.csv: line 13: 20 columns where the PPRRVU layout has 32"
    ):
        install_from([folder], Store(tmp_path / "data"))


def test_txt_that_disagrees_with_csv_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rvu30b"
    shutil.copytree(FIXTURES / "rvu30b", folder)
    txt = folder / "madeup-rvu-2030-apr.txt"
    txt.write_text(txt.read_text(encoding="latin-1").replace("  20.00", "  21.00"), encoding="latin-1")
    with pytest.raises(InputFileError, match=r"madeup-rvu-2030-apr\.txt: its PPRRVU values differ from"):
        install_from([folder], Store(tmp_path / "data"))


def test_companion_file_without_release_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    shutil.copy(FIXTURES / "rvu30b" / "madeup-gpci-2030.txt", folder)
    with pytest.raises(InputFileError, match="GPCI file without its release"):
        install_from([folder], Store(tmp_path / "data"))


def test_nothing_recognised(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    with pytest.raises(InputFileError, match="no CMS files recognised"):
        install_from([tmp_path / "notes.txt"], Store(tmp_path / "data"))


def test_zip_of_a_release(tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "rvu30b-updated-03-15-2030.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in (
            "madeup-rvu-2030-apr.csv",
            "madeup-gpci-2030.txt",
            "madeup-localities-2030.txt",
            "madeup-anes-2030.txt",
        ):
            zf.write(FIXTURES / "rvu30b" / name, name)
    (info,) = install_from([archive], Store(tmp_path / "data"))
    assert (info.dataset_id, info.contents) == ("RVU30B", ("RVU", "GPCI", "LOCCO", "ANES"))
    assert any(s["file"].endswith(".zip!madeup-rvu-2030-apr.csv") for s in info.sources)


def test_qpp_and_nonqpp_files_in_one_release(tmp_path: Path) -> None:
    """CMS publishes both variants since 2026: same RVUs, another CF. One dataset keeps a CF per variant."""
    folder = tmp_path / "rvu30b"
    shutil.copytree(FIXTURES / "rvu30b", folder)
    source = folder / "madeup-rvu-2030-apr.csv"
    source.rename(folder / "madeup-rvu-2030-apr_nonQPP.csv")
    text = (folder / "madeup-rvu-2030-apr_nonQPP.csv").read_text(encoding="latin-1")
    (folder / "madeup-rvu-2030-apr_QPP.csv").write_text(
        text.replace(",40.0000,", ",40.2000,"), encoding="latin-1"
    )
    (info,) = install_from([folder], Store(tmp_path / "data"))
    assert info.meta["conversion_factors"] == {"nonqpp": 40.0, "qpp": 40.2}
    ref = open_reference(tmp_path / "data")
    row = ref.rvu("10001")
    assert (ref.payment(row), ref.payment(row, qpp=True)) == (220.0, 221.1)  # 5.5 RVUs x 40.0 / x 40.2


def test_a_single_file_joins_its_installed_release(tmp_path: Path) -> None:
    """Re-installing one file of a release (e.g. a corrected GPCI) keeps the release's other tables."""
    store = Store(tmp_path / "data")
    install_from([FIXTURES / "rvu30b"], store)
    folder = tmp_path / "rvu30b"
    folder.mkdir()
    gpci = (
        (FIXTURES / "rvu30b" / "madeup-gpci-2030.txt").read_text(encoding="latin-1").replace("1.400", "1.500")
    )
    (folder / "madeup-gpci-2030.txt").write_text(gpci, encoding="latin-1")
    (info,) = install_from([folder / "madeup-gpci-2030.txt"], store)
    assert info.contents == ("RVU", "GPCI", "LOCCO", "ANES")
    assert info.meta["conversion_factors"] == {"nonqpp": 40.0}
    assert sorted(s["role"] for s in info.sources) == ["ANES", "GPCI", "LOCCO", "PPRRVU", "PPRRVU"]
    ref = open_reference(tmp_path / "data")
    assert ref.locality("01112-05").pe_gpci == 1.5
    assert ref.rvu("10001").work_rvu == 2.0
    assert ref.locality("01112-05").counties == "SAN FRANCISCO"


def test_xlsx_gpci_and_locco_from_real_files(tmp_path: Path, shared_cms: Path) -> None:
    """RVU26C ships 26LOCCO only as .xlsx: the workbook variants read the same as the csv ones. The
    workbooks are built here, in a temp folder, from the real csv files (nothing CMS-derived is committed)."""
    import csv

    folder = tmp_path / "rvu26a"
    folder.mkdir()
    for name in ("26LOCCO.csv", "GPCI2026.csv", "ANES2026.csv"):
        workbook = openpyxl.Workbook()
        with (shared_cms / "RVU26A" / name).open(encoding="latin-1", newline="") as fh:
            for cells in csv.reader(fh):
                workbook.active.append(cells)
        workbook.save(folder / name.replace(".csv", ".xlsx"))
    (info,) = install_from([folder], Store(tmp_path / "x"))
    assert info.dataset_id == "RVU26A" and info.contents == ("GPCI", "LOCCO", "ANES")
    assert {s["format"] for s in info.sources} == {"xlsx"}
    from_xlsx = Store(tmp_path / "x").connect("pfs", "RVU26A")
    install_from([shared_cms / "RVU26A"], Store(tmp_path / "c"))
    from_csv = Store(tmp_path / "c").connect("pfs", "RVU26A")
    for table in ("gpci", "locco", "anes"):
        query = f"SELECT * FROM {table} ORDER BY 1, 2, 3"
        assert from_xlsx.execute(query).fetchall() == from_csv.execute(query).fetchall()
        assert len(from_csv.execute(query).fetchall()) >= 109
