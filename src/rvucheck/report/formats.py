"""The report formats in one import for front ends: the figures (summary), JSON and CSV (csv_json) and
the terminal text (text). Each lives in its own module; this one only gathers them."""

from __future__ import annotations

from rvucheck.model import SEVERITIES, SEVERITY_RANK
from rvucheck.report.csv_json import CSV_COLUMNS, safe_text, to_csv, to_json_obj, to_json_text
from rvucheck.report.summary import (
    CodeFigures,
    ProviderFigures,
    RuleFigures,
    Summary,
    all_findings,
    cell_address,
    finding_cell,
    severity_counts,
    sheet_prefix,
    summarize,
)
from rvucheck.report.text import to_text, worst_first

__all__ = [
    "CSV_COLUMNS",
    "SEVERITIES",
    "SEVERITY_RANK",
    "CodeFigures",
    "ProviderFigures",
    "RuleFigures",
    "Summary",
    "all_findings",
    "cell_address",
    "finding_cell",
    "safe_text",
    "severity_counts",
    "sheet_prefix",
    "summarize",
    "to_csv",
    "to_json_obj",
    "to_json_text",
    "to_text",
    "worst_first",
]
