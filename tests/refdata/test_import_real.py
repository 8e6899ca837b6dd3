"""Every row of every real CMS file in ../shared imports and equals its source values. The sources are
parsed here independently with the csv module (and plain slicing for the txt variants)."""

from __future__ import annotations

import csv
import hashlib
import re
import sqlite3
from pathlib import Path

import pytest

from rvucheck.refdata.store import Store

FIELDS_2026 = [
    "hcpcs", "modifier", "description", "status_code", "not_used_for_medicare", "work_rvu",
    "pe_rvu_nonfacility", "nonfacility_na", "pe_rvu_facility", "facility_na", "mp_rvu",
    "total_rvu_nonfacility", "total_rvu_facility", "pctc_indicator", "global_days", "pre_op", "intra_op",
    "post_op", "mult_proc", "bilat_surg", "asst_surg", "co_surg", "team_surg", "pric_ind", "endo_base",
    "conversion_factor", "phys_supervision", "calc_flag", "imaging_family", "opps_pe_nonfacility",
    "opps_pe_facility", "opps_mp",
]  # fmt: skip
FIELDS_2025 = [f for f in FIELDS_2026 if f != "pric_ind"]


def source_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="latin-1", newline="") as fh:
        return list(csv.reader(fh))


def stored(data_dir: Path, release: str, sql: str) -> list[sqlite3.Row]:
    con = Store(data_dir).connect("pfs", release)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def same(text: str, value: object) -> bool:
    if isinstance(value, float):
        return (float(text) if text.strip() else 0.0) == value
    return text.strip() == value


@pytest.mark.parametrize(
    ("release", "path", "fields", "count"),
    [
        ("RVU26C", "RVU26C/PPRRVU2026_Jul_nonQPP.csv", FIELDS_2026, 19356),
        ("RVU25D", "RVU25D/PPRRVU2025_Oct.csv", FIELDS_2025, 19090),
    ],
)
def test_every_pprrvu_row_and_field(data_dir, shared_cms, release, path, fields, count) -> None:  # type: ignore[no-untyped-def]
    source = source_rows(shared_cms / path)[10:]
    assert len(source) == count
    rows = {(r["hcpcs"], r["modifier"]): r for r in stored(data_dir, release, "SELECT * FROM rvu")}
    assert len(rows) == count
    mismatches = []
    for cells in source:
        row = rows[(cells[0], cells[1])]
        for name, text in zip(fields, cells, strict=True):
            if not same(text, row[name]):
                mismatches.append((cells[0], cells[1], name, text, row[name]))
    assert mismatches == []
    if fields is FIELDS_2025:
        assert {r["pric_ind"] for r in rows.values()} == {""}


def test_codes_stay_strings(ref) -> None:  # type: ignore[no-untyped-def]
    assert ref.rvu("0001F").hcpcs == "0001F"
    assert ref.rvu("00100").status_code == "J"
    assert ref.rvu("20983").description == "Ablate bone tumor(s) perq"


@pytest.mark.parametrize(
    ("release", "path", "work_column"),
    [
        ("RVU26C", "RVU26C/GPCI2026.csv", 4),
        ("RVU26A", "RVU26A/GPCI2026.csv", 5),
        ("RVU25D", "RVU25D/GPCI2025.csv", 4),
    ],
)
def test_gpci_csv(data_dir, shared_cms, release, path, work_column) -> None:  # type: ignore[no-untyped-def]
    source = [c for c in source_rows(shared_cms / path) if c and c[0].strip().isdigit()]
    assert len(source) == 109
    rows = {(r["mac"], r["locality"]): r for r in stored(data_dir, release, "SELECT * FROM gpci")}
    assert len(rows) == 109
    for cells in source:
        row = rows[(cells[0].zfill(5), cells[2].zfill(2))]
        assert (row["state"], row["name"]) == (cells[1], cells[3])
        values = [float(x) for x in cells[work_column : work_column + 3]]
        assert [row["work_gpci"], row["pe_gpci"], row["mp_gpci"]] == values
        if work_column == 5:
            assert row["work_gpci_without_floor"] == float(cells[4])


def test_gpci_txt_equals_the_store(data_dir, shared_cms) -> None:  # type: ignore[no-untyped-def]
    lines = (shared_cms / "RVU25D/GPCI2025.txt").read_text(encoding="latin-1").splitlines()
    data = [ln for ln in lines if re.match(r"^\d{5}\s", ln)]
    assert len(data) == 109
    rows = {(r["mac"], r["locality"]): r for r in stored(data_dir, "RVU25D", "SELECT * FROM gpci")}
    for ln in data:
        parts = ln.split()
        row = rows[(parts[0], parts[2])]
        assert [row["work_gpci"], row["pe_gpci"], row["mp_gpci"]] == [float(x) for x in parts[-3:]]


