"""`rvucheck audit` takes the options of `rvucheck check` (one shared definition) and they change the audit
the way they change a check: figures asserted, on 300 synthetic October 2026 lines with real CMS data."""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rvucheck.audit.history import HISTORY_FILE
from rvucheck.cli.main import main
from rvucheck.testing.synthetic.month import generate_month
from rvucheck.testing.synthetic.write import write_csv

CF_2026, CF_2026_QPP = 33.4009, 33.5675  # CY2026 conversion factors (non-qualifying / qualifying APM)


@pytest.fixture(scope="module")
def work(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export, a copy of it with the code column renamed, and a data dir with an empty history that
    shares the installed reference data."""
    work = tmp_path_factory.mktemp("audit-options")
    export = write_csv(generate_month(2026, 10, 300, seed=5), work / "oct.csv")
    text = export.read_text(encoding="utf-8")
    assert text.startswith("Claim,") and ",CPT/HCPCS," in text.splitlines()[0]
    header, rest = text.split("\n", 1)
    (work / "renamed.csv").write_text(header.replace("CPT/HCPCS", "Billing Item") + "\n" + rest, "utf-8")
    data = work / "data"
    data.mkdir()
    for item in data_dir.glob("*.sqlite"):
        if item.name == "catalog.sqlite":
            shutil.copyfile(item, data / item.name)
        elif item.name != HISTORY_FILE:
            (data / item.name).symlink_to(item.resolve())
    return work


def _audit(work: Path, *options: str, export: str = "oct.csv") -> dict[str, Any]:
    out = work / "audit.json"
    out.unlink(missing_ok=True)
    code = main(
        [f"--data-dir={work / 'data'}", "audit", str(work / export), "--json", str(out), "--sample-size", "0",
         *options]
    )  # fmt: skip
    assert code == 0
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def _check(work: Path, *options: str) -> dict[str, Any]:
    stdout, sys.stdout = sys.stdout, io.StringIO()
    try:
        main([f"--data-dir={work / 'data'}", "check", str(work / "oct.csv"), "--no-annotate", "--format",
              "json", "--fail-on", "never", *options])  # fmt: skip
        return json.loads(sys.stdout.getvalue())  # type: ignore[no-any-return]
    finally:
        sys.stdout = stdout


def _rules(audit: dict[str, Any]) -> Counter[str]:
    return Counter(f["rule"] for f in audit["findings"])


@pytest.fixture(scope="module")
def plain(work: Path) -> dict[str, Any]:
    return _audit(work)


def test_the_plain_audit_figures(plain: dict[str, Any]) -> None:
    assert plain["release"] == "RVU26C"
    assert plain["check"]["summary"]["lines"] == 300
    assert plain["check"]["summary"]["payment"] == pytest.approx(27532.50)
    assert _rules(plain)["GS01"] == 2 and _rules(plain)["NC02"] == 7


def test_qpp_pays_every_line_at_the_qualifying_conversion_factor(work: Path, plain: dict[str, Any]) -> None:
    qpp = _audit(work, "--qpp")
    expected = plain["check"]["summary"]["payment"] * CF_2026_QPP / CF_2026
    assert qpp["check"]["summary"]["payment"] == pytest.approx(expected, abs=0.005 * 300)  # cents per line
    assert qpp["check"]["summary"]["payment"] == pytest.approx(27669.86)
    assert sum(p["payment"] for p in qpp["providers"]) == pytest.approx(27669.86, abs=0.05)
    assert _rules(qpp) == _rules(plain)


def test_release_prices_with_the_pinned_release(work: Path) -> None:
    pinned = _audit(work, "--release", "RVU25D")
    assert pinned["release"] == "RVU25D"
    assert pinned["check"]["summary"]["payment"] == pytest.approx(26283.05)
    assert pinned["check"]["summary"]["work_rvu"] == pytest.approx(390.55)


def test_ignore_and_select(work: Path, plain: dict[str, Any]) -> None:
    ignored = _rules(_audit(work, "--ignore", "GS01"))
    assert "GS01" not in ignored
    assert ignored == Counter({rule: n for rule, n in _rules(plain).items() if rule != "GS01"})
    selected = _rules(_audit(work, "--select", "GS,NC"))
    engine_own = {"RD02", "RD03"}  # reported by the engine itself, whatever is selected
    assert set(selected) - engine_own == {rule for rule in _rules(plain) if rule[:2] in ("GS", "NC")}
    assert selected["GS01"] == 2 and selected["NC02"] == 7


def test_map_reads_a_renamed_code_column(work: Path, plain: dict[str, Any]) -> None:
    mapped = _audit(work, "--map", "hcpcs=Billing Item", export="renamed.csv")
    assert mapped["check"]["summary"] == plain["check"]["summary"]
    assert _rules(mapped) == _rules(plain)
    # no header names the code column; its values do (issue 10): the same lines, unmapped
    unmapped = _audit(work, export="renamed.csv")
    assert unmapped["check"]["summary"] == plain["check"]["summary"]


@pytest.mark.parametrize("options", [(), ("--qpp",), ("--release", "RVU25D"), ("--select", "GS,NC,MU")])
def test_audit_and_check_agree_for_the_same_options(work: Path, options: tuple[str, ...]) -> None:
    audit, check = _audit(work, *options), _check(work, *options)
    assert audit["check"]["summary"] == check["summary"]
