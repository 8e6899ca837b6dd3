"""`rvucheck check --release X` with X not installed stops with one line naming the installed releases
(issue 10, item 5): before, the sample month's 2,000 lines were priced at $0, each with a warning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rvucheck.cli.main import main

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "sample-charges-2026-10.xlsx"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return Path(shutil.copy(SAMPLE, tmp_path / SAMPLE.name))


@pytest.mark.parametrize("release", ["RVU24A", "RVU26A", "RVU26B"])
def test_a_release_that_is_not_installed_is_an_input_error(
    release: str, sample: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # RVU26A is installed only as GPCI/LOCCO/ANES files: no RVU file to price from
    before = sample.read_bytes()
    code = main([f"--data-dir={data_dir}", "check", str(sample), "--release", release])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "Traceback" not in err
    assert err == (
        f"rvucheck: release {release}: its RVU file is not installed "
        "(fee schedules installed: RVU26C, RVU25D); install it with `rvucheck data install --from "
        "FOLDER_OR_ZIP`, or leave the release out to price each line by its date of service"
    )
    assert sorted(p.name for p in sample.parent.iterdir()) == [SAMPLE.name]  # nothing written
    assert sample.read_bytes() == before


@pytest.mark.parametrize("release", ["RVU25D", "rvu25d", "25D"])
def test_an_installed_release_still_prices_every_line(
    release: str, sample: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [f"--data-dir={data_dir}", "check", str(sample), "--release", release, "--no-annotate", "--format",
         "json", "--fail-on", "never"]
    )  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["summary"]["release"] == "RVU25D"
    priced = [line for line in report["lines"] if line["payment"]]
    assert len(report["lines"]) == 2000 and len(priced) > 1500
