"""Speed and memory of `rvucheck check` on a large synthetic month, against openpyxl's own load + save.

    python benchmarks/bench_check.py [--lines 100000] [--repeat 1] [--data-dir DIR]

Targets (issue 4): end to end (read, check, annotate, write) <= 1.3x openpyxl load+save of the same file;
peak memory <= 1 GB; --no-annotate >= 4x faster than end to end. Each measurement runs in its own
subprocess (wall time, and peak RSS from getrusage in that process), baseline first, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = """
import gc, resource, sys, openpyxl
if len(sys.argv) > 3:
    gc.disable()  # informational variant: openpyxl with the collector paused, as rvucheck runs it
wb = openpyxl.load_workbook(sys.argv[1])
wb.save(sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
CHECK = """
import resource, sys
from rvucheck.cli import main
code = main(sys.argv[1:])
# peak RSS of this process and of its worker (read + check run in a forked worker for large files;
# the worker has exited before this process loads the workbook, so the peaks do not overlap)
usage = resource.getrusage
print(usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(0 if code in (0, 1) else code)
"""


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak MB) of one subprocess: the largest ru_maxrss (KB) of the process or its worker,
    printed by the script as its last line."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args[:3])}...\n{done.stderr[-2000:]}")
    stream = done.stdout if args[1] == BASELINE else done.stderr
    peak_kb = max(int(value) for value in stream.strip().splitlines()[-1].split())
    return seconds, peak_kb / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data-dir", default=os.environ.get("RVUCHECK_DATA"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()

    from rvucheck.synthetic import generate_month, write_xlsx

    env = dict(os.environ)
    if options.data_dir:
        env["RVUCHECK_DATA"] = str(options.data_dir)
    with tempfile.TemporaryDirectory(prefix="rvucheck-bench-") as folder:
        source = Path(folder) / "charges-100k.xlsx"
        started = time.perf_counter()
        lines = generate_month(2026, 10, options.lines, seed=4)
        write_xlsx(lines, source, 2026, 10, constant_memory=True)
        print(
            f"generated {len(lines):,} lines, {source.stat().st_size / 1e6:.1f} MB "
            f"in {time.perf_counter() - started:.1f}s",
            file=sys.stderr,
        )
        rows: dict[str, list[tuple[float, float]]] = {
            "baseline": [],
            "baseline_gc_paused": [],
            "annotate": [],
            "no_annotate": [],
        }
        for _ in range(options.repeat):
            rows["baseline"].append(
                measure(["-c", BASELINE, str(source), str(Path(folder) / "base.xlsx")], env)
            )
            rows["baseline_gc_paused"].append(
                measure(["-c", BASELINE, str(source), str(Path(folder) / "base2.xlsx"), "gc-off"], env)
            )
            out = Path(folder) / "out.rvucheck.xlsx"
            rows["annotate"].append(
                measure(
                    [
                        "-c",
                        CHECK,
                        "check",
                        str(source),
                        "--out",
                        str(out),
                        "--force",
                        "--fail-on",
                        "never",
                    ],
                    env,
                )
            )
            rows["no_annotate"].append(
                measure(
                    [
                        "-c",
                        CHECK,
                        "check",
                        str(source),
                        "--no-annotate",
                        "--format",
                        "json",
                        "--fail-on",
                        "never",
                    ],
                    env,
                )
            )
    best = {name: min(values) for name, values in rows.items()}
    figures = {
        "lines": options.lines,
        "baseline_s": round(best["baseline"][0], 2),
        "baseline_peak_mb": round(best["baseline"][1]),
        "baseline_gc_paused_s": round(best["baseline_gc_paused"][0], 2),
        "annotate_s": round(best["annotate"][0], 2),
        "annotate_peak_mb": round(best["annotate"][1]),
        "no_annotate_s": round(best["no_annotate"][0], 2),
        "no_annotate_peak_mb": round(best["no_annotate"][1]),
    }
    figures["annotate_vs_baseline"] = round(figures["annotate_s"] / figures["baseline_s"], 2)
    figures["annotate_vs_baseline_gc_paused"] = round(
        figures["annotate_s"] / figures["baseline_gc_paused_s"], 2
    )
    figures["annotate_vs_no_annotate"] = round(figures["annotate_s"] / figures["no_annotate_s"], 2)
    if options.json:
        print(json.dumps(figures, indent=1))
    else:
        print(
            f"openpyxl load+save       {figures['baseline_s']:>7.2f} s  {figures['baseline_peak_mb']:>5} MB"
        )
        print(
            f"openpyxl, GC paused      {figures['baseline_gc_paused_s']:>7.2f} s        (reference: rvucheck "
            f"pauses the collector too; end to end is {figures['annotate_vs_baseline_gc_paused']}x this)"
        )
        print(
            f"rvucheck check           {figures['annotate_s']:>7.2f} s  {figures['annotate_peak_mb']:>5} MB"
            f"  = {figures['annotate_vs_baseline']}x baseline (target <= 1.3), peak target <= 1024 MB"
        )
        print(
            f"rvucheck --no-annotate   {figures['no_annotate_s']:>7.2f} s  "
            f"{figures['no_annotate_peak_mb']:>5} MB"
            f"  end to end is {figures['annotate_vs_no_annotate']}x this (target >= 4)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
