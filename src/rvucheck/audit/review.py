"""The review sample an auditor fills in, and `rvucheck audit --reviewed sample.xlsx` reading it back.

The sample sheet names what a reviewer needs to pull the chart (MRN, date of service, claim, the codes and
rows) and why the encounter was picked, then empty Reviewer / Result / Correct code / Reviewer note columns;
Result offers a list (correct, over-coded, under-coded, other error). Read back by header names, the
filled sample gives each provider's accuracy (correct / reviewed) and the direction of the errors.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.audit.result import AuditResult
from rvucheck.errors import InputFileError
from rvucheck.read.safety import check_input
from rvucheck.read.sources import XlsxBook

SHEET = "Review sample"
SAMPLE_HEADERS = (
    "#", "Provider", "MRN", "DOS", "Claim", "Codes", "Rows", "Risk score", "Why picked",
    "Reviewer", "Result", "Correct code", "Reviewer note",
)  # fmt: skip
CORRECT, OVER, UNDER, OTHER = "correct", "over-coded", "under-coded", "other error"
RESULTS = (CORRECT, OVER, UNDER, OTHER)
LIST_ROWS = 1000  # the Result list reaches past the sample, for rows an auditor adds


def sample_rows(result: AuditResult) -> list[list[object]]:
    rows: list[list[object]] = []
    for number, pick in enumerate(result.sample, 1):
        encounter = pick.encounter
        patient = encounter.results[0].line.patient
        rows.append([
            number, encounter.provider, result.patients.get(patient, ""),
            dt.date.fromisoformat(encounter.dos) if encounter.dos else None, encounter.claim, encounter.codes,
            ", ".join(r.line.source.a1() for r in encounter.results), encounter.score, pick.reason,
        ])  # fmt: skip
    return rows


def add_result_list(ws: Worksheet, column: str, first_row: int = 2) -> None:
    """The Result column offers the four answers (typing something else is refused by Excel)."""
    check = DataValidation(type="list", formula1='"' + ",".join(RESULTS) + '"', allow_blank=True)
    check.error, check.errorTitle = f"Choose one of: {', '.join(RESULTS)}", "Result"
    check.add(f"{column}{first_row}:{column}{first_row + LIST_ROWS}")
    ws.add_data_validation(check)


@dataclass(frozen=True)
class ProviderAccuracy:
    provider: str
    reviewed: int
    correct: int
    over: int
    under: int
    other: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.reviewed if self.reviewed else 0.0

    @property
    def direction(self) -> str:
        if self.over == self.under:
            return "none" if not self.over else "both ways"
        return "over-coding" if self.over > self.under else "under-coding"


@dataclass(frozen=True)
class ReviewOutcome:
    source: str
    providers: tuple[ProviderAccuracy, ...]
    not_reviewed: int  # sample rows without a Result yet

    @property
    def total(self) -> ProviderAccuracy:
        return ProviderAccuracy(
            "All providers", *(sum(getattr(p, f) for p in self.providers) for f in
                               ("reviewed", "correct", "over", "under", "other"))
        )  # fmt: skip

    def lines(self) -> list[str]:
        out = [f"review of {self.source}: {self.total.reviewed} reviewed, {self.not_reviewed} not yet"]
        for p in (*self.providers, self.total):
            out.append(
                f"  {p.provider}: accuracy {p.accuracy:.0%} ({p.correct}/{p.reviewed}); {p.over} over-coded, "
                f"{p.under} under-coded, {p.other} other; direction: {p.direction}"
            )
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "not_reviewed": self.not_reviewed,
            "providers": [_json(p) for p in self.providers],
            "total": _json(self.total),
        }


def _json(p: ProviderAccuracy) -> dict[str, object]:
    return {
        "provider": p.provider, "reviewed": p.reviewed, "correct": p.correct, "over_coded": p.over,
        "under_coded": p.under, "other_error": p.other, "accuracy": round(p.accuracy, 4),
        "direction": p.direction,
    }  # fmt: skip


def read_reviewed(path: Path) -> ReviewOutcome:
    """The filled review sample (the audit workbook's Review sample sheet, or a copy of that sheet)."""
    info = check_input(path)
    if info.kind not in ("xlsx", "xlsm", "ods"):
        raise InputFileError(f"{path}: --reviewed takes the audit workbook (.xlsx) with its sample filled in")
    book = XlsxBook(info.path, info.package, info.kind)
    name = next((n for n in book.sheet_names if n.casefold() == SHEET.casefold()), None)
    if name is None:
        raise InputFileError(f"{path} has no '{SHEET}' sheet; give --reviewed the audit workbook")
    rows = book.grid(name).rows
    headers = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    if "Provider" not in headers or "Result" not in headers:
        raise InputFileError(f"{path}: its '{SHEET}' sheet has no Provider or Result column")
    counts: dict[str, Counter[str]] = {}
    waiting = 0
    for number, values in enumerate(rows[1:], start=2):
        row = dict(zip(headers, values, strict=False))
        provider = str(row.get("Provider") or "").strip()
        answer = str(row.get("Result") or "").strip().casefold()
        if not provider:
            continue
        if not answer:
            waiting += 1
            continue
        if answer not in RESULTS:
            raise InputFileError(
                f"{path}: '{SHEET}' row {number}: Result must be one of {', '.join(RESULTS)}"
            )
        counts.setdefault(provider, Counter())[answer] += 1
    providers = tuple(
        ProviderAccuracy(name, sum(c.values()), c[CORRECT], c[OVER], c[UNDER], c[OTHER])
        for name, c in sorted(counts.items())
    )
    return ReviewOutcome(path.name, providers, waiting)


def review_rows(outcome: ReviewOutcome) -> list[list[object]]:
    """The accuracy table's rows, one per provider and a total (REVIEW_HEADERS)."""
    return [
        [p.provider, p.reviewed, p.correct, p.accuracy, p.over, p.under, p.other, p.direction]
        for p in (*outcome.providers, outcome.total)
    ]


REVIEW_HEADERS = (
    "Provider", "Reviewed", "Correct", "Accuracy", "Over-coded", "Under-coded", "Other error", "Direction",
)  # fmt: skip
