"""Findings do not depend on Python's string hashing: a line bundled into two codes gets its NC02
findings in the same order under every PYTHONHASHSEED (the PTP lookup once iterated a set of codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

VISIT = """Claim,Patient ID,DOS,Provider,CPT/HCPCS,Modifiers,Qty,ICD-10
C1,P1,10/02/2026,Dr A,99213,25,1,J45.909
C1,P1,10/02/2026,Dr A,93000,,1,I35.0
C1,P1,10/02/2026,Dr A,17110,,1,B07.8
C1,P1,10/02/2026,Dr A,11102,,1,L82.1
"""  # made-up visit: 93000 is bundled into both 17110 and 11102 by real 2024 PTP edits


def _nc02_partners(path: Path, seed: str, data_dir: Path) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "RVUCHECK_DATA": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "rvucheck.cli", str(path), "--no-annotate", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    line = next(x for x in json.loads(done.stdout)["lines"] if x["hcpcs"] == "93000")
    return [f["message"].split(" by ")[0] for f in line["findings"] if f["rule"] == "NC02"]


def test_nc02_order_is_the_same_under_every_hash_seed(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "visit.csv"
    path.write_text(VISIT)
    orders = {tuple(_nc02_partners(path, seed, data_dir)) for seed in ("1", "2", "3", "4")}
    assert len(orders) == 1
    (order,) = orders
    assert sorted(order) == ["93000 is bundled into 11102 (row 5)", "93000 is bundled into 17110 (row 4)"]
