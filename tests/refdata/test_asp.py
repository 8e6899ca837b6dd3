"""Part B drug payment limits (CMS's ASP pricing file): install, lookups by date, and the price ST10 shows."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest

from rvucheck.engine import runner as engine
from rvucheck.errors import InputFileError
from rvucheck.refdata import asp
from rvucheck.refdata.install import install_from
from rvucheck.refdata.store import Store
from rvucheck.rules.cases import case_line
from rvucheck.rules.ruleset import load_ruleset
from rvucheck.settings import Settings

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "asp" / "madeup_asp_2026Q1.csv"


def test_the_real_file_installs_with_its_quarter_and_limits(shared_cms: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    (info,) = install_from([shared_cms / "ASP2025Q4"], store)
    assert (info.kind, info.dataset_id, info.effective_from, info.effective_to) == (
        "asp",
        "2025Q4",
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert info.meta["rows"] == 1011  # 1,012 codes, A9606 is N/A (not ASP priced)
    assert info.quarter == 4 and info.year == 2025 and info.contents == ("ASP",)
    data = asp.AspData(store)
    j1100 = data.price("J1100", dt.date(2025, 11, 3))
    assert j1100 is not None and (j1100.dosage, j1100.limit, j1100.label) == ("1 MG", 0.094, "ASP 2025Q4")
    assert data.price("J9271").limit == 60.291  # type: ignore[union-attr]
    assert data.price("A9606") is None and data.price("99213") is None


def test_a_zipped_file_is_recorded_as_zip_and_member_not_a_temporary_path(tmp_path: Path) -> None:
    """The catalog names where a file came from (what `data update` compares), as every importer does."""
    archive = tmp_path / "madeup-asp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURE, FIXTURE.name)
    (info,) = install_from([archive], Store(tmp_path / "data"))
    assert [s["file"] for s in info.sources] == [f"{archive}!{FIXTURE.name}"]
    assert [s["role"] for s in info.sources] == ["ASP"] and len(info.sources[0]["sha256"]) == 64


def test_quarters_answer_their_own_dates_and_the_nearest_otherwise(shared_cms: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    install_from([shared_cms / "ASP2025Q4", FIXTURE], store)
    data = asp.AspData(store)
    assert data.price("J1100", dt.date(2025, 12, 31)).limit == 0.094  # type: ignore[union-attr]
    assert data.price("J1100", dt.date(2026, 2, 1)).limit == 0.5  # type: ignore[union-attr]
    assert data.price("J1100", dt.date(2026, 8, 1)).label == "ASP 2026Q1"  # type: ignore[union-attr]
    assert data.price("J1100", dt.date(2024, 1, 1)).label == "ASP 2025Q4"  # type: ignore[union-attr]
    vaccine = data.price("90686", dt.date(2026, 2, 1))
    assert vaccine is not None and vaccine.limit == 19.99  # the vaccine limit column


def test_other_csvs_are_not_asp_files_and_a_damaged_limit_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "charges.csv"
    other.write_text("HCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit\nJ1100,x,1 MG,1\n")
    assert asp.recognize(other) is None
    damaged = tmp_path / "asp.csv"
    damaged.write_bytes(FIXTURE.read_bytes().replace(b"0.500", b"zero"))
    item = asp.recognize(damaged)
    assert item is not None and item.dataset_id == "2026Q1"
    with pytest.raises(InputFileError, match="line 8: the payment limit of J1100 is not a number"):
        asp.import_group(Store(tmp_path / "data"), [item])


def run(raw: list[dict[str, Any]], ref: Any) -> list[tuple[str, str]]:
    lines = [case_line(r, "Charges", i) for i, r in enumerate(raw)]
    settings = Settings(select=("ST", "CV", "MU", "LN"), today=dt.date(2026, 12, 31))
    report = engine.run(lines, ref, load_ruleset(settings), settings)
    return [(f.rule, f.message) for f in report.findings if f.rule[:2] in ("ST", "CV", "MU", "LN")]


def test_drug_line_names_its_fee_schedule_and_asp_price(ref: Any) -> None:
    found = run([{"hcpcs": "20610"}, {"hcpcs": "J3301", "units": 4, "dos": "2025-11-03"}], ref)
    assert [rule for rule, _ in found] == ["ST10"]
    message = found[0][1]
    assert "Part B drug pricing" in message
    assert "ASP payment limit $0.844 per 10 MG (ASP 2025Q4) x 4 units = $3.38" in message
    assert "that file is for" not in message
    stale = run([{"hcpcs": "J3301", "units": 4, "dos": "2026-07-15"}], ref)[0][1]
    assert "(that file is for 2025-10-01 to 2025-12-31, not 2026-07-15)" in stale


def test_real_codes_medicare_pays_elsewhere_are_not_errors(ref: Any) -> None:
    lines = [
        {"hcpcs": "99214", "dx": ["E11.9"]},
        {"hcpcs": "3044F", "dx": ["E11.9"]},
        {"hcpcs": "G8427"},
        {"hcpcs": "A0428", "modifiers": ["RH"], "pos": "41", "patient": "P2"},
        {"hcpcs": "A0425", "modifiers": ["RH"], "units": 12, "pos": "41", "patient": "P2"},
        {"hcpcs": "E0601", "modifiers": ["NU"], "patient": "P3"},
        {"hcpcs": "L3000", "modifiers": ["RT"], "units": 1, "patient": "P4"},
    ]
    found = run(lines, ref)
    assert [rule for rule, _ in found if rule in ("ST02", "CV02", "CV05", "LN06", "MU02", "MU03")] == []
    assert sorted(rule for rule, _ in found) == ["ST06", "ST09", "ST10", "ST10", "ST10", "ST10"]
