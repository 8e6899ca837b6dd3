"""The audit's figures as JSON for dashboards: per provider lines, work_rvu, credited_work_rvu, payment,
E&M mix, modifier rates; findings as the checker reports them."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from rvucheck.audit import documentation
from rvucheck.audit.emstats import high_share
from rvucheck.audit.result import AuditResult
from rvucheck.model import Finding, LineResult


def finding_dict(finding: Finding, result: LineResult | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "cell": finding.source.a1(),
        "sheet": finding.source.sheet,
        "row": finding.source.row,
        "field": finding.field,
        "fix": finding.fix,
        "ref": finding.ref,
        "dollars_at_stake": finding.dollars_at_stake,
        "wrvu_at_stake": finding.wrvu_at_stake,
    }
    if result is not None:
        out["hcpcs"] = result.line.hcpcs
        out["provider"] = result.line.provider
    return out


def audit_dict(result: AuditResult) -> dict[str, Any]:
    mix_by_provider: dict[str, dict[str, Any]] = {}
    for m in result.mix:
        mix_by_provider.setdefault(m.provider, {})[m.family.key] = {
            "counts": dict(zip(m.family.codes, m.counts, strict=True)),
            "high_level_share": round(high_share(m.counts, m.family), 4),
            "vs_group": m.vs_group.statistic if m.vs_group else None,
            "vs_group_p": m.vs_group.p_value if m.vs_group else None,
            "vs_benchmark": m.vs_benchmark.statistic if m.vs_benchmark else None,
            "vs_benchmark_p": m.vs_benchmark.p_value if m.vs_benchmark else None,
            "benchmark_shares": (
                dict(zip(m.family.codes, m.vs_benchmark.reference_shares, strict=True))
                if m.vs_benchmark
                else None
            ),
            "benchmark_source": m.benchmark_source or None,
            "flagged": m.flagged,
            "direction": m.direction or None,  # over / under when flagged
            "in_words": m.in_words(),
        }
    providers = [
        {
            "provider": p.provider,
            "npi": p.provider_npi,
            "specialty": p.specialty,
            "lines": p.lines,
            "encounters": p.encounters,
            "work_rvu": p.work_rvu,
            "credited_work_rvu": p.credited_work_rvu,
            "payment": p.payment,
            "ytd_credited_work_rvu": result.ytd_work_rvu.get(p.provider),
            "findings_by_severity": p.findings_by_severity,
            "findings_by_rule": p.findings_by_rule,
            "em_mix": mix_by_provider.get(p.provider, {}),
            "modifier_rates": {
                "modifier_25_of_em": round(p.modifier_25_rate, 4),
                "distinct_procedure_59_x_of_lines": round(p.distinct_procedure_rate, 4),
            },
            "em_in_global": p.em_in_global,
            "new_patient_code_established": p.new_for_established,
            "median_charge_lag_days": p.median_lag,
            "late_lines": p.late_lines,
        }
        for p in result.providers
    ]
    from rvucheck.report.csv_json import note_dict
    from rvucheck.report.formats import summarize, to_json_obj
    from rvucheck.report.summary import run_notes

    # `findings` are the lines' (an unreadable row's RD01 included), `notes` the findings that belong to
    # no line (RD02 stale NCCI, RD03 release, RD04-RD07 missing columns): `counts` is the two added up.
    notes = run_notes(result.report)
    findings = [finding_dict(f, r) for r in result.report.results for f in r.findings]
    findings += [finding_dict(f) for f in result.report.run_findings if f not in notes]
    return {
        "month": result.month,
        "run": result.run,  # locality, CF, QPP, data used, stale (report.run_info)
        "sources": list(result.sources),
        "release": result.report.release,
        "benchmark": result.benchmark_note,
        "previous_months": list(result.previous_months),
        # lines of other months in the exports: not counted, not stored (see AuditResult.outside_month)
        "outside_month": [
            {"month": o.month, "lines": o.lines, "first": o.first.isoformat(), "last": o.last.isoformat()}
            for o in result.outside_month
        ],
        "counts": result.report.counts_by_severity(),
        "rule_titles": {rule: result.title(rule) for rule, _severity, _count in result.findings_by_rule},
        "providers": providers,
        "targets": [dataclasses.asdict(t) for t in result.targets],  # the roster's wRVU vs target, per FTE
        "findings": findings,
        "notes": [note_dict(f) for f in notes],
        # the same report exactly as `rvucheck check --format json` gives it, for tools that read that
        "check": to_json_obj(result.report, summarize(result.report)),
        "unreadable": [{"cell": u.source.a1(), "reason": u.reason} for u in result.report.unreadable],
        "documentation": documentation.as_dict(result.documentation),
        "review_sample": [
            {
                "provider": p.encounter.provider,
                "dos": p.encounter.dos,
                "claim": p.encounter.claim,
                "codes": p.encounter.codes,
                "rows": [r.line.source.a1() for r in p.encounter.results],
                "score": p.encounter.score,
                "reason": p.reason,
            }
            for p in result.sample
        ],
    }


def write_json(result: AuditResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(audit_dict(result), indent=2, default=str), encoding="utf-8")
