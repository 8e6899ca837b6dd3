"""Speed and memory of `rvucheck check` on a large synthetic month, against openpyxl's own load + save.

    python benchmarks/bench_check.py [--lines 100000] [--repeat 1] [--data-dir DIR]

Targets (issue 13): the annotated copy (end to end: read, check, streamed copy) <= 0.25x openpyxl's load +
append 8 columns + save of the same file; peak memory <= 400 MB at 100,000 lines, <= 1.5 GB at 1,000,000.
(Issue 4's were <= 1.3x openpyxl load+save, peak <= 1 GB.) Each measurement runs in its own
subprocess (wall time, and peak resident memory of the process and its worker together, sampled every
20 ms), baseline first, in the same run.
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
BASELINE_APPEND = """
import resource, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb[wb.sheetnames[0]]
first = ws.max_column + 1
values = (1.25, 1.25, 2.5, 95.19, "XXX", "A", "warning", "MU01: 2 units over MUE 1")
for row in range(1, ws.max_row + 1):  # 8 result columns, as the annotated copy appends
    for offset, value in enumerate(values):
        ws.cell(row=row, column=first + offset, value=value)
wb.save(sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
CHECK = """
import resource, sys
from rvucheck.cli.main import main
code = main(sys.argv[1:])
# peak RSS of this process and of its worker (read + check run in a forked worker for large files while
# this process loads the workbook); the benchmark also samples the sum of both while they run
usage = resource.getrusage
print(usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(0 if code in (0, 1) else code)
"""


def _tree_rss_kb(pid: int) -> int:
    """Resident memory (KB) of a process and all its descendants, read from /proc (Linux)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue  # the process ended between two reads
    return total


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak MB) of one subprocess. The peak is the largest sum of resident memory over the process
    and its worker, sampled every 20 ms: for large files the worker reads and checks while the main process
    loads the workbook, so the two peaks can overlap and each process's own maximum would understate it."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        # files, not pipes: a child printing megabytes of JSON would block on a full pipe while we sample
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, *args], stdout=out, stderr=err, text=True, env=env)
        peak_kb = 0
        while process.poll() is None:
            peak_kb = max(peak_kb, _tree_rss_kb(process.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args[:3])}...\n{stderr[-2000:]}")
    stream = stdout if args[1] in (BASELINE, BASELINE_APPEND) else stderr
    # getrusage's own figure (largest single process) as a floor for what sampling could miss
    reported_kb = max(int(value) for value in stream.strip().splitlines()[-1].split())
    return seconds, max(peak_kb, reported_kb) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data-dir", default=os.environ.get("RVUCHECK_DATA"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--annotate-only", action="store_true", help="only the annotated copy (1,000,000 lines: no baseline)"
    )
    options = parser.parse_args()

    from rvucheck.testing.synthetic.month import generate_month, write_xlsx

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
            "baseline_append": [],
            "annotate": [],
            "no_annotate": [],
        }
        for _ in range(options.repeat):
            out = Path(folder) / "out.rvucheck.xlsx"
            command = ["-c", CHECK, "check", str(source), "--out", str(out), "--force", "--fail-on", "never"]
            if options.annotate_only:
                seconds, peak = measure(command, env)
                print(json.dumps({"lines": options.lines, "annotate_s": round(seconds, 2),
                                  "annotate_peak_mb": round(peak)}))  # fmt: skip
                continue
            rows["baseline"].append(
                measure(["-c", BASELINE, str(source), str(Path(folder) / "base.xlsx")], env)
            )
            rows["baseline_gc_paused"].append(
                measure(["-c", BASELINE, str(source), str(Path(folder) / "base2.xlsx"), "gc-off"], env)
            )
            rows["baseline_append"].append(
                measure(["-c", BASELINE_APPEND, str(source), str(Path(folder) / "base3.xlsx")], env)
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
    if options.annotate_only:
        return 0
    best = {name: min(values) for name, values in rows.items()}
    figures = {
        "lines": options.lines,
        "baseline_s": round(best["baseline"][0], 2),
        "baseline_peak_mb": round(best["baseline"][1]),
        "baseline_gc_paused_s": round(best["baseline_gc_paused"][0], 2),
        "baseline_append_s": round(best["baseline_append"][0], 2),
        "baseline_append_peak_mb": round(best["baseline_append"][1]),
        "annotate_s": round(best["annotate"][0], 2),
        "annotate_peak_mb": round(best["annotate"][1]),
        "no_annotate_s": round(best["no_annotate"][0], 2),
        "no_annotate_peak_mb": round(best["no_annotate"][1]),
    }
    figures["annotate_vs_baseline"] = round(figures["annotate_s"] / figures["baseline_s"], 2)
    figures["annotate_vs_baseline_gc_paused"] = round(
        figures["annotate_s"] / figures["baseline_gc_paused_s"], 2
    )
    figures["annotate_vs_baseline_append"] = round(figures["annotate_s"] / figures["baseline_append_s"], 3)
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
            f"openpyxl load+append+save {figures['baseline_append_s']:>6.2f} s  "
            f"{figures['baseline_append_peak_mb']:>5} MB"
        )
        print(
            f"rvucheck check           {figures['annotate_s']:>7.2f} s  {figures['annotate_peak_mb']:>5} MB"
            f"  = {figures['annotate_vs_baseline_append']}x load+append+save (target <= 0.25), "
            f"peak target <= 400 MB (1.5 GB at 1,000,000 lines)"
        )
        print(
            f"rvucheck --no-annotate   {figures['no_annotate_s']:>7.2f} s  "
            f"{figures['no_annotate_peak_mb']:>5} MB"
            f"  end to end is {figures['annotate_vs_no_annotate']}x this (target >= 4)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
