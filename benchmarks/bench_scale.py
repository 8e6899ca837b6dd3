"""Checking at scale: `--engine local` (patient buckets in a process pool) against one process, same input.

    python benchmarks/bench_scale.py [--lines 1000000] [--workers 2] [--repeat 1] [--data-dir DIR]
    python benchmarks/bench_scale.py --input c1m.xlsx --modes local --baseline-src /tmp/main-base/src
    python benchmarks/bench_scale.py --input m250k.ods --modes read,local --baseline-src /tmp/main-base/src

The input is a synthetic month (rvucheck.testing.synthetic) written once as Parquet (cached in the temp
folder), or `--input FILE` (any input of the local engine: a workbook, a CSV, 837P files; then `single` is
left out unless it is Parquet). `--baseline-src DIR` adds a run of each mode but `single` from another source
tree (`git archive main | tar -x -C DIR/..`), interleaved with this tree's: e.g. the driver's peak memory of a
workbook read by chunks against one read whole. Mode `read` is the local engine's driver reading alone
(`batch.local_input.open_source` and every batch taken, nothing checked): the reader's own peak and CPU.

Each measurement runs in a fresh subprocess, the two modes interleaved (single, local, single,
local ...), so both see the same machine load; figures are CPU seconds (the process's own plus its
children's, resource.getrusage), peak resident memory (the driver's and the largest worker's), and wall
time. Single process = the same Parquet reader, every line to ChargeLines, one engine run (no buckets).
Target (issue 14): local CPU per 1,000 lines <= 1.2x single; peak memory per worker <= 1 GB at 1M lines.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_input(lines: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"rvucheck-bench-scale-{lines}.parquet"
    if path.exists():
        return path
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from rvucheck.testing.synthetic.month import generate_month, write_csv

    csv = path.with_suffix(".csv")
    write_csv(generate_month(2026, 10, lines, seed=10), csv)
    table = pcsv.read_csv(csv, convert_options=pcsv.ConvertOptions(strings_can_be_null=True))
    pq.write_table(table, path)
    csv.unlink()
    return path


def measure(mode: str, path: Path, data_dir: str, workers: int) -> dict[str, float]:
    """One run in this process (called in a fresh subprocess): its CPU, memory and wall figures."""
    from rvucheck.session import Session

    session = Session.open(data_dir)
    start = time.perf_counter()
    if mode == "read":
        from rvucheck.batch.local_input import open_source

        source = open_source(path, session, None)
        count = sum(table.num_rows for table, _bad in source.batches)
        findings = 0
    elif mode == "single":
        import pyarrow as pa

        from rvucheck.batch.arrow_in import open_parquet
        from rvucheck.batch.contract import lines_of

        source = open_parquet(path)
        tables = [table for table, _bad in source.batches()]
        lines, _ = lines_of(pa.concat_tables(tables), source.layout)
        del tables
        findings = len(session.check(lines).findings)
        count = len(lines)
    else:
        from rvucheck.batch.local import LocalRequest, run_local

        out = Path(tempfile.mkdtemp(prefix="rvucheck-bench-out-"))
        request = LocalRequest(path, out, session, workers=workers, force=True)
        summary = run_local(request, lambda *_: None).summary
        findings = sum(summary["findings"].values())
        count = summary["lines"]
    wall = time.perf_counter() - start
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall": wall,
        "cpu": me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime,
        "driver_mb": me.ru_maxrss / 1024,
        "worker_mb": children.ru_maxrss / 1024,
        "findings": findings,
        "lines": count,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data-dir", default=os.environ.get("RVUCHECK_DATA", str(REPO / ".rvucheck-data")))
    parser.add_argument("--input", type=Path, help="check this file instead of a synthetic month")
    parser.add_argument("--modes", default="single,local", help="single, local, read (comma separated)")
    parser.add_argument("--baseline-src", type=Path, help="run the modes (not single) from here too")
    parser.add_argument("--measure", choices=("single", "local", "read"), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, Path(args.path), args.data_dir, args.workers)))
        return 0
    path = args.input or make_input(args.lines)
    modes = [mode for mode in args.modes.split(",") if mode != "single" or path.suffix == ".parquet"]
    sources = {mode: str(REPO / "src") for mode in modes}
    for mode in modes:
        if args.baseline_src is not None and mode != "single":
            sources[f"{mode}@baseline"] = str(args.baseline_src.resolve())
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in sources}
    for _ in range(args.repeat):
        for mode, source in sources.items():  # interleaved: every mode sees the same load
            measured = mode.removesuffix("@baseline")
            command = [sys.executable, __file__, "--measure", measured, "--path", str(path),
                       "--data-dir", args.data_dir, "--workers", str(args.workers)]  # fmt: skip
            environment = {**os.environ, "PYTHONPATH": source}
            done = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
            runs[mode].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"{mode}: {runs[mode][-1]}  (load {Path('/proc/loadavg').read_text().split()[0]})")
    best = {mode: min(found, key=lambda r: r["cpu"]) for mode, found in runs.items()}
    lines = args.lines if args.input is None else best[next(iter(best))]["lines"]
    per_k = {mode: 1000 * r["cpu"] / lines for mode, r in best.items()}
    for mode, r in best.items():
        print(
            f"{mode:<14} CPU {r['cpu']:7.1f} s ({per_k[mode]:.3f} s per 1,000 lines)  "
            f"wall {r['wall']:7.1f} s  "
            f"driver {r['driver_mb']:6.0f} MB  largest worker {r['worker_mb']:6.0f} MB  "
            f"findings {r['findings']:,.0f}"
        )
    for mode in modes:
        if f"{mode}@baseline" in best:
            base, mine = best[f"{mode}@baseline"], best[mode]
            peak, base_peak = mine["driver_mb"], base["driver_mb"]
            print(
                f"{mode}: driver peak {peak:,.0f} MB against {base_peak:,.0f} MB from the baseline "
                f"({peak / base_peak:.2f}x), CPU {mine['cpu'] / base['cpu']:.2f}x"
            )
    if "single" not in per_k or "local" not in per_k:
        return 0
    ratio = per_k["local"] / per_k["single"]
    print(f"local/single CPU ratio {ratio:.2f} (target <= 1.2), workers {args.workers}")
    hourly = 16 * 3600 / per_k["local"] / 1000  # million lines an hour on 16 cores, every core busy
    print(
        f"by arithmetic from the measured local CPU cost ({per_k['local']:.3f} s per 1,000 lines): "
        f"16 cores would check about {hourly:,.0f} million lines an hour"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
