"""`--engine spark` on Spark local[2] vs one process: CPU seconds per 1,000 lines, start-up apart.

    python benchmarks/bench_spark.py [--lines 100000] [--rounds 2] [--partitions 4]
                                     [--work /tmp/rvucheck-bench-spark] [--data-dir .rvucheck-data]

Run by hand (the target, from issue 14: Spark local <= 2x the single process after start-up). One synthetic
month (rvucheck.testing.synthetic.month) is written as CSV once. Figures, in CPU seconds (user + system),
which a machine shared with other work disturbs less than wall time:
- single process: read_charges + engine.run of the CSV in this process (time.process_time);
- Spark start-up: the session's start (driver JVM) and a first small job that starts the Python workers and
  copies the store (SparkContext.addFile), measured apart and not counted in the per-line figure;
- Spark run: run_spark of the CSV (read, number, bucket, repartition, check, write Parquet, summary), as the
  CPU of this process and every process under it (the driver JVM and its Python workers, read from /proc).
The two are measured in turns (single, spark, single, spark ...) so that load hits both alike; the best round
of each is kept. The ratio is Spark's CPU per 1,000 lines over the single process's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from rvucheck.batch.spark import SparkJob, run_spark
from rvucheck.batch.spark_session import spark_session
from rvucheck.session import Session
from rvucheck.testing.synthetic.month import generate_month, write_csv

TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int | None = None) -> float:
    """CPU seconds (user + system) of `root` (default: this process) and all its descendants, living ones
    from /proc/<pid>/stat and finished ones that were waited for (cutime/cstime of their parent)."""
    root = root or os.getpid()
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        parent = int(fields[1])
        cpu = sum(int(value) for value in fields[11:15]) / TICKS  # utime stime cutime cstime
        stats[int(entry)] = (parent, cpu)
    total = 0.0
    for pid, (_parent, cpu) in stats.items():
        walk = pid
        while walk in stats and walk != root:
            walk = stats[walk][0]
        if walk == root:
            total += cpu
    return total


def single(csv: Path, data_dir: Path) -> float:
    session = Session.open(data_dir)
    session.reference  # noqa: B018 - opened before the clock starts, as Spark's start-up is apart
    start = time.process_time()
    read = session.read(csv)
    session.check(read.lines, read.unreadable)
    return time.process_time() - start


def spark_run(spark: object, csv: Path, out: Path, data_dir: Path, partitions: int) -> tuple[float, float]:
    shutil.rmtree(out, ignore_errors=True)
    cpu, wall = tree_cpu(), time.perf_counter()
    run_spark(SparkJob((str(csv),), out, data_dir=data_dir, partitions=partitions), spark)  # type: ignore[arg-type]
    return tree_cpu() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rvucheck-bench-spark"))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("RVUCHECK_DATA", ".rvucheck-data"))
    )
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    csv = args.work / f"charges-{args.lines}.csv"
    if not csv.exists():
        write_csv(generate_month(2026, 10, args.lines, seed=14), csv)
    small = args.work / "charges-200.csv"
    if not small.exists():
        write_csv(generate_month(2026, 10, 200, seed=15), small)

    cpu, wall = tree_cpu(), time.perf_counter()
    spark = spark_session("local[2]", args.work / "logs")
    started_cpu, started_wall = tree_cpu() - cpu, time.perf_counter() - wall
    first_cpu, first_wall = spark_run(spark, small, args.work / "out-small", args.data_dir, args.partitions)
    print(f"Spark start-up: session {started_cpu:.1f} s CPU ({started_wall:.1f} s wall); first 200-line job "
          f"(Python workers, store copied) {first_cpu:.1f} s CPU ({first_wall:.1f} s wall)")  # fmt: skip

    singles, sparks = [], []
    for round_number in range(1, args.rounds + 1):
        singles.append(single(csv, args.data_dir))
        sparks.append(spark_run(spark, csv, args.work / "out", args.data_dir, args.partitions))
        print(f"round {round_number}: single {singles[-1]:.2f} s CPU; spark {sparks[-1][0]:.2f} s CPU "
              f"({sparks[-1][1]:.1f} s wall)")  # fmt: skip
        sys.stdout.flush()
    one = min(singles) / args.lines * 1000
    best = min(cpu for cpu, _wall in sparks) / args.lines * 1000
    print(f"{args.lines:,} lines, {args.partitions} partitions, best of {args.rounds}:")
    print(f"  single process  {one:.4f} s CPU per 1,000 lines")
    print(f"  Spark local[2]  {best:.4f} s CPU per 1,000 lines (after start-up)")
    print(f"  ratio           {best / one:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
