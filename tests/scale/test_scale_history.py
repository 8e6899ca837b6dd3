"""History at scale: September appended to the history table, October checked with it through
`--engine local` equals one engine run of October with September as history (patient keys HMAC'd as the
audit keys them); the per-provider figures summed across buckets equal the audit's."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.scale.months import month_csv

from rvucheck.audit.emmix import em_mix
from rvucheck.audit.emstats import counts_by_level
from rvucheck.audit.keys import PatientKeyer
from rvucheck.audit.metrics import provider_figures, provider_name
from rvucheck.cli.main import main
from rvucheck.engine.em import EM_FAMILIES
from rvucheck.model import Report
from rvucheck.read.charges import read_charges
from rvucheck.session import GLOBAL_EM_KINDS, NEW_PATIENT_KINDS, Session

LINES = 2500


@pytest.fixture(scope="module")
def checked(scale_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("history")
    files = {m: month_csv(work / f"charges-2026-{m:02d}.csv", 2026, m, LINES, seed=m) for m in (9, 10)}
    history = work / "history"
    base = ["--data-dir", str(scale_data), "check", "--engine", "local", "--history", str(history)]
    assert main([*base, str(files[9]), "--out", str(work / "o9"), "--append-history", "--workers", "1"]) == 1
    assert (history / "month=2026-09" / "part-0.parquet").is_file()
    ten = [str(files[10]), "--out", str(work / "o10"), "--workers", "2", "--buckets", "7"]
    assert main([*base, *ten]) == 1
    summary = json.loads((work / "o10" / "summary.json").read_text())
    keyer = PatientKeyer.for_dir(scale_data)
    september, october = (read_charges(files[m]) for m in (9, 10))
    session = Session.open(scale_data)
    report = session.check(keyer.apply(october.lines), october.unreadable, keyer.apply(september.lines))
    alone = session.check(october.lines, october.unreadable)
    return {"summary": summary, "report": report, "alone": alone, "out": work / "o10", "session": session,
            "history": history}  # fmt: skip


def test_october_with_history_equals_one_engine_run(checked: dict[str, Any]) -> None:
    summary, report = checked["summary"], checked["report"]
    found = pq.read_table(checked["out"] / "findings.parquet").to_pylist()
    got = sorted((f["line_id"], f["rule_id"], f["message"]) for f in found)
    assert got == sorted((i, f.rule, f.message) for i, r in enumerate(report.results) for f in r.findings)
    assert summary["history_lines"] > 0 and summary["findings"] == report.counts_by_severity()
    assert [n["message"] for n in summary["notes"]] == list(report.notes)
    # the history changed what was found: global periods and new patients across the two months
    alone = Counter(f.rule for f in checked["alone"].findings)
    assert Counter(f.rule for f in report.findings) != alone


def test_the_history_holds_keys_not_patient_ids(checked: dict[str, Any]) -> None:
    table = pq.read_table(checked["history"] / "month=2026-09" / "part-0.parquet")
    keys = {k for k in table.column("patient_key").to_pylist() if k}
    assert keys and all(len(k) == 64 and not k.startswith("MRN") for k in keys)


def test_provider_figures_summed_across_buckets_equal_the_audits(checked: dict[str, Any]) -> None:
    report: Report = checked["report"]
    session: Session = checked["session"]
    audit = {
        p.provider: p
        for p in provider_figures(
            report.results, session.rule_ids(GLOBAL_EM_KINDS), session.rule_ids(NEW_PATIENT_KINDS)
        )
    }
    summed = {p["provider"]: p for p in checked["summary"]["providers"]}
    assert set(summed) == set(audit) and len(audit) > 3
    for name, p in audit.items():
        mine = summed[name]
        for figure in ("lines", "work_rvu", "credited_work_rvu", "payment", "em_lines", "modifier_25_lines",
                       "distinct_procedure_lines", "em_in_global", "new_for_established", "late_lines",
                       "findings_by_severity", "findings_by_rule"):  # fmt: skip
            assert mine[figure] == getattr(p, figure), (name, figure)
    assert sum(p.em_in_global for p in audit.values()) > 0  # the history's global periods count
    levels = {(row.provider, row.family.key): row.counts for row in em_mix([r.line for r in report.results])}
    for name, p in summed.items():
        for family in EM_FAMILIES:
            counts = counts_by_level(p["em_services"], family)
            assert counts == levels.get((name, family.key), (0,) * len(counts)), (name, family.key)
    modifiers: dict[str, Counter[str]] = defaultdict(Counter)
    for result in report.results:
        modifiers[provider_name(result.line)].update(set(result.line.modifiers))
    assert {name: p["modifiers"] for name, p in summed.items()} == {n: dict(c) for n, c in modifiers.items()}
