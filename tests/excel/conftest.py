"""Fixtures of the Excel tests: the UDF module pointed at the test data dir, and LibreOffice recalculation."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def udf_data(data_dir: Path) -> Iterator[Path]:
    """RVUCHECK_DATA = the test data dir while a module's tests call the functions (as a user's Excel would
    after `rvucheck data install`)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RVUCHECK_DATA", str(data_dir))
        yield data_dir


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="session")
def recalculate(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A function book.xlsx -> recalculated copy, by headless LibreOffice (a real spreadsheet engine).

    Fails when LibreOffice is missing unless RVUCHECK_ALLOW_NO_SOFFICE=1 (then skips): the workbook
    formulas are only tested when something evaluates them."""
    program = soffice()
    if program is None:
        if os.environ.get("RVUCHECK_ALLOW_NO_SOFFICE") == "1":
            pytest.skip("LibreOffice not installed and RVUCHECK_ALLOW_NO_SOFFICE=1")
        pytest.fail(
            "LibreOffice (soffice) is needed to recalculate workbooks: install libreoffice-calc-nogui from "
            "bookworm-backports (see .ci/run), or set RVUCHECK_ALLOW_NO_SOFFICE=1 to skip these tests"
        )
    # A profile of our own: a second soffice on the same profile (another test run) would make ours exit
    # without converting anything.
    profile = tmp_path_factory.mktemp("lo-profile")

    def run(book: Path) -> Path:
        out_dir = book.parent / "recalculated"
        out_dir.mkdir(exist_ok=True)
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out_dir),
            str(book),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        result = out_dir / book.name
        assert result.is_file(), f"LibreOffice wrote no {result}"
        return result

    return run
