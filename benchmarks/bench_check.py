"""Speed and memory of `rvucheck check` on a large synthetic month, against baselines in the same run.

    python benchmarks/bench_check.py [--lines 100000] [--repeat 3] [--only report] [--ratios] [--json]
                                     [--before /work/main/src] [--scale 1000000 [--scale-file F]]

`--scale` with `--before`: both trees at both sizes, interleaved, and each tree's time per line at the
two sizes (issue 13: linear, the same at both).

Baselines, measured in the same run as what they judge (never a figure from another day or machine):
- openpyxl's own load + append 8 columns + save of the same file, for the annotated copy (issue 13:
  <= 0.25x, peak <= 400 MB at 100,000 lines and <= 1.5 GB at 1,000,000; `--annotate-only` runs the copy
  alone, for sizes where the baselines would take too long); load + save alone is shown for reference;
- a bare calamine read of the same sheet (open, parse, to Python lists: what any reader must do), for the
  report-only path `--no-annotate --format json` (issue 13: <= 3x, 5.7x before it).

Each measurement runs in its own subprocess: wall time, CPU time (user + system of the process and its
worker: steadier than wall time on a machine shared with other jobs; the report-only path's forked children,
which validate the file and share the rules and the JSON's lines on the second core from 20,000 lines when
one is spare, are its workers), and peak memory of the process and its worker together (the sum of their
PSS, sampled every 20 ms: pages the fork left shared counted once; the sum of their RSS, which counts those
twice, is in the JSON as *_rss_sum_mb). Runs are
interleaved (every variant once, then again) and each figure is the median of `--repeat` runs. `--ratios`
prints every ratio, wall and CPU.
`--before SRC`: rvucheck's runs are repeated with another source tree first on PYTHONPATH (e.g. the main
branch), interleaved with these, for before/after figures from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Each script prints its peak RSS (KB) as the last line on stderr.
OPENPYXL = """
import gc, resource, sys, openpyxl
if len(sys.argv) > 3:
    gc.disable()  # informational variant: openpyxl with the collector paused, as rvucheck runs it
