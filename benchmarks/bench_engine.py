"""Speed of the rules engine alone: the full rule catalog over a realistic synthetic month.

    python benchmarks/bench_engine.py [--lines 100000] [--history 0] [--repeat 3] [--data-dir DIR] [--profile]

Target (issue 3): >= 50,000 lines/s on one core, with and without the NCCI PTP rules (the engine is
single-threaded; CPU time is the one-core figure on a shared machine, wall time is printed beside it).
Lines come from rvucheck.testing.synthetic.month (a practice month with ~9% coding
problems) and are turned into
ChargeLines before timing, so only `engine.run` is measured. Reference data is opened and warmed once (its
own caches are the refdata's business); every timed run builds the engine's per-run caches from scratch.
Baseline in the same run: pricing only (an empty ruleset), so the cost of the rules themselves is visible.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

from rvucheck.engine import runner as engine
from rvucheck.model import CellRef, ChargeLine
from rvucheck.refdata import open_reference
from rvucheck.rules.ruleset import Ruleset, load_all, select_rules
from rvucheck.settings import Settings
from rvucheck.testing.synthetic.month import as_charge_line, generate_month

REPO = Path(__file__).resolve().parents[1]


def charge_lines(year: int, month: int, count: int, seed: int, sheet: str) -> list[ChargeLine]:
    synthetic = generate_month(year, month, count, seed=seed)
    return [as_charge_line(s, CellRef(sheet, row)) for row, s in enumerate(synthetic, start=2)]


def timed(
    label: str,
    lines: list[ChargeLine],
    history: list[ChargeLine],
    ref: object,
    ruleset: Ruleset,
    settings: Settings,
    repeat: int,
) -> tuple[float, engine.Report]:
    best = best_cpu = float("inf")
    report = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        report = engine.run(lines, ref, ruleset, settings, history=history)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    assert report is not None
    print(
        f"{label:<40} wall {best:6.3f} s {len(lines) / best:>9,.0f} lines/s | "
        f"CPU {best_cpu:6.3f} s {len(lines) / best_cpu:>9,.0f} lines/s  ({len(ruleset)} rules)"
    )
    return best_cpu, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=0, help="lines of the previous month given as history")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=REPO / ".rvucheck-data")
    parser.add_argument("--profile", action="store_true", help="cProfile one full-catalog run")
    args = parser.parse_args()

    start = time.perf_counter()
    lines = charge_lines(2026, 7, args.lines, seed=7, sheet="Charges")
    history = charge_lines(2026, 6, args.history, seed=6, sheet="History") if args.history else []
    print(
        f"generated {len(lines):,} lines (+{len(history):,} history) in {time.perf_counter() - start:.1f} s"
    )
    ref = open_reference(args.data_dir)
    settings = Settings(today=dt.date(2026, 12, 31), locality="01112-05")
    rules = load_all()
    full = Ruleset(tuple(rules))
    without_ptp = select_rules(rules, Settings(ignore=("NC01", "NC02")))

    start = time.perf_counter()
    engine.run(lines, ref, full, settings, history=history)  # type: ignore[arg-type]
    print(f"{'cold first run (refdata caches filling)':<44} {time.perf_counter() - start:7.3f} s")
    timed("baseline: pricing only, no rules", lines, history, ref, Ruleset(()), settings, args.repeat)
    timed("catalog without NCCI PTP (NC01, NC02)", lines, history, ref, without_ptp, settings, args.repeat)
    _, report = timed("full catalog, with NCCI PTP", lines, history, ref, full, settings, args.repeat)

    by_rule = Counter(f.rule for f in report.findings)
    print(f"findings: {sum(by_rule.values()):,}; by rule: {dict(sorted(by_rule.items()))}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        engine.run(lines, ref, full, settings, history=history)  # type: ignore[arg-type]
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
