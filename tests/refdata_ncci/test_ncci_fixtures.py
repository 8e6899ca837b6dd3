"""NCCI importers and lookups on small fixtures in CMS's layouts (made-up values: tests/fixtures/ncci)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from rvucheck.errors import InputFileError
from rvucheck.refdata.ncci import edits as ncci
from rvucheck.refdata.ncci.formats import quarter_from_text
from rvucheck.refdata.store import Recognized, Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ncci"
Q2_PARTS = ["madeup-ptp-v321r0-f1.txt", "madeup-ptp-v321r0-f2.txt"]


def install(store: Store, *paths: Path) -> None:
    groups: dict[str, list[Recognized]] = {}
    for path in paths:
        item = ncci.recognize(path)
        assert item is not None, path
        groups.setdefault(item.dataset_id, []).append(item)
    for group in groups.values():
        ncci.import_group(store, group)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "data")
    install(store, *(FIXTURES / name for name in [*Q2_PARTS, "madeup-ptp-v322r0-f1.txt"]))
    return store


def pairs(data: ncci.NcciData, codes: set[str], on: dt.date | None) -> set[tuple[str, str, str]]:
    return {(e.column1, e.column2, e.modifier_indicator) for e in data.ptp_edits(codes, on)}


def test_recognize_reads_role_and_quarter_from_the_file() -> None:
    item = ncci.recognize(FIXTURES / "madeup-ptp-v321r0-f1.txt")
    assert item is not None
    assert (item.kind, item.dataset_id, item.role, dict(item.meta)["layout"]) == (
        "ncci",
        "2026Q2",
        "PTP",
        "ptp_cms",
    )
    mue = ncci.recognize(FIXTURES / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv")
    assert mue is not None
    assert (mue.dataset_id, mue.role, dict(mue.meta)["service"]) == ("2026Q3", "MUE", "outpatient_hospital")
    assert ncci.recognize(FIXTURES / "README.md") is None


@pytest.mark.parametrize(
    ("text", "quarter"),
    [
        ("ccipra-v321r0-f1.txt", (2026, 2)),
        ("ccipra-v302r0-f4.xlsx", (2024, 3)),
        ("MCR_MUE_PractitionerServices_Eff_04-01-2026.csv", (2026, 2)),
        ("PractitionerSvcEff-10-01-2026", (2026, 4)),
        ("AOC_V2026Q2-MCR_xlsx", (2026, 2)),
        ("ncci_ptp_prac_2024-07-01.csv.gz", (2024, 3)),
        ("ptp.txt", None),
    ],
)
def test_quarter_from_cms_names(text: str, quarter: tuple[int, int] | None) -> None:
    assert quarter_from_text(text) == quarter


def test_parts_of_a_quarter_form_one_dataset(store: Store) -> None:
    infos = {info.dataset_id: info for info in store.datasets("ncci")}
    assert sorted(infos) == ["2026Q2", "2026Q3"]
    assert infos["2026Q2"].contents == ("PTP",)
    assert infos["2026Q2"].meta["ptp_rows"] == 6
    assert infos["2026Q2"].effective_from == dt.date(2026, 4, 1)
    assert {Path(s["file"]).name for s in infos["2026Q2"].sources} == set(Q2_PARTS)


def test_effective_and_deletion_dates_are_inclusive(store: Store) -> None:
    data = ncci.NcciData.open(store)
    assert data is not None
    codes = {"11111", "22222", "33333", "44444", "55555", "G9999"}
    # 2026-06-30: the last day of 2026Q2; 33333 was deleted 20251231; 44444 has indicator 9 (never applies)
    assert pairs(data, codes, dt.date(2026, 6, 30)) == {
        ("11111", "22222", "1"),
        ("11111", "55555", "1"),
        ("G9999", "11111", "1"),
    }
    # in 2026Q2's own file, 55555 starts 20260401 and 33333 ended 20251231 (last day it applied)
    assert ("11111", "33333", "0") in pairs(data, codes, dt.date(2025, 12, 31))
    assert ("11111", "55555", "1") not in pairs(data, codes, dt.date(2026, 3, 31))
    edit = next(e for e in data.ptp_edits(codes, dt.date(2026, 5, 1)) if e.column2 == "22222")
    assert (edit.effective, edit.deletion) == (dt.date(1996, 1, 1), None)
    assert edit.rationale == "Standards of medical/surgical practice"


def test_each_date_uses_the_newest_quarter_not_after_it(store: Store) -> None:
    data = ncci.NcciData.open(store)
    assert data is not None
    codes = {"11111", "22222", "88888"}
    assert pairs(data, codes, dt.date(2026, 6, 1)) == {("11111", "22222", "1")}  # 2026Q2 file
    assert pairs(data, codes, dt.date(2026, 7, 1)) == {("11111", "88888", "1")}  # 2026Q3: deleted 20260630
    assert data.quarter_for("PTP", dt.date(2026, 5, 5)) == "2026Q2"
    assert data.quarter_for("PTP", dt.date(2026, 9, 30)) == "2026Q3"
    assert data.quarter_for("PTP", None) == "2026Q3"
    assert data.ncci_quarter(dt.date(2026, 8, 1))[0] == "2026Q3"


def test_staleness_note_when_the_date_is_newer_than_the_quarter(store: Store) -> None:
    data = ncci.NcciData.open(store)
    assert data is not None
    quarter, note = data.ncci_quarter(dt.date(2026, 10, 14))
    assert quarter == "2026Q3"
    assert note is not None
    assert "PTP edits are from 2026Q3; lines dated 2026-10 may miss newer edits" in note
    assert "no MUEs or add-on code edits installed" in note
    assert data.ncci_quarter(dt.date(2026, 8, 1))[1] == "no MUEs or add-on code edits installed"
    old_quarter, old_note = data.ncci_quarter(dt.date(2025, 3, 1))
    assert old_quarter == "2026Q2"
    assert old_note is not None and "after lines dated 2025-03" in old_note


def test_no_date_means_edits_in_force_now(store: Store) -> None:
    data = ncci.NcciData.open(store)
    assert data is not None
    assert pairs(data, {"11111", "22222", "88888"}, None) == {("11111", "88888", "1")}
    assert data.ptp_edits({"11111"}, None) == []


def test_xlsx_ptp_reads_like_the_txt(tmp_path: Path) -> None:
    source = FIXTURES / "madeup-ptp-v321r0-f1.txt"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    lines = source.read_text(encoding="latin-1").splitlines()
    sheet.append([lines[0].split("\t")[0]])
    sheet.append(["Column1/Column2 Edits"])
    sheet.append(
        [
            "Column 1",
            "Column 2",
            "*=in existence\nprior to 1996",
            "Effective\nDate",
            "Deletion\nDate\n*=no data",
            "Modifier\n0=not allowed\n1=allowed\n9=not applicable",
            "PTP Edit Rationale",
        ]
    )
    for line in lines[6:]:
        cells = line.split("\t")
        sheet.append([cells[0], cells[1], cells[2], int(cells[3]), cells[4], int(cells[5]), cells[6]])
    xlsx = tmp_path / "ccipra-v321r0-f1.xlsx"
    book.save(xlsx)
    store_txt, store_xlsx = Store(tmp_path / "a"), Store(tmp_path / "b")
    install(store_txt, source)
    install(store_xlsx, xlsx)
    query = "SELECT * FROM ptp ORDER BY rowid"
    with store_txt.connect("ncci", "2026Q2") as a, store_xlsx.connect("ncci", "2026Q2") as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        assert len(a.execute(query).fetchall()) == 4


def test_mue_outpatient_file_and_lookup_by_service(tmp_path: Path) -> None:
    store = Store(tmp_path)
    install(store, FIXTURES / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv")
    data = ncci.NcciData.open(store)
    assert data is not None
    assert data.mue("A9999", dt.date(2026, 7, 2)) is None  # practitioner MUEs not installed
    mue = data.mue("a9999", dt.date(2026, 7, 2), service="outpatient_hospital")
    assert mue is not None
    assert (mue.units, mue.mai, mue.rationale) == (250, "1", "Clinical: Data")


def test_installing_mue_keeps_the_quarters_ptp(tmp_path: Path) -> None:
    store = Store(tmp_path)
    install(store, FIXTURES / "madeup-ptp-v322r0-f1.txt")
    install(store, FIXTURES / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv")
    (info,) = store.datasets("ncci")
    assert info.contents == ("PTP", "MUE")
    assert {Path(s["file"]).name for s in info.sources} == {
        "madeup-ptp-v322r0-f1.txt",
        "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv",
    }
    data = ncci.NcciData.open(store)
    assert data is not None
    assert pairs(data, {"11111", "88888"}, dt.date(2026, 7, 1)) == {("11111", "88888", "1")}


def write_aoc(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "AOC_V2026Q3-MCR_xlsx"
    sheet.append(["MADE-UP VALUES for rvucheck tests, not CMS data"])
    sheet.append(
        [
            "AOC_Edit_Type",
            "Add-On_Code",
            "AOC_DelDT",
            "Primary_Code",
            "Primary_Code_DelDT",
            "AOC_Edit_EffDT",
            "AOC_Edit_DelDT",
            "Special_Instruction_Notes",
        ]
    )
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_aoc_julian_dates_types_and_contractor_primaries(tmp_path: Path) -> None:
    aoc = write_aoc(
        tmp_path / "aoc.xlsx",
        [
            ["1", "99999", "", "11111", "", "2013091", "", ""],
            ["1", "99999", "", "22222", "2026181", "2013091", "2026181", ""],  # ends 2026-06-30
            ["2", "8888T", "", "CCCCC", "", "2026001", "", "Contractor Defined Primary Codes"],
        ],
    )
    store = Store(tmp_path / "data")
    install(store, aoc)
    data = ncci.NcciData.open(store)
    assert data is not None
    assert data.aoc_primaries("99999", dt.date(2026, 6, 30)) == {"11111", "22222"}
    assert data.aoc_primaries("99999", dt.date(2026, 7, 1)) == {"11111"}
    assert data.aoc_primaries("99999", dt.date(2013, 3, 31)) is None  # 2013091 = 2013-04-01
    assert data.aoc_primaries("11111", dt.date(2026, 7, 1)) is None
    edit = data.aoc_edit("8888T", dt.date(2026, 7, 1))
    assert edit is not None
    assert (edit.edit_type, edit.primaries, edit.contractor_defined) == ("2", {"CCCCC"}, True)


def test_malformed_row_names_file_and_line_and_installs_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    install(store, FIXTURES / "madeup-ptp-v322r0-f1.txt")
    before = store.datasets("ncci")
    bad = tmp_path / "2026Q3" / "ccipra-v322r0-f1.txt"
    bad.parent.mkdir()
    text = (FIXTURES / "madeup-ptp-v322r0-f1.txt").read_text(encoding="latin-1")
    bad.write_text(text.replace("\t20260701\t", "\t2026-07-01\t"), encoding="latin-1", newline="")
    item = ncci.recognize(bad)
    assert item is not None
    with pytest.raises(InputFileError) as failure:
        ncci.import_group(store, [item])
    message = str(failure.value)
    assert message.startswith(f"{bad}: line 8: effective date '2026-07-01' is not a YYYYMMDD date")
    assert "\n" not in message
    assert store.datasets("ncci") == before  # the earlier install of 2026Q3 is untouched
    assert not list((tmp_path / "data").glob("*.tmp"))
    data = ncci.NcciData.open(store)
    assert data is not None
    assert pairs(data, {"11111", "88888"}, dt.date(2026, 7, 1)) == {("11111", "88888", "1")}


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("\t1\tMutually", "\t7\tMutually", "line 8: modifier indicator '7' is not 0, 1 or 9"),
        ("11111\t88888", "11111\t8888", "line 8: column 2 code '8888' is not a 5-character HCPCS/CPT code"),
        ("\tMutually exclusive procedures", "", "line 8: 6 columns where the PTP layout has 7"),
    ],
)
def test_malformed_ptp_rows(tmp_path: Path, old: str, new: str, problem: str) -> None:
    bad = tmp_path / "ccipra-v322r0-f1.txt"
    text = (FIXTURES / "madeup-ptp-v322r0-f1.txt").read_text(encoding="latin-1")
    bad.write_text(text.replace(old, new), encoding="latin-1", newline="")
    item = ncci.recognize(bad)
    assert item is not None
    with pytest.raises(InputFileError, match=problem):
        ncci.import_group(Store(tmp_path / "data"), [item])
    assert Store(tmp_path / "data").datasets() == []


def test_a_file_without_a_quarter_is_refused_with_what_to_do(tmp_path: Path) -> None:
    nameless = tmp_path / "edits.txt"
    shutil.copy(FIXTURES / "madeup-ptp-v321r0-f1.txt", nameless)
    with pytest.raises(InputFileError, match=r"edits\.txt: an NCCI PTP file, but .* rename it"):
        ncci.recognize(nameless)


def test_install_from_a_cms_zip_takes_the_quarter_from_the_zip_name(tmp_path: Path) -> None:
    import zipfile

    from rvucheck.refdata.install import install_from

    aoc = write_aoc(tmp_path / "aoc.xlsx", [["1", "99999", "", "11111", "", "2013091", "", ""]])
    book = openpyxl.load_workbook(aoc)
    book.active.title = "Sheet1"  # type: ignore[union-attr]
    book.save(aoc)
    archive = tmp_path / "AOC_V2026Q3-MCR.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(aoc, "aoc.xlsx")
        out.write(FIXTURES / "madeup-ptp-v321r0-f2.txt", "ccipra-v321r0-f2.txt")
    store = Store(tmp_path / "data")
    installed = install_from([archive], store)
    assert sorted((i.dataset_id, i.contents) for i in installed) == [
        ("2026Q2", ("PTP",)),
        ("2026Q3", ("AOC",)),
    ]
    data = ncci.NcciData.open(store)
    assert data is not None
    assert data.aoc_primaries("99999", dt.date(2026, 7, 1)) == {"11111"}
    assert pairs(data, {"G9999", "11111"}, dt.date(2026, 4, 1)) == {("G9999", "11111", "1")}


def test_malformed_mue_and_aoc_rows_name_file_and_line(tmp_path: Path) -> None:
    mue = tmp_path / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv"
    text = (FIXTURES / mue.name).read_text(encoding="latin-1")
    mue.write_text(text.replace("22222,1,2 Date", "22222,one,2 Date"), encoding="latin-1", newline="")
    item = ncci.recognize(mue)
    assert item is not None
    # the notice record spans 3 lines and the header 2, so the second edit is on line 7
    with pytest.raises(
        InputFileError, match=r"Eff_07-01-2026\.csv: line 7: MUE value 'one' is not a whole number"
    ):
        ncci.import_group(Store(tmp_path / "data"), [item])
    aoc = write_aoc(tmp_path / "aoc.xlsx", [["1", "99999", "", "11111", "", "2013400", "", ""]])
    item = ncci.recognize(aoc)
    assert item is not None
    with pytest.raises(
        InputFileError, match=r"aoc\.xlsx: line 3: edit effective date '2013400' is not a Julian"
    ):
        ncci.import_group(Store(tmp_path / "data"), [item])
    assert Store(tmp_path / "data").datasets() == []


def test_versions_of_a_pair_in_an_undated_table_apply_one_at_a_time(tmp_path: Path) -> None:
    # ncci_ptp_prac_2025-01-01.csv (made up; the converted layout, no effective dates): 11111/22222 deleted
    # 2019-12-31 (indicator 0) and listed again (1); 33333/44444 three versions; 55555/66666 one.
    store = Store(tmp_path / "data")
    install(store, FIXTURES / "ncci_ptp_prac_2025-01-01.csv")
    data = ncci.NcciData.open(store)
    assert data is not None
    codes = {"11111", "22222", "33333", "44444", "55555", "66666"}

    def on(day: str) -> set[tuple[str, str, str]]:
        return pairs(data, codes, dt.date.fromisoformat(day))

    assert on("2019-12-31") == {("11111", "22222", "0"), ("33333", "44444", "0"), ("55555", "66666", "0")}
    assert on("2020-01-01") == {("11111", "22222", "1"), ("33333", "44444", "0"), ("55555", "66666", "0")}
    assert on("2018-06-01") == {("11111", "22222", "0"), ("33333", "44444", "1"), ("55555", "66666", "0")}
    assert on("2021-01-01") == {("11111", "22222", "1"), ("33333", "44444", "1"), ("55555", "66666", "0")}
    assert len(data.ptp_edits(codes, dt.date(2019, 6, 1))) == 3  # one edit per pair, never two versions
    (readded,) = data.ptp_edits({"11111", "22222"}, dt.date(2020, 1, 1))
    assert (readded.effective, readded.deletion) == (dt.date(2020, 1, 1), None)
