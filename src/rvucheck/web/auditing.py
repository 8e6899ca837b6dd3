"""The Audit page's work, as `rvucheck audit FILE... --month M --out x.xlsx --html x.html` does it: the
same audit run, the same writers, and the month recorded in the history store once its outputs exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from rvucheck.errors import HistoryError, InputFileError

if TYPE_CHECKING:
    from rvucheck.web.jobs import Job
    from rvucheck.web.profile import Profile

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def month_option(text: str) -> str | None:
    text = text.strip()
    if text and not MONTH.fullmatch(text):
        raise InputFileError(f"month {text!r}: give the month as YYYY-MM, e.g. 2026-10")
    return text or None


def run_audit_job(job: Job, paths: list[Path], month: str | None, profile: Profile) -> None:
    from rvucheck.audit.html import write_html
    from rvucheck.audit.run import AuditOptions, remember, run_audit
    from rvucheck.audit.workbook import write_workbook
    from rvucheck.outputs import Outputs
    from rvucheck.session import Session

    options = AuditOptions(month=month, mapping=profile.mapping())
    session = Session.open(profile.data_dir, profile.settings())
    job.step, job.done = "reading and checking", 1
    result = run_audit(paths, profile.data_dir, options, session, record=False)
    job.step, job.done = "writing the workbook and the report", 3
    book = job.outputs / f"audit-{result.month}.xlsx"
    html = job.outputs / f"audit-{result.month}.html"
    with Outputs(paths, force=True) as outputs:
        outputs.write(book, lambda temp: write_workbook(result, temp))
        outputs.write(html, lambda temp: write_html(result, temp))
        outputs.commit()
    job.files = {"workbook": book, "html": html}
    counts = result.report.counts_by_severity()
    job.facts |= {
        "month": result.month,
        "lines": len(result.report.results),
        "providers": len(result.providers),
        "errors": counts.get("error", 0),
        "warnings": counts.get("warning", 0),
        "previous": ", ".join(result.previous_months) or "none",
        "outside": result.outside_note or "",
    }
    try:
        remember(result, profile.data_dir)  # only once the outputs exist, as the command line does
    except HistoryError as exc:
        raise HistoryError(f"{exc} (month {result.month} not recorded)") from None
    job.facts["recorded"] = True
    job.step, job.done = "done", 4
