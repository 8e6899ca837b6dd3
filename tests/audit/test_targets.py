"""The practice profile's roster in the audit (issue 15, point 2): each provider's credited work RVUs against
the monthly target of rvucheck.toml and per FTE, in the JSON, the workbook and the HTML."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rvucheck.audit.history import HISTORY_FILE
from rvucheck.audit.metrics import ProviderFigures, target_rows
from rvucheck.cli.main import main
from rvucheck.settings import Provider
from rvucheck.testing.synthetic.catalog import DEFAULT_PROVIDERS
from rvucheck.testing.synthetic.month import generate_month
from rvucheck.testing.synthetic.write import write_csv

ALVAREZ = DEFAULT_PROVIDERS[0]
ABSENT_NPI = "1234567893"


def _figures(name: str, npi: str, credited: float) -> ProviderFigures:
    return ProviderFigures(name, npi, "08", "", 10, 5, credited, credited, 0.0, {}, {}, 0, 0, 0, 0, 0)


def test_target_rows_match_by_npi_then_name() -> None:
    figures = [_figures("Dr A", "1111111112", 300.0), _figures("Dr B", "", 120.0)]
    roster = [
        Provider("1111111112", "Alpha", "08", 0.5, 400.0),  # by NPI (the roster's name differs)
        Provider("2222222222", "dr b", "11", 1.0, None),  # by name, no target
        Provider(ABSENT_NPI, "Away", "08", 1.0, 300.0),  # no lines this month
    ]
    rows = target_rows(figures, roster)
    assert [(r.credited_work_rvu, r.share_of_target, r.work_rvu_per_fte) for r in rows] == [
        (300.0, 0.75, 600.0), (120.0, None, 120.0), (0.0, 0.0, 0.0)
    ]  # fmt: skip


@pytest.fixture(scope="module")
def audited(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("audit-targets")
    export = write_csv(generate_month(2026, 10, 300, seed=5), work / "oct.csv")
    (work / "rvucheck.toml").write_text(
        f'[providers.{ALVAREZ.npi}]\nname = "Alvarez"\nspecialty = "08"\nfte = 0.5\nwrvu_target = 100\n\n'
        f'[providers.{ABSENT_NPI}]\nname = "Away, Al"\nwrvu_target = 50\n',
        encoding="utf-8",
    )
    data = work / "data"
    data.mkdir()
    for item in data_dir.glob("*.sqlite"):
        if item.name == "catalog.sqlite":
            shutil.copyfile(item, data / item.name)
        elif item.name != HISTORY_FILE:
            (data / item.name).symlink_to(item.resolve())
    out = {k: work / f"audit.{k}" for k in ("json", "xlsx", "html")}
    code = main(
        [f"--data-dir={data}", "audit", str(export), "--json", str(out["json"]), "--out", str(out["xlsx"]),
         "--html", str(out["html"]), "--sample-size", "0"]
    )  # fmt: skip
    assert code == 0
    return out


def test_audit_outputs_show_target_and_per_fte(audited: dict[str, Path]) -> None:
    result = json.loads(audited["json"].read_text())
    credited = next(p["credited_work_rvu"] for p in result["providers"] if p["npi"] == ALVAREZ.npi)
    assert credited > 0
    targets = {t["npi"]: t for t in result["targets"]}
    assert targets[ALVAREZ.npi]["credited_work_rvu"] == credited
    assert targets[ALVAREZ.npi]["share_of_target"] == round(credited / 100, 4)
    assert targets[ALVAREZ.npi]["work_rvu_per_fte"] == round(credited / 0.5, 2)
    assert targets[ABSENT_NPI]["credited_work_rvu"] == 0.0
    sheet = load_workbook(audited["xlsx"])["wRVU targets"]
    assert [c.value for c in sheet[1]][:8] == [
        "Provider", "NPI", "Specialty", "FTE", "Credited wRVU", "Monthly target", "% of target",
        "wRVU per FTE",
    ]  # fmt: skip
    assert sheet["G2"].number_format == "0.0%" and sheet["F2"].value == 100
    html = audited["html"].read_text(encoding="utf-8")
    assert "Work RVUs against target" in html and f"{credited / 100:.1%}" in html
