"""`rvucheck audit` end to end on the real CMS data: two consecutive synthetic months (shared patient pool),
history across them, the outputs, and `rvucheck history`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from rvucheck.audit.history import HISTORY_FILE, HistoryStore
from rvucheck.cli.main import main
from rvucheck.refdata.install import install_from
from rvucheck.refdata.store import Store
from rvucheck.testing.synthetic.month import generate_month, write_xlsx

LINES = 2000
GLOBAL_KINDS_RULES = ("GS01", "GS02", "GS03")


def audit_data_dir(reference: Path, where: Path, shared_cms: Path) -> Path:
    """A data dir that shares the installed reference data (symlinks; its own catalog copy) but has its own
    empty history, plus the published E&M shares and the specialty crosswalk from ../shared."""
    where.mkdir(parents=True)
    for item in reference.glob("*.sqlite"):
        if item.name == "catalog.sqlite":
            shutil.copyfile(item, where / item.name)
        elif item.name != HISTORY_FILE:
            (where / item.name).symlink_to(item.resolve())
    install_from([shared_cms.parent / "benchmarks", shared_cms / "SPECIALTY_XWALK_OCT2025"], Store(where))
    return where


@pytest.fixture(scope="module")
def run(data_dir: Path, shared_cms: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("audit-e2e")
    lines = {m: generate_month(2026, m, LINES, seed=m) for m in (9, 10)}
    files = {
        m: write_xlsx(lines[m], work / f"charges-2026-{m:02d}.xlsx", year=2026, month=m) for m in (9, 10)
    }
    data = audit_data_dir(data_dir, work / "data", shared_cms)
    alone = audit_data_dir(data_dir, work / "alone", shared_cms)
    codes = {}
    codes["sep"] = main([f"--data-dir={data}", "audit", str(files[9]), "--json", str(work / "sep.json")])
    out = {k: work / f"audit-2026-10.{k}" for k in ("xlsx", "html", "json")}
    codes["oct"] = main(
        [f"--data-dir={data}", "audit", str(files[10]), "--out", str(out["xlsx"]), "--html", str(out["html"]),
         "--json", str(out["json"]), "--sample-size", "25", "--seed", "11"]
    )  # fmt: skip
    codes["alone"] = main(
        [f"--data-dir={alone}", "audit", str(files[10]), "--json", str(work / "alone.json")]
    )
    return {
        "work": work,
        "lines": lines,
        "files": files,
        "data": data,
        "out": out,
        "codes": codes,
        "oct": json.loads(out["json"].read_text()),
        "alone": json.loads((work / "alone.json").read_text()),
    }


def _global_findings(report: dict[str, Any]) -> dict[tuple[int, str], str]:
    return {
        (f["row"], f["rule"]): f["message"] for f in report["findings"] if f["rule"] in GLOBAL_KINDS_RULES
    }


def test_runs_succeed_and_history_lists_both_months(
    run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run["codes"] == {"sep": 0, "oct": 0, "alone": 0}
    capsys.readouterr()
    assert main([f"--data-dir={run['data']}", "history", "list"]) == 0
    listed = capsys.readouterr().out
    assert re.search(rf"2026-09\s+{LINES}\s+9\s", listed) and re.search(rf"2026-10\s+{LINES}\s+9\s", listed)
    assert run["oct"]["previous_months"] == ["2026-09"] and run["alone"]["previous_months"] == []


def test_a_global_period_crossing_the_month_boundary_is_found(run: dict[str, Any]) -> None:
    with_history, alone = _global_findings(run["oct"]), _global_findings(run["alone"])
    assert set(alone) < set(with_history)
    crossing = {key: msg for key, msg in with_history.items() if key not in alone}
    assert crossing
    for message in crossing.values():  # each names a September procedure date
        assert re.search(r"\(2026-09-\d\d", message), message
    september_surgery_patients = {
        ln.patient for ln in run["lines"][9] if ln.hcpcs in {"27447", "29881", "20610"}
    }
    assert september_surgery_patients  # the generator put surgery in September


def test_the_new_patient_rule_sees_the_earlier_month(run: dict[str, Any]) -> None:
    def np01(report: dict[str, Any]) -> dict[int, str]:
        return {f["row"]: f["message"] for f in report["findings"] if f["rule"] == "NP01"}

    with_history, alone = np01(run["oct"]), np01(run["alone"])
    crossing = {row: msg for row, msg in with_history.items() if row not in alone}
    assert set(alone) < set(with_history) and crossing
    assert all(re.search(r"saw this patient on 2026-09-\d\d", msg) for msg in crossing.values()), crossing
    assert sum(p["new_patient_code_established"] for p in run["oct"]["providers"]) == len(with_history)


def test_patients_are_keyed_in_the_history(run: dict[str, Any]) -> None:
    raw = (run["data"] / HISTORY_FILE).read_bytes()
    patients = {ln.patient for ln in run["lines"][9]} | {ln.patient for ln in run["lines"][10]}
    assert patients and not any(p.encode() in raw for p in patients if len(p) >= 6)
    assert HistoryStore(run["data"]).keyer().key(sorted(patients)[0]).encode() in raw


def test_em_comparison_modifier_rates_and_sample_in_json(run: dict[str, Any]) -> None:
    providers = {p["provider"]: p for p in run["oct"]["providers"]}
    assert len(providers) == 9
    fm = providers["Alvarez, Maria MD"]
    established = fm["em_mix"]["office_established"]
    assert sum(established["counts"].values()) > 50
    assert established["vs_group"].startswith("chi-square GOF")
    assert 0 <= fm["modifier_rates"]["modifier_25_of_em"] <= 1
    total_lines = sum(p["lines"] for p in providers.values())
    assert total_lines == LINES
    assert round(sum(p["work_rvu"] for p in providers.values()), 2) > 0
    sample = run["oct"]["review_sample"]
    assert len(sample) == 25 and all(s["reason"] for s in sample)
    assert len({s["provider"] for s in sample}) == 9  # stratified: every provider is looked at


def test_national_benchmark_from_the_published_shares(run: dict[str, Any]) -> None:
    assert run["oct"]["benchmark"].startswith("national E&M shares published for a few specialties")
    internist = next(p for p in run["oct"]["providers"] if p["provider"] == "Okafor, Grace MD")
    initial = internist["em_mix"]["initial_hospital"]
    assert "2021 Medicare E&M shares" in initial["benchmark_source"]
    assert "codingintel.com/em-frequency-data-for-hospitalists" in initial["benchmark_source"]
    assert initial["vs_benchmark"].startswith("chi-square GOF") and "vs 71%" in initial["vs_benchmark"]
    subsequent = internist["em_mix"]["subsequent_hospital"]  # 99233 missing from the published table
    assert "partial: 99231 4%, 99232 55%; not tested" in subsequent["benchmark_source"]
    assert subsequent["vs_benchmark"] is None
    book = load_workbook(run["out"]["xlsx"])
    charts = book["E&M charts"]
    title = "Okafor, Grace MD - Initial hospital/observation"
    title_row = next(r for r in range(1, charts.max_row + 1) if charts.cell(r, 1).value == title)
    assert [charts.cell(title_row + 1 + i, 4).value for i in range(4)] == [
        "Benchmark",
        0.0445,
        0.2441,
        0.7114,
    ]


def test_workbook_and_html_outputs(run: dict[str, Any]) -> None:
    book = load_workbook(run["out"]["xlsx"])
    assert book["Summary"]["B3"].value == "2026-10"
    labels = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=3) if row[0].value}
    assert labels["Earlier months in history"] == "2026-09"
    trend = book["wRVU trend"]
    assert [trend.cell(r, 1).value for r in (2, 3)] == ["2026-09", "2026-10"]
    assert len(trend._charts) == 1 and len(book["E&M charts"]._charts) >= 5
    assert book["Review sample"].max_row == 26
    mrns = [row[2] for row in book["Review sample"].iter_rows(min_row=2, values_only=True)]
    assert all(mrns) and len(mrns) == 25  # the patient id as exported (the chart to pull), not its key
    keyer = HistoryStore(run["data"]).keyer()
    assert not {keyer.key(m) for m in mrns} & set(mrns)  # what the history stores is not what is shown
    html = run["out"]["html"].read_text(encoding="utf-8")
    assert html.count("data:image/svg+xml;base64,") >= 7 and "<script" not in html


def test_every_audit_output_echoes_the_run(run: dict[str, Any]) -> None:
    """Issue 15: locality, CF, QPP and the data used in the JSON, the workbook's Summary and the HTML."""
    echoed = run["oct"]["run"]
    assert echoed["locality"]["id"] == "national" and echoed["conversion_factor"] == 33.4009
    assert echoed["releases"]["pfs"] == ["RVU26C"] and echoed["stale"] is True  # PTP 2024Q3 for 2026-10
    summary = {
        str(row[0].value): row[1].value
        for row in load_workbook(run["out"]["xlsx"])["Summary"].iter_rows(max_col=2)
    }
    assert summary["Conversion factor"] == "33.4009 (non-QPP)" and summary["PFS release"] == "RVU26C"
    assert any(label.startswith("REFERENCE DATA OUT OF DATE") for label in summary)
    html = run["out"]["html"].read_text(encoding="utf-8")
    assert "<h2>Run</h2>" in html and "33.4009 (non-QPP)" in html and "class='stale'" in html


