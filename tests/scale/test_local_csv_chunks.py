"""`check --engine local` reads a CSV a chunk of rows at a time (batch.local_input.CHUNK_ROWS): with chunks of
2 rows (1 for the wide sample) it gives exactly what reading the whole file gives (lines, findings, notes,
unreadable rows, summary)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.scale.months import month_csv

from rvucheck.batch import local_input
from rvucheck.batch.local import LocalRequest, run_local
from rvucheck.session import Session


def _run(path: Path, out: Path, data: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(local_input, "CHUNK_ROWS", chunk)
    out.mkdir()
    request = LocalRequest(path, out, Session.open(data), workers=1, buckets=3)
    summary = run_local(request, lambda what, done, total: None).summary
    lines = pq.read_table(out / "lines.parquet").sort_by("line_id").to_pylist()
    found = pq.read_table(out / "findings.parquet").to_pylist()
    summary["lines_rows"] = lines
    summary["findings_rows"] = sorted(found, key=lambda f: (f["line_id"], f["rule_id"], f["message"]))
    return summary


def _month_with_titles_and_bad_rows(work: Path) -> Path:
    """The synthetic month below two title rows, with an unreadable row and a totals row in it."""
    text = month_csv(work / "plain.csv", 2026, 10, 60, seed=3).read_text(encoding="utf-8")
    rows = text.splitlines()
    width = rows[0].count(",")
    rows.insert(20, "not a code" + "," * width)
    rows.insert(41, "Total" + "," * width)
    path = work / "october.csv"
    path.write_text("Charges export\n\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["month", "CPTEVENTS.csv", "desynpuf_carrier_claims_sample.csv"])
def test_a_csv_read_by_chunks_gives_what_the_whole_read_gives(
    name: str, scale_data: Path, shared_cms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = shared_cms.parent / "claims"
    path = _month_with_titles_and_bad_rows(tmp_path) if name == "month" else claims / name
    whole = _run(path, tmp_path / "whole", scale_data, 0, monkeypatch)
    chunk = 1 if name.startswith("desynpuf") else 2  # the wide sample has two claim rows
    chunked = _run(path, tmp_path / "chunked", scale_data, chunk, monkeypatch)
    assert chunked == whole
    assert whole["checked"] > 3 and whole["findings_rows"]
    assert [row["line_id"] for row in chunked["lines_rows"]] == list(range(whole["checked"]))
    if name == "month":  # the title rows keep the file's row numbers: the bad row is the file's row 23
        assert [u["row"] for u in chunked["unreadable_rows"]] == [23]
        assert chunked["lines_rows"][0]["source_row"] == 4
