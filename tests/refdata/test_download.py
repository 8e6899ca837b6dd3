"""`rvucheck data install` without --from downloads the releases listed in the package (data/releases.toml).
Exercised against a local http.server on 127.0.0.1 serving a zip built from the made-up fixtures."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_site import serving

from rvucheck.cli.main import main
from rvucheck.refdata import releases
from rvucheck.refdata.install import install_from
from rvucheck.refdata.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cms"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "www"
    root.mkdir()
    with zipfile.ZipFile(root / "rvu30b-updated-03-15-2030.zip", "w") as zf:
        for name in (
            "madeup-rvu-2030-apr.csv",
            "madeup-gpci-2030.txt",
            "madeup-localities-2030.txt",
            "madeup-anes-2030.txt",
        ):
            zf.write(FIXTURES / "rvu30b" / name, name)

    with serving(root) as site:
        yield site.rstrip("/")


def test_install_from_url(server: str, tmp_path: Path) -> None:
    (info,) = install_from([f"{server}/rvu30b-updated-03-15-2030.zip"], Store(tmp_path / "data"))
    assert (info.dataset_id, info.contents) == ("RVU30B", ("RVU", "GPCI", "LOCCO", "ANES"))
    assert any(
        s["file"] == f"{server}/rvu30b-updated-03-15-2030.zip!madeup-rvu-2030-apr.csv" for s in info.sources
    )


def _listed(kind: str, dataset: str, urls: tuple[tuple[str, ...], ...]) -> releases.Download:
    return releases.Download(kind, dataset, f"made-up {dataset}", 2030, 2, urls, "https://www.cms.gov/x")


def test_data_install_downloads_the_listed_releases(server: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    listed = [_listed("pfs", "RVU30B", ((f"{server}/rvu30b-updated-03-15-2030.zip",),))]
    monkeypatch.setattr(releases, "downloads", lambda: listed)
    assert main([f"--data-dir={tmp_path / 'data'}", "data", "install"]) == 0
    out = capsys.readouterr().out
    assert "installed pfs RVU30B: RVU, GPCI, LOCCO, ANES" in out
    assert [d.dataset_id for d in Store(tmp_path / "data").datasets("pfs")] == ["RVU30B"]


def test_download_failure_is_one_line(server: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([f"--data-dir={tmp_path}", "data", "install", "--from", f"{server}/missing.zip"]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()  # the progress line, then the one error line
    assert lines[0] == f"downloading {server}/missing.zip" and len(lines) == 2
    assert lines[1].startswith("rvucheck: ") and "missing.zip: download failed (HTTP Error 404" in lines[1]


def test_package_download_table() -> None:
    listed = {(d.kind, d.dataset): d for d in releases.downloads()}
    assert listed["pfs", "RVU26C"].urls == (("https://www.cms.gov/files/zip/rvu26c-updated-06-30-2026.zip",),)
    assert {kind for kind, _ in listed} >= {"pfs", "ncci", "icd10cm", "asp", "anes_base", "labncd", "mce"}
    assert all(
        u.startswith("https://www.cms.gov/files/zip/") for d in listed.values() for f in d.urls for u in f
    )
    assert len(listed["ncci", "2026Q3"].urls) == 5  # PTP f1-f4 and the MUE table
    assert releases.conversion_factors(2026)["qpp"] == 33.5675
    now = {(d.kind, d.dataset) for d in releases.current(list(listed.values()), 2026, 3)}
    assert ("pfs", "RVU26C") in now and ("pfs", "RVU26A") not in now and ("ncci", "AOC") in now


def test_one_failed_download_does_not_stop_the_others(
    server: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    listed = [
        _listed("pfs", "RVU30A", ((f"{server}/moved.zip",),)),
        _listed("pfs", "RVU30B", ((f"{server}/renamed.zip", f"{server}/rvu30b-updated-03-15-2030.zip"),)),
    ]
    monkeypatch.setattr(releases, "downloads", lambda: listed)
    assert main([f"--data-dir={tmp_path / 'data'}", "data", "install"]) == 0
    captured = capsys.readouterr()
    assert "installed pfs RVU30B" in captured.out  # from its second (alternative) URL
    assert "moved.zip: download failed" in captured.err
    assert "not installed: made-up RVU30A; get it from https://www.cms.gov/x" in captured.err
    assert "not verified" not in captured.err
    monkeypatch.setattr(releases, "downloads", lambda: listed[:1])
    assert main([f"--data-dir={tmp_path / 'other'}", "data", "install"]) == 2
    assert "nothing could be downloaded (1 datasets failed)" in capsys.readouterr().err


def test_data_update_fetches_only_the_current_quarter_once(
    server: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    older = releases.Download("pfs", "RVU30A", "made-up Q1", 2030, 1, ((f"{server}/gone.zip",),), "p")
    newer = releases.Download(
        "pfs", "RVU30B", "made-up Q2", 2030, 2, ((f"{server}/rvu30b-updated-03-15-2030.zip",),), "p"
    )
    monkeypatch.setattr(releases, "downloads", lambda: [newer, older])
    data = f"--data-dir={tmp_path / 'data'}"
    assert main([data, "data", "update", "--date", "2030-05-04"]) == 0
    captured = capsys.readouterr()
    assert "installed pfs RVU30B" in captured.out and "gone.zip" not in captured.err  # Q1's not fetched
    assert main([data, "data", "update", "--date", "2030-05-04"]) == 0
    assert "up to date" in capsys.readouterr().err