def test_reauditing_a_month_replaces_it_and_forget(
    run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    data = run["data"]
    before = [(m.month, m.line_count, round(m.work_rvu, 2)) for m in HistoryStore(data).months()]
    assert main([f"--data-dir={data}", "audit", str(run["files"][10])]) == 0
    after = [(m.month, m.line_count, round(m.work_rvu, 2)) for m in HistoryStore(data).months()]
    assert after == before
    assert main([f"--data-dir={data}", "history", "forget", "2026-10"]) == 0
    assert [m.month for m in HistoryStore(data).months()] == ["2026-09"]
    assert main([f"--data-dir={data}", "history", "forget", "2026-10"]) == 2
    assert "not in the history" in capsys.readouterr().err


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([f"--data-dir={tmp_path}", "audit", str(tmp_path / "missing.xlsx")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "missing.xlsx" in err
    assert main([f"--data-dir={tmp_path}", "history", "forget", "October"]) == 2


def test_several_exports_make_one_month(run: dict[str, Any], data_dir: Path, shared_cms: Path) -> None:
    work = run["work"]
    october = run["lines"][10]
    first = write_xlsx(october[:1200], work / "oct-part1.xlsx", year=2026, month=10)
    second = write_xlsx(october[1200:], work / "oct-part2.xlsx", year=2026, month=10)
    data = audit_data_dir(data_dir, work / "parts", shared_cms)
    out = work / "parts.json"
    assert (
        main(
            [f"--data-dir={data}", "audit", str(first), str(second), "--month", "2026-10", "--json", str(out)]
        )
        == 0
    )
    report = json.loads(out.read_text())
    assert report["sources"] == ["oct-part1.xlsx", "oct-part2.xlsx"]
    assert sum(p["lines"] for p in report["providers"]) == LINES
    sheets = {f["sheet"].split(":")[0] for f in report["findings"] if f["rule"] != "RD02"}
    assert sheets == {"oct-part1.xlsx", "oct-part2.xlsx"}
    assert [m.month for m in HistoryStore(data).months()] == ["2026-10"]


def test_an_installed_provider_and_service_puf_is_the_benchmark(
    run: dict[str, Any], data_dir: Path, shared_cms: Path
) -> None:
    # the PUF fixture is in CMS's layout with made-up values (tests/fixtures/puf); installed, it outranks
    # the published shares: Family Practice office established = 99213 100, 99214 90 services
    data = audit_data_dir(data_dir, run["work"] / "puf", shared_cms)
    install_from([Path(__file__).parents[1] / "fixtures" / "puf"], Store(data))
    out = run["work"] / "puf.json"
    assert main([f"--data-dir={data}", "audit", str(run["files"][10]), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["benchmark"].startswith("national E&M shares from the CMS by Provider and Service PUF")
    family = next(p for p in report["providers"] if p["provider"] == "Alvarez, Maria MD")
    established = family["em_mix"]["office_established"]
    assert "by Provider and Service" in established["benchmark_source"]
    assert (
        established["vs_benchmark"].startswith("chi-square GOF") and "vs 47%" in established["vs_benchmark"]
    )
