"""Benchmark datasets: the real specialty crosswalk and published E&M shares from ../shared, and the
by-Provider-and-Service PUF importer on a made-up fixture in its exact layout (tests/fixtures/puf)."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from rvucheck.errors import InputFileError
from rvucheck.refdata.benchmarks import importer as benchmarks_import
from rvucheck.refdata.benchmarks import lookup as benchmarks
from rvucheck.refdata.benchmarks.specialty import names_from_crosswalk, read_crosswalk
from rvucheck.refdata.store import Recognized, Store

PUF_FIXTURE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "puf" / "MUP_PHY_R25_P05_V10_D23_Prov_Svc_sample.csv"
)
OFFICE_NEW = ["99202", "99203", "99204", "99205"]
OFFICE_ESTABLISHED = ["99211", "99212", "99213", "99214", "99215"]


def install(store: Store, *paths: Path) -> None:
    groups: dict[str, list[Recognized]] = {}
    for path in paths:
        if path.is_dir():
            install(store, *sorted(p for p in path.iterdir() if p.is_file()))
            continue
        item = benchmarks_import.recognize(path)
        if item is not None:
            groups.setdefault(item.dataset_id, []).append(item)
    for group in groups.values():
        benchmarks_import.import_group(store, group)


@pytest.fixture(scope="module")
def shared_benchmarks(shared_cms: Path) -> Path:
    return shared_cms.parent / "benchmarks"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, shared_cms: Path, shared_benchmarks: Path) -> Store:
    """Crosswalk + published E&M shares, no PUF."""
    store = Store(tmp_path_factory.mktemp("published"))
    install(store, shared_cms / "SPECIALTY_XWALK_OCT2025", shared_benchmarks)
    return store


@pytest.fixture(scope="module")
def with_puf(tmp_path_factory: pytest.TempPathFactory, shared_cms: Path, shared_benchmarks: Path) -> Store:
    store = Store(tmp_path_factory.mktemp("puf"))
    install(store, shared_cms / "SPECIALTY_XWALK_OCT2025", shared_benchmarks, PUF_FIXTURE)
    return store


def opened(store: Store) -> benchmarks.Benchmarks:
    found = benchmarks.Benchmarks.open(store)
    assert found is not None
    return found


def test_specialty_names_from_the_real_crosswalk(published: Store) -> None:
    found = opened(published)
    assert len(found.names) == 130
    assert found.specialty_name("08") == "Physician/Family Practice"
    assert found.specialty_name("8") == "Physician/Family Practice"
    assert found.specialty_name("C6") == "Physician/Hospitalist"
    assert found.specialty_name("19") == "Oral Surgery (Dentist only)"
    assert found.specialty_name("E2") == "Mental Health Counselor | Licensed Professional Counselor"
    assert found.specialty_name("C1") is None  # not in the crosswalk


def test_names_derived_from_the_crosswalk_equal_the_published_list(shared_cms: Path) -> None:
    folder = shared_cms / "SPECIALTY_XWALK_OCT2025"
    derived = names_from_crosswalk(
        read_crosswalk(folder / "Medicare_Provider_and_Supplier_Taxonomy_Crosswalk_October_2025.csv")
    )
    with (folder / "medicare_specialty_codes.csv").open(encoding="utf-8", newline="") as handle:
        listed = {row["specialty_code"]: row["description"] for row in csv.DictReader(handle)}
    assert derived == listed


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("11", "11"),
        ("Internal Medicine", "11"),
        ("Family Practice", "08"),
        ("Family Medicine", "08"),
        ("08 Family Practice", "08"),
        ("Cardiology", "06"),
        ("Interventional Cardiology", "C3"),
        ("Obstetrics & Gynecology", "16"),
        ("Allergy/Immunology", "03"),
        ("Nurse Practitioner", "50"),
        ("Certified Registered Nurse Anesthetist (CRNA)", "43"),
        ("207Q00000X", "08"),  # taxonomy: Family Medicine
        ("2085R0204X", "94"),  # taxonomy: Vascular & Interventional Radiology
        ("208M00000X", "C6"),  # taxonomy: Hospitalist
        ("Astrology", None),
    ],
)
def test_specialty_code_from_code_name_or_taxonomy(published: Store, text: str, code: str | None) -> None:
    assert opened(published).specialty_code(text) == code


def test_published_em_shares_keep_year_and_source(published: Store) -> None:
    found = opened(published)
    mix = found.em_mix("Cardiology", OFFICE_NEW)
    assert mix is not None
    assert (mix.year, mix.specialty_code, mix.complete) == (2023, "06", True)
    assert mix.shares == pytest.approx({"99202": 0.0044, "99203": 0.1067, "99204": 0.7079, "99205": 0.1810})
    assert (
        "codingintel.com/em-frequency-data-for-infectious-disease-pulmonary-medicine-and-cardiology"
        in mix.source
    )
    assert "2023" in mix.source
    # Family Medicine initial hospital 2021 is published summing to 99.00%: shares are over the family
    family = found.em_mix("08", ["99221", "99222", "99223"])
    assert family is not None and family.year == 2021
    assert family.shares["99223"] == pytest.approx(62.14 / 99.0, abs=1e-6)
    # 99233 was not legible on the page: a partial table, as published
    partial = found.em_mix("Internal Medicine", ["99231", "99232", "99233"])
    assert partial is not None and not partial.complete
    assert partial.shares == pytest.approx({"99231": 0.0425, "99232": 0.5526})
    assert found.em_mix("Internal Medicine", OFFICE_ESTABLISHED) is None
    assert "no by Provider and Service PUF installed" in found.describe_source()


def test_puf_aggregates_equal_the_rows_they_sum(with_puf: Store) -> None:
    (info,) = [i for i in with_puf.datasets("benchmarks") if i.dataset_id.startswith("PUF")]
    assert (info.dataset_id, info.year, info.meta["rows"], info.meta["npi_order_unsorted"]) == (
        "PUF2023",
        2023,
        17,
        False,
    )
    con = with_puf.connect("benchmarks", "PUF2023")
    row = con.execute(
        "SELECT services, services_facility, benes, providers, allowed, payment FROM puf "
        "WHERE provider_type = 'Internal Medicine' AND hcpcs = '99214'"
    ).fetchone()
    con.close()
    # one NPI in two places of service: 6 (F) + 80 (O) services, 45 benes, one provider
    assert row == (86.0, 6.0, 45, 1, 6 * 100.0 + 80 * 125.0, 6 * 80.0 + 80 * 100.0)


def test_top_specialties_from_the_puf(with_puf: Store) -> None:
    top = opened(with_puf).top_specialties("99213", n=3)
    assert [(s.provider_type, s.specialty_code, s.services, s.providers) for s in top] == [
        ("Family Practice", "08", 100.0, 1),
        ("Internal Medicine", "11", 80.0, 2),
        ("Nurse Practitioner", "50", 40.0, 1),
    ]
    assert top[0].share == pytest.approx(100 / 225)
    everyone = opened(with_puf).top_specialties("99213", n=10)
    assert everyone[-1].provider_type == "Made-up Type Without A Crosswalk Name"
    assert everyone[-1].specialty_code is None
    assert opened(with_puf).top_specialties("J3490") == []


def test_em_mix_prefers_the_puf_and_falls_back_to_published(with_puf: Store) -> None:
    found = opened(with_puf)
    cardiology = found.em_mix("Cardiology", OFFICE_NEW)
    assert cardiology is not None
    assert cardiology.shares == pytest.approx(
        {"99202": 0.0, "99203": 20 / 71, "99204": 40 / 71, "99205": 11 / 71}, abs=1e-6
    )
    assert cardiology.source.startswith(
        "CMS Medicare Physician & Other Practitioners by Provider and Service, 2023"
    )
    internal = found.em_mix("11", OFFICE_ESTABLISHED)
    assert internal is not None
    assert internal.shares["99214"] == pytest.approx(86 / 178, abs=1e-6)
    hospitalist = found.em_mix("Hospitalist", ["99221", "99222", "99223"])  # not in the PUF fixture
    assert hospitalist is not None and hospitalist.year == 2021 and "codingintel" in hospitalist.source
    assert "PUF, 2023 data" in found.describe_source()


def test_module_functions_take_a_data_dir(with_puf: Store) -> None:
    assert benchmarks.specialty_name("11", data_dir=with_puf.data_dir) == "Physician/Internal Medicine"
    mix = benchmarks.em_mix("Cardiology", OFFICE_NEW, data_dir=with_puf.data_dir)
    assert mix is not None and mix.year == 2023
    assert benchmarks.top_specialties("93000", data_dir=with_puf.data_dir)[0].services == 150.0


def test_no_benchmarks_installed(tmp_path: Path) -> None:
    assert benchmarks.em_mix("Cardiology", OFFICE_NEW, data_dir=tmp_path) is None
    assert benchmarks.describe_source(tmp_path).startswith("no national E&M benchmark installed")


def test_damaged_puf_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "MUP_PHY_R25_P05_V10_D23_Prov_Svc.csv"
    lines = PUF_FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].replace(",O,20,30,", ",O,20,thirty,")
    bad.write_text("".join(lines), encoding="utf-8", newline="")
    item = benchmarks_import.recognize(bad)
    assert item is not None
    store = Store(tmp_path / "data")
    with pytest.raises(
        InputFileError, match=r"MUP_PHY_R25_P05_V10_D23_Prov_Svc\.csv: line 6: Tot_Srvcs 'thirty'"
    ):
        benchmarks_import.import_group(store, [item])
    assert store.datasets() == []


def test_puf_without_a_year_is_refused_with_what_to_do(tmp_path: Path) -> None:
    nameless = tmp_path / "provider_service.csv"
    shutil.copy(PUF_FIXTURE, nameless)
    with pytest.raises(InputFileError, match="does not say the data year; rename it"):
        benchmarks_import.recognize(nameless)


def test_every_crosswalk_row_is_stored_cleaned(published: Store, shared_cms: Path) -> None:
    source = (
        shared_cms
        / "SPECIALTY_XWALK_OCT2025"
        / "Medicare_Provider_and_Supplier_Taxonomy_Crosswalk_October_2025.csv"
    )
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    # independent cleaning: drop footnote markers ("87[3]"), collapse whitespace and line breaks
    expected = [tuple(" ".join(re.sub(r"\[\d+\]", "", cell).split()) for cell in row) for row in rows if row]
    (info,) = [i for i in published.datasets("benchmarks") if i.dataset_id == "SPECIALTY202510"]
    con = published.connect("benchmarks", info.dataset_id)
    stored = con.execute(
        "SELECT code, description, taxonomy, taxonomy_description FROM taxonomy ORDER BY rowid"
    )
    stored_rows = stored.fetchall()
    con.close()
    assert len(stored_rows) == 565
    assert stored_rows == expected
    assert ("56", "Individual Certified Prosthetist", "224P00000X") in {r[:3] for r in stored_rows}
    assert ("19", "Physician/Ophthalmology", "207WX0108X") in {r[:3] for r in stored_rows}
    assert ("87", "All Other Suppliers") in {r[:2] for r in stored_rows}


def test_every_published_share_row_is_stored(published: Store, shared_benchmarks: Path) -> None:
    with (shared_benchmarks / "em_level_share_by_specialty_codingintel.csv").open(
        encoding="utf-8", newline=""
    ) as f:
        expected = sorted(
            (
                int(r["data_year"]),
                r["em_category"],
                r["cms_specialty_code"],
                r["cpt"],
                float(r["pct_of_category_services"]),
                r["source_url"],
            )
            for r in csv.DictReader(f)
        )
    con = published.connect("benchmarks", "EMSHARES")
    stored = sorted(
        con.execute("SELECT data_year, em_category, specialty_code, hcpcs, pct, source_url FROM em_share")
    )
    con.close()
    assert len(expected) == 46
    assert stored == expected


def test_puf_provider_types_map_to_specialty_codes(with_puf: Store) -> None:
    assert opened(with_puf).puf_provider_types == {
        "Internal Medicine": "11",
        "Family Practice": "08",
        "Cardiology": "06",
        "Nurse Practitioner": "50",
        "Made-up Type Without A Crosswalk Name": None,
    }
