"""Documentation per provider in the month-end audit (issue 18): how many lines the documentation rules
(DC: note status, signature, attachments; TM: documented time) flagged, and the lag from service to the
note's signature and from signature to posting (median, 90th percentile) where the exports have the columns.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rvucheck.audit.metrics import provider_name
from rvucheck.model import LineResult

FAMILIES = ("DC", "TM")  # the rule ids of the documentation rules start so
COLUMNS = frozenset({"minutes", "note_status", "signed", "attachment"})


@dataclass(frozen=True)
class DocumentationFigures:
    provider: str
    lines: int
    flagged_lines: int  # lines with at least one DC or TM finding
    findings: int  # DC and TM findings
    top_rules: tuple[tuple[str, int], ...]  # the provider's most frequent DC/TM rules
    to_signature: tuple[float, float] | None  # service -> signature days: (median, p90)
    to_posting: tuple[float, float] | None  # signature -> posting days: (median, p90)

    @property
    def rate(self) -> float:
        return self.flagged_lines / self.lines if self.lines else 0.0


def has_documentation_columns(results: Sequence[LineResult]) -> bool:
    """Whether the exports carry any documentation column (otherwise the DC/TM rules did not run)."""
    return any(COLUMNS.intersection(name for name, _ in r.line.columns) for r in results[:1000])


def documentation_figures(results: Sequence[LineResult]) -> tuple[DocumentationFigures, ...]:
    """Per provider, most flagged lines first; () when no export had a documentation column."""
    if not has_documentation_columns(results):
        return ()
    by_provider: dict[str, list[LineResult]] = defaultdict(list)
    for result in results:
        by_provider[provider_name(result.line)].append(result)
    figures = [_one(name, rs) for name, rs in by_provider.items()]
    return tuple(sorted(figures, key=lambda f: (-f.flagged_lines, -f.rate, f.provider)))


def _one(provider: str, results: list[LineResult]) -> DocumentationFigures:
    found = [[f.rule for f in r.findings if f.rule[:2] in FAMILIES] for r in results]
    rules: dict[str, int] = defaultdict(int)
    for rule in (rule for per_line in found for rule in per_line):
        rules[rule] += 1
    to_signature = [(r.line.signed - r.line.dos).days for r in results if r.line.signed and r.line.dos]
    to_posting = [(r.line.posted - r.line.signed).days for r in results if r.line.posted and r.line.signed]
    return DocumentationFigures(
        provider=provider,
        lines=len(results),
        flagged_lines=sum(1 for per_line in found if per_line),
        findings=sum(len(per_line) for per_line in found),
        top_rules=tuple(sorted(rules.items(), key=lambda item: (-item[1], item[0]))[:3]),
        to_signature=median_p90(to_signature),
        to_posting=median_p90(to_posting),
    )


def median_p90(days: Sequence[int]) -> tuple[float, float] | None:
    """The median and the 90th percentile (inclusive method) of a list of day counts; None when empty."""
    if not days:
        return None
    if len(days) == 1:
        return float(days[0]), float(days[0])
    return float(statistics.median(days)), round(statistics.quantiles(days, n=10, method="inclusive")[-1], 1)


HEADERS = (
    "Provider", "Lines", "Lines flagged (DC/TM)", "Rate", "Findings", "Most frequent",
    "Service to signature, median (days)", "p90", "Signature to posting, median (days)", "p90",
)  # fmt: skip


def table_rows(figures: Sequence[DocumentationFigures]) -> list[list[object]]:
    """The audit workbook's and HTML page's rows, one per provider."""
    return [
        [
            f.provider,
            f.lines,
            f.flagged_lines,
            round(f.rate, 4),
            f.findings,
            ", ".join(f"{rule} x{count}" for rule, count in f.top_rules),
            *(f.to_signature or (None, None)),
            *(f.to_posting or (None, None)),
        ]
        for f in figures
    ]


NO_COLUMNS = (
    "The exports have no documentation column (minutes, note status, signature date, attachment flag): "
    "the documentation rules (DC, TM) were not run."
)


def as_dict(figures: Sequence[DocumentationFigures]) -> dict[str, object]:
    """The audit JSON's `documentation` key."""
    return {
        "columns_present": bool(figures),
        "providers": [
            {
                "provider": f.provider,
                "lines": f.lines,
                "flagged_lines": f.flagged_lines,
                "rate": round(f.rate, 4),
                "findings": f.findings,
                "top_rules": dict(f.top_rules),
                "service_to_signature_days": _pair(f.to_signature),
                "signature_to_posting_days": _pair(f.to_posting),
            }
            for f in figures
        ],
    }


def _pair(pair: tuple[float, float] | None) -> dict[str, float] | None:
    return {"median": pair[0], "p90": pair[1]} if pair else None
