"""`rvucheck data install` against a local http.server whose folder is made from ../shared/data/cms under
the file names CMS uses (zipped as CMS ships them): the package's own download table, with only the host
replaced, installs the fee-schedule companions, MUEs, ICD-10-CM, ASP and anesthesia base units (no
network)."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_site import serving

from rvucheck.cli.main import main
from rvucheck.refdata import releases
from rvucheck.refdata.store import Store

CMS = "https://www.cms.gov/files/zip/"
WANTED = ("RVU26A", "2026Q2", "FY2026", "2025Q4", "2022")


def _zip(target: Path, *members: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for member in members:
            zf.write(member, member.name)


@pytest.fixture(scope="module")
def cms_site(shared_cms: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("cms-site")
    rvu26a = shared_cms / "RVU26A"
    _zip(root / "rvu26a-updated-01-08-2026.zip", *sorted(rvu26a.glob("*.csv")))
    mue = shared_cms / "MUE2026Q2" / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
    _zip(root / "medicare-ncci-2026-q2-practitioner-services-mue-table.zip", mue)
    shutil.copyfile(
        shared_cms / "ICD10CM" / "icd10cm_codes_fy2026.zip", root / "2026-code-descriptions-tabular-order.zip"
    )
    # only the older name is served: the table's alternative is what installs it
    _zip(root / "october-2025-asp-pricing-file.zip", *(shared_cms / "ASP2025Q4").glob("*.csv"))
    _zip(root / "2022-anesthesia-base-units-cpt-code.zip", *sorted((shared_cms / "ANES2022_BASE").iterdir()))

    with serving(root) as site:
        yield site


def test_install_from_cms_file_names(cms_site: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    table = releases.downloads()
    local = [
        releases.Download(
            d.kind,
            d.dataset,
            d.what,
            d.year,
            d.quarter,
            tuple(tuple(u.replace(CMS, cms_site) for u in alts) for alts in d.urls),
            d.page,
            d.group,
        )
        for d in table
    ]
    monkeypatch.setattr(releases, "downloads", lambda: local)
    args = [f"--data-dir={tmp_path / 'data'}", "data", "install"]
    for dataset in WANTED:
        args += ["--release", dataset]
    assert main(args) == 0
    captured = capsys.readouterr()
    installed = {(d.kind, d.dataset_id) for d in Store(tmp_path / "data").datasets()}
    assert {("pfs", "RVU26A"), ("ncci", "2026Q2"), ("icd10cm", "FY2026"), ("asp", "2025Q4")} <= installed
    assert ("anes_base", "2022") in installed
    pfs = Store(tmp_path / "data").datasets("pfs")[0]
    assert set(pfs.contents) == {"GPCI", "LOCCO", "ANES"}
    assert (
        f"downloading {cms_site}october-2025-medicare-part-b-payment-limit-files-final-file.zip"
        in captured.err
    )
    assert "not verified" not in captured.err + captured.out
