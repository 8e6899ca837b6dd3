"""Audit speed: a 12-month history of N lines a month, auditing the 13th month vs checking it alone.

    python benchmarks/bench_audit.py [--lines 50000] [--months 12] [--work /tmp/rvucheck-bench-audit]
                                     [--data-dir .rvucheck-data]

Run by hand (the target, from issue 6: audit of month 13 <= 2x the check of that month alone). Synthetic
months (rvucheck.testing.synthetic.month, shared patient pool) are written once as export-style
xlsx and kept in --work.
The history goes into a fresh data dir in --work whose reference datasets are symlinks to --data-dir,
so the user's own history is never touched. Figures printed:
- per history month: seconds to audit it (read + key + history + engine + figures + record), no outputs;
- check alone: read + engine.run on month 13 with no history (what `rvucheck check` does before writing);
- audit: the same month through run_audit with the 12-month history, then with the workbook, HTML and JSON;
- ratio audit / check (best of two runs each, interleaved so machine load hits both alike).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rvucheck.audit.history import HISTORY_FILE, HistoryStore
from rvucheck.audit.run import AuditOptions, run_audit
from rvucheck.read.charges import read_charges
from rvucheck.session import Session
from rvucheck.testing.synthetic.month import generate_month, write_xlsx

REPO = Path(__file__).resolve().parents[1]


def month_list(count: int, last: tuple[int, int] = (2026, 10)) -> list[tuple[int, int]]:
    year, month = last
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def exports(work: Path, months: list[tuple[int, int]], n_lines: int) -> list[Path]:
    paths = []
    for year, month in months:
        path = work / f"charges-{year}-{month:02d}-{n_lines}.xlsx"
        if not path.exists():
            lines = generate_month(year, month, n_lines, seed=year * 100 + month)
            write_xlsx(lines, path, year=year, month=month, constant_memory=True)
        paths.append(path)
    return paths


def bench_data_dir(work: Path, reference: Path, keep: bool) -> Path:
    data = work / "data"
    if data.exists() and not (keep and (data / HISTORY_FILE).exists()):
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    for item in data.glob("*.sqlite"):  # reference datasets may have changed since the history was built
        if item.is_symlink():
            item.unlink()
    for item in reference.glob("*.sqlite"):
        if item.name != HISTORY_FILE:
            (data / item.name).symlink_to(item.resolve())
    return data


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"  {label:58} {seconds:8.2f} s")
    return seconds, value


def check_alone(path: Path, data: Path) -> None:
    read = read_charges(path)
    Session.open(data).check(read.lines, read.unreadable)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=12, help="months of history before the audited one")
    parser.add_argument("--work", type=Path, default=Path("/tmp/rvucheck-bench-audit"))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("RVUCHECK_DATA", REPO / ".rvucheck-data"))
    )
    parser.add_argument(
        "--reuse-history", action="store_true", help="keep the history built by an earlier run in --work"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    months = month_list(args.months + 1)
    print(f"generating/reusing {len(months)} months of {args.lines:,} lines in {args.work}")
    _, paths = timed("exports ready", lambda: exports(args.work, months, args.lines))
    data = bench_data_dir(args.work, args.data_dir, args.reuse_history)
    print("history:")
    stored_months = {m.month for m in HistoryStore(data).months()}
    for path, (year, month) in zip(paths[:-1], months[:-1], strict=True):
        if f"{year}-{month:02d}" in stored_months:
            continue  # --reuse-history
        timed(f"audit {year}-{month:02d} (no outputs)", lambda p=path: run_audit([p], data, AuditOptions()))
    store = HistoryStore(data)
    stored = sum(m.line_count for m in store.months() if m.month < f"{months[-1][0]}-{months[-1][1]:02d}")
    size_mb = store.path.stat().st_size / 1e6
    print(f"  history before the audited month: {stored:,} lines; file {size_mb:.1f} MB")
    target = paths[-1]
    label = f"{months[-1][0]}-{months[-1][1]:02d}"
    outputs = args.work / "out"
    outputs.mkdir(exist_ok=True)

    def audit_with_outputs() -> object:
        from rvucheck.audit.html import write_html
        from rvucheck.audit.jsonout import write_json
        from rvucheck.audit.workbook import write_workbook

        result = run_audit([target], data, AuditOptions())
        write_workbook(result, outputs / f"audit-{label}.xlsx")
        write_html(result, outputs / f"audit-{label}.html")
        write_json(result, outputs / f"audit-{label}.json")
        return result

    print(f"month {label}:")
    checks, audits, full = [], [], []
    for _ in range(2):
        checks.append(timed("check alone (read + engine, no history)", lambda: check_alone(target, data))[0])
        seconds, result = timed(
            f"audit ({args.months}-month history, no outputs)",
            lambda: run_audit([target], data, AuditOptions()),
        )
        audits.append(seconds)
        full.append(timed("audit + workbook + HTML + JSON", audit_with_outputs)[0])
    print("command line, like for like (one run each, process start included):")
    cli = [sys.executable, "-m", "rvucheck.cli", f"--data-dir={data}"]
    quiet = {"stdout": subprocess.DEVNULL, "check": False}
    check_cli = timed(
        "rvucheck check --no-annotate",
        lambda: subprocess.run([*cli, "check", str(target), "--no-annotate", "--fail-on", "never"], **quiet),
    )[0]
    audit_cli = timed(
        "rvucheck audit (no output files)", lambda: subprocess.run([*cli, "audit", str(target)], **quiet)
    )[0]
    annotated = outputs / "annotated.xlsx"
    check_out = timed(
        "rvucheck check (annotated copy)",
        lambda: subprocess.run(
            [*cli, "check", str(target), "--out", str(annotated), "--force", "--fail-on", "never"], **quiet
        ),
    )[0]
    files = [
        "--out",
        str(outputs / "cli.xlsx"),
        "--html",
        str(outputs / "cli.html"),
        "--json",
        str(outputs / "cli.json"),
    ]
    audit_out = timed(
        "rvucheck audit --out --html --json",
        lambda: subprocess.run([*cli, "audit", str(target), *files], **quiet),
    )[0]
    print(
        f"  CLI ratios: {audit_cli / check_cli:.2f} (no files), "
        f"{audit_out / check_out:.2f} (each with its output files)"
    )
    print(f"  history lines handed to the engine: {result.history_lines_used:,}")
    print(f"  findings: {result.report.counts_by_severity()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best_check, best_audit, best_full = min(checks), min(audits), min(full)
    print(
        f"RESULT check {best_check:.2f} s, audit {best_audit:.2f} s (ratio {best_audit / best_check:.2f}), "
        f"audit with outputs {best_full:.2f} s (ratio {best_full / best_check:.2f}); target ratio <= 2; "
        f"peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
