"""Streaming the by-Provider-and-Service PUF: rows/s and peak memory, a small and a 10x larger made-up file.

    python benchmarks/bench_puf.py [--rows 200000] [--factor 10]

The files are written by tests/fixtures/puf/generate_puf.py (CMS's layout, made-up values). Each measurement
runs in a fresh process so its peak RSS is its own. The baseline is the same process reading the same file
with csv.reader and doing nothing with the rows: the aggregator's cost is the difference. Memory is flat when
the peak RSS of the large file is about that of the small one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GENERATOR = REPO / "tests" / "fixtures" / "puf" / "generate_puf.py"

MEASURE = """
import csv, resource, sys, time
from pathlib import Path
path, mode = Path(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
if mode == "baseline":
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    keys = 0
else:
    from rvucheck.refdata.benchmarks.puf import aggregate
    totals = aggregate(path)
    rows, keys = totals.rows, len(totals.aggregates)
seconds = time.perf_counter() - start
print(rows, keys, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def measure(path: Path, mode: str) -> tuple[int, int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), mode], check=True, capture_output=True, text=True
    )
    rows, keys, seconds, rss = out.stdout.split()
    return int(rows), int(keys), float(seconds), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--factor", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-puf-") as tmp:
        for count in (args.rows, args.rows * args.factor):
            path = Path(tmp) / f"MUP_PHY_R25_P05_V10_D23_Prov_Svc_{count}.csv"
            start = time.perf_counter()
            subprocess.run([sys.executable, str(GENERATOR), str(path), "--rows", str(count)], check=True)
            size = path.stat().st_size / 1e6
            print(f"{count:,} rows, {size:,.0f} MB (generated in {time.perf_counter() - start:.0f} s)")
            for mode in ("baseline", "aggregate"):
                rows, keys, seconds, rss = measure(path, mode)
                print(
                    f"  {mode:9}: {rows / seconds:>9,.0f} rows/s, {seconds:6.1f} s, peak RSS {rss:6.0f} MB"
                    + (f", {keys:,} (provider type, HCPCS) aggregates" if keys else "")
                )
            path.unlink()


if __name__ == "__main__":
    main()
