"""Shared fixtures. Tests use the real CMS files from ../shared/data/cms, installed once per machine into
a test data dir (RVUCHECK_TEST_DATA, default <repo>/.rvucheck-data), exactly as a user's install would."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_CMS = Path(os.environ.get("RVUCHECK_SHARED_CMS", REPO.parent / "shared" / "data" / "cms"))
SHARED_BENCHMARKS = SHARED_CMS.parent / "benchmarks"
TEST_DATA_DIR = Path(os.environ.get("RVUCHECK_TEST_DATA", REPO / ".rvucheck-data"))


@pytest.fixture(scope="session", autouse=True)
def streamed_sheets_equal_calamine() -> Iterator[None]:
    """Every sheet any test reads with calamine is streamed by read.stream_sheet too (the reader of sheets
    too big for calamine): their rows must be equal (RVUCHECK_STREAM_CHECK_REPORT=FILE lists them)."""
    from rvucheck.testing.stream_check import watch

    with watch() as watched:
        yield
    if os.environ.get("RVUCHECK_STREAM_CHECK_REPORT"):
        lines = [f"compared {len(watched.compared)}", *watched.compared, "declined", *watched.declined]
        Path(os.environ["RVUCHECK_STREAM_CHECK_REPORT"]).write_text(
            "\n".join([*lines, "differ", *watched.differ])
        )
    assert not watched.differ, "streamed rows differ from calamine's:\n" + "\n".join(watched.differ[:20])


@pytest.fixture(scope="session")
def shared_cms() -> Path:
    if not SHARED_CMS.is_dir():
        pytest.fail(f"the real CMS files are expected at {SHARED_CMS} (set RVUCHECK_SHARED_CMS)")
    return SHARED_CMS


@pytest.fixture(scope="session")
def data_dir(shared_cms: Path) -> Path:
    """A data dir with every real CMS file from ../shared installed (installed on first use)."""
    from rvucheck.refdata.excludes1 import ensure_excludes1
    from rvucheck.refdata.icd10cm import ensure_code_set
    from rvucheck.refdata.icd_files import cms_code_sets_installed
    from rvucheck.refdata.install import install_from
    from rvucheck.refdata.store import Store

    store = Store(TEST_DATA_DIR)
    if not store.datasets():
        install_from([shared_cms, *([SHARED_BENCHMARKS] if SHARED_BENCHMARKS.is_dir() else [])], store)
    ensure_code_set(store)  # as `rvucheck data install` does
    ensure_excludes1(store)  # the package's Excludes1 notes (DX08), likewise
    if not store.datasets("asp"):  # added after stores were first filled: install it on its own
        install_from([shared_cms / "ASP2025Q4"], store)
    if not store.datasets("anes_base"):  # anesthesia base units (issue 11), added later likewise
        install_from([shared_cms / "ANES2022_BASE"], store)
    if not cms_code_sets_installed(store):  # a store made before the ICD code sets were installable
        install_from([shared_cms / "ICD10CM", shared_cms / "ICD9CM"], store)
    if not store.datasets("mce"):  # the Medicare Code Editor tables (DX06), added after stores were filled
        install_from([shared_cms / "MCE43.1"], store)
    if not store.datasets("labncd"):  # CMS's lab NCD ICD-10 edit spreadsheet (LB01-LB04)
        install_from([shared_cms / "LABNCD2026100"], store)
    return TEST_DATA_DIR


@pytest.fixture(scope="session")
def ref(data_dir: Path):  # type: ignore[no-untyped-def]
    from rvucheck.refdata import open_reference

    return open_reference(data_dir)
