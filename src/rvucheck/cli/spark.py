"""`rvucheck check --engine spark`: its options and its run (rvucheck.batch.spark).

    rvucheck check charges/*.csv --engine spark --out results/ [--master local[4]] [--partitions 64]
    rvucheck check s3://bucket/charges/2026-10/ --engine spark --out /Volumes/main/billing/out/2026-10

The inputs are Parquet files or folders, Delta tables, CSV files (long or wide layouts) or X12 837P files,
local or on any file system the cluster reads; the outputs are Parquet folders (lines/, findings/,
unreadable/) and summary.json in --out. `--history DIR [--append-history]` joins the earlier months' lines
of the same patients (batch.spark_history), as --engine local does.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from rvucheck.errors import InputFileError


def add_spark_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "Spark (--engine spark; needs pip install 'rvucheck[spark]' and a Java 17+ runtime)"
    )
    group.add_argument(
        "--master", help="Spark master URL (default: the running Spark session's, else local[*])"
    )
    group.add_argument(
        "--partitions", type=int, default=0, metavar="N",
        help="Spark partitions the patient buckets are spread over (default: twice the cores)",
    )  # fmt: skip


def run_spark_cli(args: argparse.Namespace) -> int:
    from rvucheck.batch.spark import SparkJob, run_spark
    from rvucheck.batch.spark_session import stop_started
    from rvucheck.cli.common import data_dir_of, exit_code, parse_map, reading_map, settings_from
    from rvucheck.cli.scale import print_summary

    if args.out is None:
        raise InputFileError("--engine spark writes Parquet folders and summary.json: give --out DIR")
    if re.match(r"[A-Za-z][\w+.-]+:/", str(args.out)):  # s3a://, dbfs:/ ...: the driver writes the summary
        raise InputFileError(
            f"--out {args.out}: give a local or mounted folder (on Databricks /Volumes/... or /dbfs/...)"
        )
    if args.since is not None:
        raise InputFileError("--since is not taken by --engine spark; leave it off")
    if args.append_history and args.history is None:
        raise InputFileError("--append-history adds the month to a history table: give --history DIR too")
    if args.history is not None and re.match(r"[A-Za-z][\w+.-]+:/", str(args.history)):
        raise InputFileError(
            f"--history {args.history}: give a local or mounted folder (/Volumes/... or /dbfs/...)"
        )
    if args.month is not None:  # YYYY-MM, told before Spark starts
        from rvucheck.batch.history import month_of

        month_of({}, args.month)
    if args.partitions < 0:
        raise InputFileError("--partitions: give 1 or more")
    parse_map(args.map)
    first = Path(args.files[0])
    settings = settings_from(args, near=first if first.exists() else None, fail_on=args.fail_on)
    job = SparkJob(
        tuple(str(name) for name in args.files), Path(args.out), settings, data_dir_of(args), args.master,
        args.partitions, reading_map(args, settings), args.force, args.history, args.month,
        args.append_history,
    )  # fmt: skip
    try:
        summary = run_spark(job)
    finally:
        stop_started()
    counted = f"{summary['lines']:,} lines ({summary['unreadable']:,} unreadable)"
    if job.history is not None:
        counted += f", {summary['history_lines']:,} history lines"
    print_summary(summary, args, counted, f"{job.out} (lines/, findings/, summary.json)")
    return exit_code(summary["findings"], settings.fail_on)
