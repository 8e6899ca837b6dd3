"""`--engine spark` on Spark local[2] vs one process: CPU seconds per 1,000 lines, start-up apart.

    python benchmarks/bench_spark.py [--lines 100000] [--rounds 3] [--warmup 2] [--partitions 4]
                                     [--input csv,parquet] [--work /tmp/rvucheck-bench-spark]
                                     [--data-dir .rvucheck-data]
    PYTHONPATH=/tmp/base/src python benchmarks/bench_spark.py ...   # the same figures of another tree
    python benchmarks/bench_spark.py --baseline-src /tmp/base/src --pairs 2 ...   # both trees, in turns

Run by hand (the target, from issue 14: Spark local <= 2x the single process after start-up). One synthetic
month (rvucheck.testing.synthetic.month) is written once as CSV and once as Parquet (the same cells, its
dates as dates and its units and charges as numbers, as a payer's table holds them); each input is measured
apart. Figures, in CPU seconds (user + system), which a machine shared with other work disturbs less than
wall time:
- single process: the same input read and checked in this process (time.process_time), as the CLI does it
  (the cyclic collector paused, as pipeline.check_file pauses it): a CSV by read_charges; a Parquet file as
  `--engine local` reads it (batch.arrow_in), its lines built by batch.contract.lines_of;
- Spark start-up: the session's start (driver JVM) and a first small job that starts the Python workers and
  copies the store (SparkContext.addFile), measured apart and not counted in the per-line figure;
- Spark warm-up: `--warmup` runs of each input before its measured rounds, reported and not counted. The
  JVM compiles Spark's, Arrow's and Parquet's code (its JIT compiler threads) as they get hot: on 200,000
  lines that cost ~2.4 s CPU in the first run after the first job, ~1.4 s in the second, ~0.8 s in the
  sixth, against ~2.9 s of the JVM's own work, so a run measured cold counts start-up as per-line cost; a
  cluster's job over millions of lines pays it once;
- Spark run: run_spark of the input (read, number, bucket, repartition, check, write Parquet, summary), as
  the CPU of this process and every process under it (the driver JVM and its Python workers, read from
  /proc), split into the JVM's and the Python workers', and the JVM's JIT compiler threads apart.
The two are measured in turns (single, spark, single, spark ...) so that load hits both alike; the best round
of each is kept. The ratio is Spark's CPU per 1,000 lines over the single process's. Another tree's figures:
this script with PYTHONPATH at that tree's src (the workers run the tree the driver imports), in turns with
this tree's runs: `--baseline-src DIR --pairs N` does that, running this script N times for each tree, one
tree after the other (each run in its own process and Spark session), and prints each run's figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from rvucheck.batch.spark import SparkJob, run_spark
from rvucheck.batch.spark_session import spark_session
from rvucheck.gc_pause import paused_gc
from rvucheck.session import Session
from rvucheck.testing.synthetic.month import generate_month, write_csv

TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int | None = None) -> dict[str, float]:
    """CPU seconds (user + system) of `root` (default: this process) and all its descendants, living ones
    from /proc/<pid>/stat and finished ones that were waited for (cutime/cstime of their parent), by kind:
    `java` (the driver JVM), `jit` (the JVM's compiler threads, part of `java`), `python` (this process and
    the Python workers) and `all`."""
    root = root or os.getpid()
    stats: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        name = text[text.index("(") + 1 : text.rindex(")")]
        cpu = sum(int(value) for value in fields[11:15]) / TICKS  # utime stime cutime cstime
        stats[int(entry)] = (int(fields[1]), name, cpu)
    total = {"java": 0.0, "jit": 0.0, "python": 0.0, "all": 0.0}
    for pid, (_parent, name, cpu) in stats.items():
        walk = pid
        while walk in stats and walk != root:
            walk = stats[walk][0]
        if walk == root:
            total["java" if name == "java" else "python"] += cpu
            total["all"] += cpu
            if name == "java":
                total["jit"] += jit_cpu(pid)
    return total


def jit_cpu(pid: int) -> float:
    """CPU seconds of a JVM's JIT compiler threads (C1 and C2 CompilerThread<n>, as /proc names them)."""
    total = 0.0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:  # the JVM ended meanwhile
        return total
    for task in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{task}/stat").read_text()
        except OSError:
            continue
        if "CompilerThre" in text[text.index("(") + 1 : text.rindex(")")]:
            fields = text[text.rindex(")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def single(path: Path, data_dir: Path) -> float:
    session = Session.open(data_dir)
    session.reference  # noqa: B018 - opened before the clock starts, as Spark's start-up is apart
    start = time.process_time()
    with paused_gc():
        if path.suffix == ".parquet":
            from rvucheck.batch.arrow_in import open_parquet
            from rvucheck.batch.contract import lines_of

            found = open_parquet(path)
            tables = [table for table, _unreadable in found.batches()]
            lines, _past = lines_of(pa.concat_tables(tables), found.layout)
            session.check(lines)
        else:
            read = session.read(path)
            session.check(read.lines, read.unreadable)
    return time.process_time() - start


def spark_run(spark: object, path: Path, out: Path, data_dir: Path, partitions: int) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    cpu, wall = tree_cpu(), time.perf_counter()
    run_spark(SparkJob((str(path),), out, data_dir=data_dir, partitions=partitions), spark)  # type: ignore[arg-type]
    after = tree_cpu()
    return {**{kind: after[kind] - cpu[kind] for kind in after}, "wall": time.perf_counter() - wall}


def write_parquet(csv: Path, path: Path) -> None:
    """The CSV's cells as a typed table: dates as dates, units and charges as numbers, the rest text."""
    names = pacsv.read_csv(csv).column_names
    table = pacsv.read_csv(
        csv, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    )
    for index, name in enumerate(names):
        column = table.column(name)
        if name in ("DOS", "Post Date"):
            column = pc.cast(pc.strptime(column, format="%m/%d/%Y", unit="s"), pa.date32())
        elif name in ("Qty", "Billed"):
            column = pc.cast(column, pa.float64())
        else:
            continue
        table = table.set_column(index, name, column)
    pq.write_table(table, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured Spark runs of each input first")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--input", default="csv,parquet", help="csv, parquet or both (csv,parquet)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/rvucheck-bench-spark"))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("RVUCHECK_DATA", ".rvucheck-data"))
    )
    parser.add_argument("--baseline-src", type=Path, help="another tree's src, run in turns with this one")
    parser.add_argument("--pairs", type=int, default=1, help="with --baseline-src: runs of each tree")
    args = parser.parse_args(argv)
    if args.baseline_src is not None:
        return in_turns(args, list(argv if argv is not None else sys.argv[1:]))
    args.work.mkdir(parents=True, exist_ok=True)
    csv = args.work / f"charges-{args.lines}.csv"
    if not csv.exists():
        write_csv(generate_month(2026, 10, args.lines, seed=14), csv)
    inputs = {"csv": csv, "parquet": csv.with_suffix(".parquet")}
    if "parquet" in args.input and not inputs["parquet"].exists():
        write_parquet(csv, inputs["parquet"])
    small = args.work / "charges-200.csv"
    if not small.exists():
        write_csv(generate_month(2026, 10, 200, seed=15), small)

    cpu, wall = tree_cpu()["all"], time.perf_counter()
    spark = spark_session("local[2]", args.work / "logs")
    started_cpu, started_wall = tree_cpu()["all"] - cpu, time.perf_counter() - wall
    first = spark_run(spark, small, args.work / "out-small", args.data_dir, args.partitions)
    print(
        f"Spark start-up: session {started_cpu:.1f} s CPU ({started_wall:.1f} s wall); first 200-line "
        f"job (Python workers, store copied) {first['all']:.1f} s CPU ({first['wall']:.1f} s wall)"
    )

    for kind in args.input.split(","):
        path = inputs[kind]
        for round_number in range(1, args.warmup + 1):
            run = spark_run(spark, path, args.work / "out", args.data_dir, args.partitions)
            print(
                f"{kind} warm-up {round_number}: spark {run['all']:.2f} s CPU (JVM {run['java']:.2f}, "
                f"of which JIT {run['jit']:.2f}; Python {run['python']:.2f}; {run['wall']:.1f} s wall)"
            )
        singles, sparks = [], []
        for round_number in range(1, args.rounds + 1):
            singles.append(single(path, args.data_dir))
            sparks.append(spark_run(spark, path, args.work / "out", args.data_dir, args.partitions))
            run = sparks[-1]
            print(
                f"{kind} round {round_number}: single {singles[-1]:.2f} s CPU; spark {run['all']:.2f} s "
                f"CPU (JVM {run['java']:.2f}, of which JIT {run['jit']:.2f}; Python {run['python']:.2f}; "
                f"{run['wall']:.1f} s wall; load {os.getloadavg()[0]:.1f})"
            )
            sys.stdout.flush()
        one = min(singles) / args.lines * 1000
        # a Python worker that ends during a round takes its CPU out of the sum (nothing living counts it):
        # such a round reads low, even below zero, and is left out
        whole = [run for run in sparks if min(run.values()) >= 0] or sparks
        best = min(whole, key=lambda run: run["all"])
        per = {key: value / args.lines * 1000 for key, value in best.items()}
        print(f"{kind}: {args.lines:,} lines, {args.partitions} partitions, {args.warmup} warm-up runs, "
              f"best of {args.rounds} ({sys.modules['rvucheck'].__file__}):")  # fmt: skip
        print(f"  single process  {one:.4f} s CPU per 1,000 lines")
        print(f"  Spark local[2]  {per['all']:.4f} s CPU per 1,000 lines (after start-up; "
              f"JVM {per['java']:.4f}, of which JIT {per['jit']:.4f}; "
              f"Python {per['python']:.4f})")  # fmt: skip
        print(f"  ratio           {per['all'] / one:.2f}x (target <= 2x)")
        sys.stdout.flush()
    return 0


def in_turns(args: argparse.Namespace, argv: list[str]) -> int:
    """This script's runs for this tree and the baseline's, alternating (this, baseline, this, ...), each in
    a fresh process whose workers import that tree; the load average printed beside each."""
    own: list[str] = []
    skip = False
    for arg in argv:  # this run's options without the two that ask for turns
        if skip or arg.startswith(("--baseline-src=", "--pairs=")):
            skip = False
            continue
        skip = arg in ("--baseline-src", "--pairs")
        if not skip:
            own.append(arg)
    here = str(Path(sys.modules["rvucheck"].__file__ or "").resolve().parents[1])
    for pair in range(1, args.pairs + 1):
        for name, src in (("this tree", here), ("baseline", str(args.baseline_src.resolve()))):
            print(f"== pair {pair}, {name} ({src}), load {os.getloadavg()[0]:.1f}", flush=True)
            env = {**os.environ, "PYTHONPATH": src}
            done = subprocess.run([sys.executable, __file__, *own], env=env, check=False)
            if done.returncode:
                return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
