"""`--engine spark` on the inputs beyond a long CSV and Parquet, each equal to the one-process check:

- a wide claim layout (the real DE-SynPUF carrier sample: one row per claim, a line per filled HCPCS_CD_k),
  read by the reader's own column assignment on the workers: `check --no-annotate --format json`'s findings.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from rvucheck.batch.spark import SparkJob, run_spark
from rvucheck.cli.main import main
from rvucheck.settings import Settings

pytestmark = pytest.mark.spark
SETTINGS = Settings(today=dt.date(2026, 12, 7))


def _findings(out: Path) -> list[tuple[Any, ...]]:
    rows = pq.read_table(out / "findings").to_pylist()
    return sorted((r["source_sheet"], r["source_row"], r["rule_id"], r["message"]) for r in rows)


def test_a_wide_claim_layout_gives_the_one_process_findings(
    spark: Any, data_dir: Path, shared_cms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    synpuf = shared_cms.parent / "claims" / "desynpuf_carrier_claims_sample.csv"
    assert main(["--data-dir", str(data_dir), "check", str(synpuf), "--no-annotate", "--format", "json",
                 "--fail-on", "never"]) == 0  # fmt: skip
    single = json.loads(capsys.readouterr().out)
    expected = sorted(
        (line["sheet"], line["row"], f["rule"], f["message"])
        for line in single["lines"]
        for f in line["findings"]
    )
    summary = run_spark(SparkJob((str(synpuf),), tmp_path / "out", SETTINGS, data_dir, partitions=2), spark)
    assert len(single["lines"]) == summary["checked"] > len({line["row"] for line in single["lines"]})
    assert _findings(tmp_path / "out") == expected and expected
    assert summary["notes"] == [{k: n[k] for k in ("rule", "severity", "message")} for n in single["notes"]]
    assert summary["findings"] == single["summary"]["findings"]
    lines = pq.read_table(tmp_path / "out" / "lines").sort_by("line_id").to_pylist()
    assert [(r["source_row"], r["hcpcs"]) for r in lines] == [(x["row"], x["hcpcs"]) for x in single["lines"]]