@pytest.mark.parametrize(
    ("release", "path"), [("RVU26A", "RVU26A/26LOCCO.csv"), ("RVU25D", "RVU25D/25LOCCO.csv")]
)
def test_locco_csv(data_dir, shared_cms, release, path) -> None:  # type: ignore[no-untyped-def]
    source = [c for c in source_rows(shared_cms / path) if c and c[0].strip().isdigit()]
    assert len(source) == 110  # 109 localities; MO 05302-99 is printed on two rows
    rows = stored(data_dir, release, "SELECT * FROM locco")
    assert len(rows) == 110
    for cells, row in zip(source, rows, strict=True):
        assert (row["mac"], row["locality"]) == (cells[0].strip().zfill(5), cells[1].strip().zfill(2))
        assert (row["area"], row["counties"]) == (cells[3].strip(), cells[4].strip())
    assert {(r["mac"], r["locality"]) for r in rows} == {
        (r["mac"], r["locality"]) for r in stored(data_dir, release, "SELECT * FROM gpci")
    }


def test_locco_state_carried_down(ref) -> None:  # type: ignore[no-untyped-def]
    st_louis = ref.locality("05302-01")
    assert st_louis.state == "MO"
    assert "ST. CHARLES" in st_louis.counties
    assert ref.locality("05302-99").counties == "ALL OTHER COUNTIES"


@pytest.mark.parametrize(
    ("release", "path"), [("RVU26A", "RVU26A/ANES2026.csv"), ("RVU25D", "RVU25D/ANES2025.csv")]
)
def test_anes_csv(data_dir, shared_cms, release, path) -> None:  # type: ignore[no-untyped-def]
    source = [c for c in source_rows(shared_cms / path) if c and c[0].strip().isdigit()]
    assert len(source) == 109
    rows = {(r["mac"], r["locality"]): r for r in stored(data_dir, release, "SELECT * FROM anes")}
    for cells in source:
        row = rows[(cells[0].strip(), cells[1].strip())]
        if len(cells) == 5:  # 2026: QPP then non-QPP
            assert (row["cf_qpp"], row["cf_nonqpp"]) == (float(cells[3]), float(cells[4]))
        else:
            assert (row["cf_nonqpp"], row["cf_qpp"]) == (float(cells[3]), None)


def test_anes_txt_equals_csv(data_dir, shared_cms) -> None:  # type: ignore[no-untyped-def]
    rows = {(r["mac"], r["locality"]): r for r in stored(data_dir, "RVU25D", "SELECT * FROM anes")}
    lines = (shared_cms / "RVU25D/ANES2025.txt").read_text(encoding="latin-1").splitlines()
    data = [ln.split() for ln in lines if ln[:1].isdigit()]  # the file ends with a DOS EOF (^Z) line
    assert len(data) == 109
    for parts in data:
        assert rows[(parts[0], parts[1])]["cf_nonqpp"] == int(parts[-1]) / 100


def test_oppscap_rows(data_dir, shared_cms) -> None:  # type: ignore[no-untyped-def]
    # the last line is ",,,,,,"
    source = [c for c in source_rows(shared_cms / "RVU25D/OPPSCAP_Oct.csv")[1:] if c[0]]
    assert len(source) == 16100
    rows = stored(data_dir, "RVU25D", "SELECT * FROM oppscap")
    assert len(rows) == 16100
    got = {(r["hcpcs"], r["modifier"], r["mac"], r["locality"]): r for r in rows}
    for h, m, status, mac, loc, fac, nonfac in source:
        row = got[(h, m, mac, loc)]
        assert (row["status_code"], row["facility_price"], row["nonfacility_price"]) == (
            status,
            float(fac),
            float(nonfac),
        )


def test_release_metadata(data_dir, shared_cms) -> None:  # type: ignore[no-untyped-def]
    infos = {i.dataset_id: i for i in Store(data_dir).datasets("pfs")}
    c, a, d = infos["RVU26C"], infos["RVU26A"], infos["RVU25D"]
    assert (c.year, c.quarter, str(c.effective_from), str(c.effective_to)) == (
        2026,
        3,
        "2026-07-01",
        "2026-09-30",
    )
    assert c.meta["released"] == "2026-06-30"
    assert c.meta["conversion_factors"] == {"nonqpp": 33.4009, "qpp": 33.5675}
    assert c.contents == ("RVU", "GPCI")
    assert a.contents == ("GPCI", "LOCCO", "ANES")
    assert (str(a.effective_from), d.meta["released"]) == ("2026-01-01", "2025-09-11")
    assert d.contents == ("RVU", "GPCI", "LOCCO", "ANES", "OPPSCAP")
    for info in (a, c, d):
        for source in info.sources:
            path = Path(source["file"])
            assert source["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    sha = {Path(s["file"]).name: s["sha256"] for s in c.sources}
    assert (
        sha["PPRRVU2026_Jul_nonQPP.csv"] == "b7d197e73211ef6854c213c267d5fa9dec8df995db8e1ee7d44c0556ad7cee21"
    )
