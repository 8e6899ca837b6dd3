"""NCCI on the real CMS files in ../shared/data/cms (PROVENANCE.md sections 6-8): every row imports equal to
the source (read here independently, with csv/gzip/openpyxl), and the spot values CMS publishes."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from rvucheck.refdata.ncci.edits import NcciData
from rvucheck.refdata.store import Store

DOS_2026Q2 = dt.date(2026, 5, 12)
DOS_2024Q3 = dt.date(2024, 8, 1)


@pytest.fixture(scope="module")
def store(data_dir: Path, shared_cms: Path) -> Store:
    store = Store(data_dir)
    if {"2026Q2", "2024Q3"} - {info.dataset_id for info in store.datasets("ncci")}:
        from rvucheck.refdata.install import install_from

        folders = ["AOC2026Q2", "MUE2026Q2", "MUE2026Q2_DME", "NCCI2024Q3"]
        install_from([shared_cms / name for name in folders], store)
    return store


@pytest.fixture(scope="module")
def ncci(store: Store) -> NcciData:
    data = NcciData.open(store)
    assert data is not None
    return data


def table(store: Store, dataset_id: str, sql: str, *args: object) -> Iterator[tuple[object, ...]]:
    con: sqlite3.Connection = store.connect("ncci", dataset_id)
    try:
        yield from con.execute(sql, args)
    finally:
        con.close()


def none_if(text: str, *blank: str) -> str | None:
    return None if text in blank else text


def test_every_ptp_row_equals_the_source(store: Store, shared_cms: Path) -> None:
    source = shared_cms / "NCCI2024Q3" / "ncci_ptp_prac_2024-07-01.csv.gz"
    stored = table(
        store,
        "2024Q3",
        "SELECT column1, column2, deletion, modifier, r.text, effective, prior_1996 "
        "FROM ptp JOIN ptp_rationale r ON r.id = ptp.rationale_id ORDER BY ptp.rowid",
    )
    count = active = 0
    with gzip.open(source, "rt", encoding="latin-1", newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == ["Column 1", "Column 2", "Deletion Date", "Modifier", "PTP Edit Rationale"]
        for (col1, col2, deletion, modifier, rationale), row in zip(reader, stored, strict=True):
            expected = (col1, col2, None if deletion == "*" else int(deletion), modifier, rationale, None, 0)
            assert row == expected, f"source line {reader.line_num}"
            count += 1
            active += deletion == "*"
    assert (count, active) == (2_546_017, 1_669_820)  # PROVENANCE section 8


def mue_source_rows(path: Path) -> list[tuple[str, int, str, str]]:
    """The CMS csv: a multi-line notice record, a header record, then code, value, 'N text', rationale."""
    with path.open(encoding="latin-1", newline="") as handle:
        records = list(csv.reader(handle))
    assert records[1][1] in ("Practitioner Services MUE Values", "DME Supplier Services MUE Values")
    return [(r[0], int(r[1]), r[2][0], r[3]) for r in records[2:] if r]


def test_every_mue_2026q2_row_equals_the_csv_and_the_xlsx(store: Store, shared_cms: Path) -> None:
    folder = shared_cms / "MUE2026Q2"
    expected = mue_source_rows(folder / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv")
    book = openpyxl.load_workbook(folder / "MCR_MUE_PractitionerServices_Eff_04-01-2026.xlsx", read_only=True)
    from_xlsx = [
        (str(r[0]), int(str(r[1])), str(r[2])[0], str(r[3]))
        for r in list(book.worksheets[0].iter_rows(values_only=True))[2:]
        if r[0]
    ]
    stored = list(
        table(store, "2026Q2", "SELECT hcpcs, units, mai, rationale FROM mue WHERE service = 'practitioner'")
    )
    assert len(expected) == 15_095
    assert sorted(stored) == sorted(expected) == sorted(from_xlsx)
    maic = {mai: sum(1 for r in expected if r[2] == mai) for mai in "123"}
    assert maic == {"1": 41, "2": 5_417, "3": 9_637}


def test_every_dme_supplier_mue_2026q2_row_equals_the_csv(store: Store, shared_cms: Path) -> None:
    source = shared_cms / "MUE2026Q2_DME" / "MCR_MUE_DMESupplierServices_Eff_04-01-2026.csv"
    expected = mue_source_rows(source)
    stored = table(
        store, "2026Q2", "SELECT hcpcs, units, mai, rationale FROM mue WHERE service = 'dme_supplier'"
    )
    assert len(expected) == 3_083
    assert sorted(stored) == sorted(expected)
    by_code = {code: (units, mai) for code, units, mai, _ in expected}
    assert (by_code["E0601"], by_code["K0001"], by_code["J1100"], by_code["L3000"]) == (
        (1, "3"),
        (1, "2"),
        (0, "3"),
        (2, "3"),
    )


@pytest.mark.parametrize(
    ("name", "service", "rows"),
    [
        ("ncci_mue_prac.csv", "practitioner", 14_677),
        ("ncci_mue_out.csv", "outpatient_hospital", 14_628),
        ("ncci_mue_dme.csv", "dme_supplier", 2_928),
    ],
)
def test_every_mue_2024q3_row_equals_the_source(
    store: Store, shared_cms: Path, name: str, service: str, rows: int
) -> None:
    with (shared_cms / "NCCI2024Q3" / name).open(encoding="latin-1", newline="") as handle:
        expected = sorted(
            (r["hcpcs_code"], int(r["mue_units"]), r["mue_mai"], r["mue_rationale"])
            for r in csv.DictReader(handle)
        )
    stored = sorted(
        table(store, "2024Q3", "SELECT hcpcs, units, mai, rationale FROM mue WHERE service = ?", service)
    )
    assert len(expected) == rows
    assert stored == expected


def julian(text: str) -> int | None:
    if not text:
        return None
    day = dt.datetime.strptime(text, "%Y%j").date()
    return int(day.strftime("%Y%m%d"))


def test_every_aoc_row_equals_the_source(store: Store, shared_cms: Path) -> None:
    book = openpyxl.load_workbook(shared_cms / "AOC2026Q2" / "AOC_V2026Q2-MCR.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:2] == ("AOC_Edit_Type", "Add-On_Code")
    expected = sorted(
        (
            (
                str(r[1]),
                julian(r[2] or ""),
                str(r[3]),
                julian(r[4] or ""),
                str(r[0]),
                julian(r[5] or ""),
                julian(r[6] or ""),
                str(r[7] or ""),
            )
            for r in rows[2:]
        ),
        key=repr,
    )
    stored = sorted(table(store, "2026Q2", "SELECT * FROM aoc"), key=repr)
    assert len(stored) == 9_000
    assert stored == expected


def test_ptp_spot_values(ncci: NcciData) -> None:
    edits = {(e.column1, e.column2): e for e in ncci.ptp_edits({"93000", "93005", "93010"}, DOS_2024Q3)}
    assert set(edits) == {("93000", "93005"), ("93000", "93010")}
    assert edits["93000", "93005"].modifier_indicator == "1"
    assert edits["93000", "93005"].deletion is None
    em = {
        (e.column1, e.column2, e.modifier_indicator, e.rationale) for e in ncci.ptp_edits({"99214", "99213"})
    }
    assert em == {("99214", "99213", "1", "Misuse of Column Two code with Column One code")}
    awv = ncci.ptp_edits({"G0438", "99213"}, DOS_2026Q2)
    assert [(e.column1, e.column2, e.modifier_indicator, e.rationale) for e in awv] == [
        ("G0438", "99213", "1", "Mutually exclusive procedures")
    ]
    found = {
        (e.column1, e.column2, e.modifier_indicator)
        for e in ncci.ptp_edits({"29880", "29881", "20611", "20610"})
    }
    assert {("29880", "29881", "1"), ("20611", "20610", "1")} <= found
    assert ("29881", "29880", "1") not in found  # the pair is one-way: column 1 > column 2


def test_deleted_ptp_edit_applies_only_up_to_its_deletion_date(ncci: NcciData) -> None:
    # 0001A > 0591T: deleted 20231231 (PROVENANCE: first rows of the table)
    assert [e.deletion for e in ncci.ptp_edits({"0001A", "0591T"}, dt.date(2023, 12, 31))] == [
        dt.date(2023, 12, 31)
    ]
    assert ncci.ptp_edits({"0001A", "0591T"}, dt.date(2024, 1, 1)) == []


def test_mue_spot_values(ncci: NcciData) -> None:
    expected = {
        "99213": (2, "3"),
        "99214": (2, "3"),
        "99202": (1, "2"),
        "A0425": (250, "1"),
        "96372": (4, "3"),
    }
    for code, (units, mai) in expected.items():
        mue = ncci.mue(code, DOS_2026Q2)
        assert mue is not None and (mue.units, mue.mai) == (units, mai), code
    assert ncci.mue("J3490", DOS_2026Q2) is None  # unlisted drug: no MUE by design
    outpatient = ncci.mue("71046", DOS_2024Q3, service="outpatient_hospital")
    assert outpatient is not None and outpatient.units == 3


def test_aoc_spot_values(ncci: NcciData) -> None:
    assert ncci.aoc_primaries("99292", DOS_2026Q2) == {"99291"}
    assert ncci.aoc_primaries("22614", DOS_2026Q2) == {"22600", "22610", "22612", "22630", "22633"}
    assert {"98003", "99205", "99215"} <= (ncci.aoc_primaries("99417", DOS_2026Q2) or set())
    assert ncci.aoc_primaries("99213", DOS_2026Q2) is None


def test_quarter_per_component_and_staleness(ncci: NcciData) -> None:
    quarter, note = ncci.ncci_quarter(dt.date(2026, 10, 5))
    assert quarter == "PTP 2024Q3, MUE 2026Q2, AOC 2026Q2"
    assert note == (
        "PTP edits are from 2024Q3, MUEs and add-on code edits are from 2026Q2; "
        "lines dated 2026-10 may miss newer edits"
    )
    assert ncci.quarter_for("MUE", DOS_2024Q3) == "2024Q3"
    assert ncci.quarter_for("MUE", DOS_2026Q2) == "2026Q2"
    _, note_q2 = ncci.ncci_quarter(DOS_2026Q2)
    assert note_q2 == "PTP edits are from 2024Q3; lines dated 2026-05 may miss newer edits"
