"""One bucket's task, in a pool worker (or in the driver's own process with one worker): read the bucket's
Parquet file, check it (batch.contract.check_arrow, the store opened once per process), write its line
results and findings to Parquet files beside it, and return its notes and figures (small: they travel back
to the driver, the lines do not)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from rvucheck.batch.contract import Columns, finding_table, lines_of, open_worker_session, result_table
from rvucheck.batch.figures import RunSums, bucket_sums
from rvucheck.batch.notes import Note
from rvucheck.session import GLOBAL_EM_KINDS, NEW_PATIENT_KINDS

# what lines.parquet keeps of each line beside its results (row references, the cells read as blank for an
# Excel error, and the billed service; the patient is left out)
LINE_COLUMNS = ("line_id", "source_sheet", "source_row", "claim", "hcpcs", "modifiers", "units", "dos",
                "provider", "provider_npi", "pos", "source_blanked")  # fmt: skip


@dataclass(frozen=True)
class BucketTask:
    bucket: Path  # the bucket's charge lines (CHARGE_SCHEMA), history rows included
    lines_out: Path
    findings_out: Path
    store: str
    settings_json: str
    columns: Columns


@dataclass(frozen=True)
class BucketDone:
    sums: RunSums
    notes: tuple[Note, ...]


def check_bucket(task: BucketTask) -> BucketDone:
    session = open_worker_session(task.store, task.settings_json)
    table = pq.read_table(task.bucket).sort_by("line_id")
    current = table.filter(pa.compute.invert(table.column("history").fill_null(False)))
    ids = current.column("line_id").to_pylist()
    lines, past = lines_of(table, task.columns)
    report = session.check(lines, history=past)
    results = result_table(report, ids)
    kept = current.select(list(LINE_COLUMNS))
    for name in results.column_names[1:]:
        kept = kept.append_column(results.schema.field(name), results.column(name))
    pq.write_table(kept, task.lines_out)
    findings = finding_table(report, ids)
    line_findings = findings.filter(findings.column("line_id").is_valid())
    pq.write_table(line_findings, task.findings_out)
    sums = bucket_sums(
        report.results, ids, len(past), session.rule_ids(GLOBAL_EM_KINDS), session.rule_ids(NEW_PATIENT_KINDS)
    )
    notes = tuple(Note(f.rule, f.severity, f.message, f.source.row) for f in report.run_findings)
    return BucketDone(sums, notes)
