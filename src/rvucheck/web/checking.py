"""The Check page's work, through the same functions as `rvucheck columns` and `rvucheck check`: the
column mapping with a preview of the first rows, then the pipeline (pipeline.check_file) writing the
annotated copy, the JSON and the CSV of findings into the job's folder."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.errors import InputFileError
from rvucheck.read.safety import InputInfo, check_input

if TYPE_CHECKING:
    from rvucheck.pipeline import Analysis
    from rvucheck.session import Session
    from rvucheck.web.jobs import Job
    from rvucheck.web.profile import Profile

PREVIEW_ROWS = 8
WORST_SHOWN = 25
TOP_RULES = 8


@dataclass(frozen=True)
class Choices:
    """What the mapping form says: the sheet, the fields whose column the user changed, the locality."""

    sheet: str | None = None
    mapping: dict[str, list[str]] = field(default_factory=dict)
    locality: str | None = None
    qpp: bool = False
    save: bool = False


def preview(info: InputInfo, profile: Profile, sheet: str | None = None) -> dict[str, Any]:
    """The mapping `rvucheck columns` shows (cli.columns.describe), each field's columns as headers, and
    the first rows under the header."""
    from rvucheck.cli.columns import describe, letters
    from rvucheck.read.charges import read_charges
    from rvucheck.read.headers import MULTI_COLUMN_FIELDS
    from rvucheck.web.profile import FIELD_LABELS, field_names

    read = read_charges(info.path, sheet=sheet, mapping=profile.mapping() or None, info=info, keep_grid=True)
    found = describe(read, info.path)
    width = len(read.headers)
    rows = (read.grid or [])[read.header_row : read.header_row + PREVIEW_ROWS]
    chosen = {name: item["headers"] for name, item in found["columns"].items()}
    used = {column for columns in read.columns_of.values() for column in columns}
    return {
        "found": found,
        "sheet": read.sheet,
        "columns": [(letters(i), h, i in used) for i, h in enumerate(read.headers, start=1)],
        "rows": [[cell_text(v) for v in [*row, *[None] * width][:width]] for row in rows],
        "fields": [
            {
                "name": n,
                "label": FIELD_LABELS.get(n, n),
                "chosen": chosen.get(n, []),
                "multi": n in MULTI_COLUMN_FIELDS or len(chosen.get(n, [])) > 1,
            }
            for n in field_names()
        ],
        "headers": [h for h in read.headers if h],
    }


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:80]


def changed(chosen: dict[str, list[str]], detected: dict[str, list[str]]) -> dict[str, list[str]]:
    """The fields whose columns the user changed: only those are passed on (as --map would be)."""
    return {name: headers for name, headers in chosen.items() if headers != detected.get(name, [])}


def run_check(job: Job, info: InputInfo, profile: Profile, choices: Choices) -> None:
    """The check of one upload, as `rvucheck check FILE --format json` runs it, plus the CSV of findings;
    the results land in `job.facts` (the page) and `job.files` (the downloads)."""
    from rvucheck.annotate.copy import plan_output
    from rvucheck.outputs import Outputs
    from rvucheck.pipeline import CheckRequest, check_file
    from rvucheck.session import Session

    settings = profile.settings(locality=choices.locality, qpp=choices.qpp or None)
    mapping = {**profile.mapping(), **choices.mapping}
    session = Session.open(profile.data_dir, settings)
    stem = info.path.stem
    json_path, csv_path = job.outputs / f"{stem}.rvucheck.json", job.outputs / f"{stem}.findings.csv"
    with Outputs([info.path], force=True) as outputs:
        # the copy's own name beside the upload (.rvucheck.xlsx/.xlsm, or .rvucheck-report.xlsx), then moved
        # out of the upload folder, which is deleted when the job ends
        plan = plan_output(info.path, info.kind, None, True, outputs)
        request = CheckRequest(info, choices.sheet, mapping, session, "json", plan, also=("csv",))
        outcome = check_file(request, job.progress, outputs, fork=False)
        analysis = outcome.analysis
        outputs.write(json_path, lambda t: t.write_text(json.dumps(analysis.output, indent=1, default=str)))
        outputs.write(csv_path, lambda t: t.write_text(str(analysis.more["csv"]), encoding="utf-8"))
        outputs.commit()
    assert outcome.written is not None
    copy = outcome.written.path.replace(job.outputs / outcome.written.path.name)
    job.files = {"annotated": copy, "json": json_path, "csv": csv_path}
    job.facts["summary"] = summary_view(analysis, session)
    if choices.save:
        job.facts["saved_to"] = _save(profile, info, choices, mapping)


def _save(profile: Profile, info: InputInfo, choices: Choices, mapping: dict[str, list[str]]) -> str:
    from rvucheck.read.charges import read_charges

    read = read_charges(info.path, sheet=choices.sheet, mapping=mapping or None, info=info)
    if read.wide:
        return "nothing saved: a wide claim layout is found again by its numbered columns"
    return f"column mapping saved as [columns] in {profile.save_columns(read, info.path)}"


def summary_view(analysis: Analysis, session: Session) -> dict[str, Any]:
    """The figures of the summary table of `rvucheck check`, the top rules with their titles and the worst
    findings (errors first, then the most dollars at stake)."""
    from rvucheck.cli.check import missing_columns
    from rvucheck.model import SEVERITY_RANK, CellRef
    from rvucheck.report.formats import cell_address

    s = analysis.summary
    titles = {rule.id: rule.title for rule in session.ruleset}
    findings = list(analysis.annotations.findings) if analysis.annotations else []
    findings.sort(key=lambda f: (SEVERITY_RANK.get(f[6], 9), -(f[10] or 0.0), f[0], f[1]))

    return {
        "lines": s.lines,
        "checked": s.checked,
        "unreadable": s.unreadable,
        "totals": len(s.totals_rows),
        "blank": s.blank_rows,
        "work_rvu": s.work_rvu,
        "credited_work_rvu": s.credited_work_rvu,
        "payment": s.payment,
        "at_stake": s.dollars_at_stake,
        "findings": dict(s.findings),
        "release": s.release or "none",
        "sheet": analysis.sheet,
        "ncci": s.ncci_quarter or "none",
        "rules": [
            {
                "rule": r.rule,
                "title": titles.get(r.rule, ""),
                "severity": r.severity,
                "count": r.count,
                "dollars": r.dollars_at_stake,
            }
            for r in s.rules[:TOP_RULES]
        ],
        "worst": [
            {
                "cell": cell_address(CellRef(f[0], f[1], f[2])).split("!")[-1],
                "hcpcs": f[3],
                "modifiers": f[4],
                "rule": f[5],
                "severity": f[6],
                "message": f[7],
                "fix": f[8],
                "dollars": f[10],
            }
            for f in findings[:WORST_SHOWN]
        ],
        "total_findings": len(findings),
        "missing": missing_columns(analysis.fields),
    }


def validate(path: Path) -> InputInfo:
    """The same input checks as the command line (read/safety.check_input); an X12 837P (no sheet to show
    or annotate) is checked with the command line."""
    info = check_input(path)
    if info.kind == "x12":
        raise InputFileError(
            f"{path.name} is an X12 837P claims file: this page checks spreadsheets; run "
            f"`rvucheck check {path.name}` on it (text, --format json or csv)"
        )
    return info