wb = openpyxl.load_workbook(sys.argv[1])
wb.save(sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""
CALAMINE = """
import resource, sys
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(sys.argv[1])
rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
print(len(rows), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
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
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""
CHECK = """
import os, resource, sys
from rvucheck.cli.main import main
code = main(sys.argv[1:])
# peak RSS of this process and of its worker (read + check run in a forked worker for large files while
# this process loads the workbook); the benchmark also samples the sum of both while they run
usage = resource.getrusage
print(usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.stdout.flush()
sys.stderr.flush()
# the command line ends the same way once its outputs are written (cli.main._exit_now): no teardown
os._exit(0 if code in (0, 1) else code)
"""
TARGETS = ("annotate_vs_openpyxl_append", "report_vs_calamine")
GROUPS = {
    "copy": ("openpyxl_append", "openpyxl", "openpyxl_gc_paused", "annotate"),
    "report": ("calamine", "report"),
}


def _tree_kb(pid: int, pss_above: int = -1) -> tuple[int, int]:
    """(resident, proportional) memory in KB of a process and all its descendants, read from /proc (Linux).
    Resident (RSS) counts the pages a forked worker still shares with its parent twice; proportional (PSS)
    splits each shared page among the processes that map it, so its sum is what the machine holds. PSS
    (smaps_rollup walks the page tables: costly every 20 ms) is read only when the RSS sum, its upper
    bound, exceeds `pss_above`; else it is given as 0."""
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
            pids.append(current)
        except (OSError, ValueError):
            continue  # the process ended between two reads
    rss = sum(_field_kb(f"/proc/{p}/status", "VmRSS") for p in pids)
    pss = sum(_field_kb(f"/proc/{p}/smaps_rollup", "Pss") for p in pids) if rss > pss_above else 0
    return rss, pss


def _field_kb(path: str, name: str) -> int:
    try:
        text = Path(path).read_text()
    except OSError:
        return 0  # the process ended
    start = text.find(f"\n{name}:")
    return int(text[start:].split()[1]) if start != -1 else 0


def measure(args: list[str], env: dict[str, str], src: str | None = None) -> tuple[float, ...]:
    """(wall seconds, CPU seconds, peak MB, peak RSS-sum MB) of one subprocess. The peak is the largest
    sum of proportional memory (PSS) over the process and its worker, sampled every 20 ms: what the machine
    holds for them. For large files the worker reads and checks while the main process waits, and hands
    its results over before it exits, so both live at once; summing their resident sizes (RSS) counts twice
    every page the fork left shared, and the larger process's own maximum (getrusage, a floor for what
    sampling could miss) leaves out the other."""
    if src is not None:
        env = {**env, "PYTHONPATH": os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        # files, not pipes: a child printing megabytes of JSON would block on a full pipe while we sample
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, *args], stdout=out, stderr=err, text=True, env=env)
        peak_kb = rss_kb = 0
        while process.poll() is None:
            rss, pss = _tree_kb(process.pid, pss_above=peak_kb)
            peak_kb, rss_kb = max(peak_kb, pss), max(rss_kb, rss)
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args[:3])}...\n{stderr[-2000:]}")
    # getrusage's own figure (largest single process) as a floor for what sampling could miss
    reported_kb = max(int(value) for value in stderr.strip().splitlines()[-1].split())
    return seconds, cpu, max(peak_kb, reported_kb) / 1024, max(rss_kb, reported_kb) / 1024


def commands(source: Path, folder: Path) -> dict[str, list[str]]:
    out = folder / "out.rvucheck.xlsx"
    return {
        "openpyxl": ["-c", OPENPYXL, str(source), str(folder / "base.xlsx")],
        "openpyxl_gc_paused": ["-c", OPENPYXL, str(source), str(folder / "base2.xlsx"), "gc-off"],
        "openpyxl_append": ["-c", BASELINE_APPEND, str(source), str(folder / "base3.xlsx")],
        "annotate": ["-c", CHECK, "check", str(source), "--out", str(out), "--force", "--fail-on", "never"],
        "calamine": ["-c", CALAMINE, str(source)],
        "report": [
            *("-c", CHECK, "check", str(source)),
            *("--no-annotate", "--format", "json", "--fail-on", "never"),
        ],
    }


def figures_of(runs: dict[str, list[tuple[float, ...]]], lines: int) -> dict[str, float]:
    """Medians per variant, and the ratios of each variant to its baseline."""
    figures: dict[str, float] = {"lines": lines, "runs": min(len(v) for v in runs.values())}
    for name, values in runs.items():
        figures[f"{name}_s"] = round(statistics.median(v[0] for v in values), 2)
        figures[f"{name}_cpu_s"] = round(statistics.median(v[1] for v in values), 2)
        figures[f"{name}_peak_mb"] = round(statistics.median(v[2] for v in values))
        figures[f"{name}_rss_sum_mb"] = round(statistics.median(v[3] for v in values))
    pairs = (
        ("annotate_vs_openpyxl_append", "annotate", "openpyxl_append"),
        ("annotate_vs_openpyxl", "annotate", "openpyxl"),
        ("annotate_vs_openpyxl_gc_paused", "annotate", "openpyxl_gc_paused"),
        ("annotate_vs_report", "annotate", "report"),
        ("report_vs_calamine", "report", "calamine"),
        ("annotate_vs_before", "annotate", "annotate_before"),
        ("annotate_large_vs_before", "annotate_large", "annotate_large_before"),
        ("report_vs_before", "report", "report_before"),
        ("report_before_vs_calamine", "report_before", "calamine"),
    )
    for label, over, under in pairs:
        if over in runs and under in runs:
            figures[label] = round(figures[f"{over}_s"] / figures[f"{under}_s"], 2)
            figures[f"{label}_cpu"] = round(figures[f"{over}_cpu_s"] / figures[f"{under}_cpu_s"], 2)
    return figures


def print_figures(figures: dict[str, float], ratios: bool) -> None:
    names = {
        "openpyxl": "openpyxl load+save",
        "openpyxl_gc_paused": "openpyxl, GC paused",
        "openpyxl_append": "openpyxl load+append+save",
        "annotate": "rvucheck check (copy)",
        "calamine": "calamine bare read",
        "report": "rvucheck --no-annotate --format json",
        "annotate_before": "rvucheck check (copy), --before",
        "report_before": "rvucheck --no-annotate ..., --before",
        "annotate_large": "rvucheck check (copy), --scale file",
        "annotate_large_before": "rvucheck check (copy), --scale file, --before",
    }
    print(f"{figures['lines']:,} lines, medians of {figures['runs']} interleaved runs (wall, CPU, peak)")
    for name, title in names.items():
        if f"{name}_s" in figures:
            print(
                f"  {title:<46} {figures[f'{name}_s']:>7.2f} s  {figures[f'{name}_cpu_s']:>7.2f} s CPU  "
                f"{figures[f'{name}_peak_mb']:>5} MB"
            )
    targets = {
        "annotate_vs_openpyxl_append": "copy vs openpyxl load+append+save (issue 13 <= 0.25)",
        "annotate_vs_openpyxl": "copy vs openpyxl load+save (issue 4 <= 1.3)",
        "report_vs_calamine": "report-only vs bare calamine read (issue 13 <= 3)",
        "annotate_vs_openpyxl_gc_paused": "copy vs openpyxl with the collector paused",
        "annotate_vs_report": "copy vs report-only (issue 4 >= 4)",
        "report_vs_before": "report-only vs report-only --before",
        "report_before_vs_calamine": "report-only --before vs bare calamine read",
        "annotate_vs_before": "copy vs copy --before",
        "annotate_large_vs_before": "copy of the --scale file vs the same --before",
    }
    shown = targets if ratios else {k: v for k, v in targets.items() if k in TARGETS}
    for label, title in shown.items():
        if label in figures:
            print(f"  {title:<66} {figures[label]:>5.2f}x wall  {figures[f'{label}_cpu']:>5.2f}x CPU")
    if "annotate_peak_mb" in figures:
        peak = figures["annotate_peak_mb"]
        print(f"  annotated copy peak {peak} MB (issue 13: <= 400 MB at 100k lines, 1.5 GB at 1M)")
    if "scale_lines" in figures:
        print(
            f"  {figures['scale_lines']:,} lines annotated: {figures['annotate_large_s']:.2f} s, "
            f"{figures['annotate_large_cpu_s']:.2f} s CPU, peak {figures['annotate_large_peak_mb']} MB "
            "(issue 13: <= 1.5 GB at 1,000,000)"
        )
        for tree, title in (("", "per line"), ("_before", "per line, --before")):
            if f"linearity{tree}" not in figures:
                continue
            wall, cpu = figures[f"linearity{tree}"], figures[f"linearity{tree}_cpu"]
            small, big = (figures[f"{name}{tree}_us_per_line"] for name in ("annotate", "annotate_large"))
            small_cpu, big_cpu = (
                figures[f"{name}{tree}_cpu_us_per_line"] for name in ("annotate", "annotate_large")
            )
            print(
                f"  {title}: {small} us ({small_cpu} CPU) at {figures['lines']:,} vs {big} us "
                f"({big_cpu} CPU) at {figures['scale_lines']:,}: {wall:.2f}x wall, {cpu:.2f}x CPU "
                "(1.00 is linear)"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant; medians are shown")
    parser.add_argument("--only", choices=sorted(GROUPS), help="only the copy or only the report-only path")
    parser.add_argument("--ratios", action="store_true", help="print every ratio (wall and CPU)")
    parser.add_argument("--file", type=Path, help="an existing workbook instead of a generated month")
    parser.add_argument("--before", help="another rvucheck source tree to measure too (e.g. main's src)")
    parser.add_argument("--data-dir", default=os.environ.get("RVUCHECK_DATA"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--annotate-only", action="store_true", help="only the annotated copy (1,000,000 lines: no baseline)"
    )
    parser.add_argument(
        "--scale", type=int, metavar="LINES",
        help="also the annotated copy of a month this long (e.g. 1000000), interleaved with --lines': time "
        "per line at both sizes (linear: the same) and the peak (issue 13: <= 1.5 GB at 1,000,000)",
    )  # fmt: skip
    parser.add_argument("--scale-file", type=Path, help="an existing workbook of --scale lines")
    options = parser.parse_args()

    env = dict(os.environ)
    if options.data_dir:
        env["RVUCHECK_DATA"] = str(options.data_dir)
    wanted = [name for group, names in GROUPS.items() if options.only in (None, group) for name in names]
    if options.annotate_only:
        wanted = ["annotate"]
    with tempfile.TemporaryDirectory(prefix="rvucheck-bench-") as folder:
        source = options.file or _generate(Path(folder) / "charges-100k.xlsx", options.lines)
        every = commands(source, Path(folder))
        todo = {name: (every[name], None) for name in wanted}
        if options.before:
            todo.update(
                {f"{n}_before": (every[n], options.before) for n in ("annotate", "report") if n in wanted}
            )
        if options.scale:
            large = options.scale_file or _generate(Path(folder) / "charges-large.xlsx", options.scale)
            todo["annotate_large"] = (commands(large, Path(folder))["annotate"], None)
            if "annotate" not in todo:
                todo["annotate"] = (every["annotate"], None)
            if options.before:  # both sizes with the other tree too: its time per line, in the same run
                todo["annotate_large_before"] = (commands(large, Path(folder))["annotate"], options.before)
                todo.setdefault("annotate_before", (every["annotate"], options.before))
        runs: dict[str, list[tuple[float, ...]]] = {name: [] for name in todo}
        for _ in range(options.repeat):
            for name, (args, src) in todo.items():  # interleaved: a burst of load hits every variant alike
                runs[name].append(measure(args, env, src))
    figures = figures_of(runs, options.lines)
    if options.scale:
        figures.update(_per_line(figures, options.lines, options.scale))
        if options.before:
            figures.update(_per_line(figures, options.lines, options.scale, "_before"))
    if options.json:
        print(json.dumps(figures, indent=1))
    else:
        print_figures(figures, options.ratios)
    return 0


def _per_line(figures: dict[str, float], lines: int, large: int, tree: str = "") -> dict[str, float]:
    """Microseconds per line of the copy at both sizes (wall and CPU) and their ratio: 1.0 is linear.
    `tree`: "_before" for the --before tree's runs."""
    small, big = f"annotate{tree}", f"annotate_large{tree}"
    per = {
        "scale_lines": large,
        f"{small}_us_per_line": round(figures[f"{small}_s"] / lines * 1e6, 1),
        f"{small}_cpu_us_per_line": round(figures[f"{small}_cpu_s"] / lines * 1e6, 1),
        f"{big}_us_per_line": round(figures[f"{big}_s"] / large * 1e6, 1),
        f"{big}_cpu_us_per_line": round(figures[f"{big}_cpu_s"] / large * 1e6, 1),
    }
    per[f"linearity{tree}"] = round(per[f"{big}_us_per_line"] / per[f"{small}_us_per_line"], 2)
    per[f"linearity{tree}_cpu"] = round(per[f"{big}_cpu_us_per_line"] / per[f"{small}_cpu_us_per_line"], 2)
    return per


def _generate(source: Path, count: int) -> Path:
    from rvucheck.testing.synthetic.month import generate_month, write_xlsx

    started = time.perf_counter()
    lines = generate_month(2026, 10, count, seed=4)
    write_xlsx(lines, source, 2026, 10, constant_memory=True)
    print(
        f"generated {len(lines):,} lines, {source.stat().st_size / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    return source


if __name__ == "__main__":
    sys.exit(main())
