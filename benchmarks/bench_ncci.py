"""NCCI speed: import of the full 2024Q3 PTP table, and PTP/MUE/AOC lookups per same-day group.

    python benchmarks/bench_ncci.py [--groups 100000] [--shared ../shared/data/cms]

Figures printed (run by hand; compare the rows of one run, not across machines):
- import: seconds to recognise + import the 2.5M-row PTP table and the MUE files of 2024Q3;
- ptp_edits: same-day groups of 1-6 codes per second through NcciData (lazy per-code cache), against a
  baseline of one indexed SQL query per group on the same table, and the lines/s the engine could reach
  if PTP were its only cost (groups x mean group size);
- mue and aoc_primaries: lookups per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from rvucheck.refdata.ncci import edits as ncci
from rvucheck.refdata.store import Store

REPO = Path(__file__).resolve().parents[1]
DOS = dt.date(2024, 9, 16)


def import_figures(shared: Path, store: Store) -> float:
    items = [ncci.recognize(path) for path in sorted((shared / "NCCI2024Q3").iterdir())]
    group = [item for item in items if item is not None]
    start = time.perf_counter()
    ncci.import_group(store, group)
    seconds = time.perf_counter() - start
    aoc = [i for p in sorted((shared / "AOC2026Q2").iterdir()) if (i := ncci.recognize(p))]
    mue = [i for p in sorted((shared / "MUE2026Q2").iterdir()) if (i := ncci.recognize(p))]
    ncci.import_group(store, aoc + mue)
    return seconds


def code_mix(store: Store, size: int, rng: random.Random) -> list[list[str]]:
    """Same-day groups like a month of charges: E&M visits with a few procedures, from codes in the table."""
    con = store.connect("ncci", "2024Q3")
    codes = [row[0] for row in con.execute("SELECT DISTINCT column1 FROM ptp")]
    con.close()
    common = rng.sample(codes, 2500)
    em = ["99212", "99213", "99214", "99215", "99203", "99204", "G2211", "36415", "93000", "96372"]
    groups = []
    for _ in range(size):
        n = rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 6])
        group = {rng.choice(em)} if rng.random() < 0.7 else set()
        while len(group) < n:
            group.add(rng.choice(common) if rng.random() < 0.6 else rng.choice(em))
        groups.append(sorted(group))
    return groups


def bench_ptp(data: ncci.NcciData, groups: list[list[str]]) -> tuple[float, int]:
    found = 0
    start = time.perf_counter()
    for group in groups:
        found += len(data.ptp_edits(set(group), DOS))
    return time.perf_counter() - start, found


def bench_sql_baseline(store: Store, groups: list[list[str]]) -> tuple[float, int]:
    con: sqlite3.Connection = store.connect("ncci", "2024Q3")
    day = int(DOS.strftime("%Y%m%d"))
    found = 0
    start = time.perf_counter()
    for group in groups:
        marks = ",".join("?" * len(group))
        sql = (
            f"SELECT column1, column2, modifier FROM ptp WHERE column1 IN ({marks}) AND column2 IN ({marks}) "
            "AND modifier != '9' AND (deletion IS NULL OR deletion >= ?)"
        )
        found += len(con.execute(sql, (*group, *group, day)).fetchall())
    seconds = time.perf_counter() - start
    con.close()
    return seconds, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data" / "cms")
    args = parser.parse_args()
    rng = random.Random(20261126)
    with tempfile.TemporaryDirectory(prefix="bench-ncci-") as tmp:
        store = Store(tmp)
        seconds = import_figures(args.shared, store)
        print(f"import 2024Q3 (PTP 2,546,017 rows + 3 MUE files): {seconds:.1f} s")
        groups = code_mix(store, args.groups, rng)
        lines = sum(len(g) for g in groups)
        base_s, base_found = bench_sql_baseline(store, groups)
        data = ncci.NcciData.open(store)
        assert data is not None
        cold_s, cold_found = bench_ptp(data, groups)
        warm_s, warm_found = bench_ptp(data, groups)
        assert base_found == cold_found == warm_found, (base_found, cold_found, warm_found)
        print(f"groups: {len(groups):,} ({lines:,} lines, {cold_found:,} active edits found)")
        print(f"baseline SQL query per group: {len(groups) / base_s:>10,.0f} groups/s")
        rate = len(groups) / cold_s
        print(f"NcciData.ptp_edits, first pass: {rate:>10,.0f} groups/s = {lines / cold_s:,.0f} lines/s")
        rate = len(groups) / warm_s
        print(f"NcciData.ptp_edits, warm cache: {rate:>10,.0f} groups/s = {lines / warm_s:,.0f} lines/s")
        codes = [code for group in groups for code in group]
        on = dt.date(2026, 5, 1)
        start = time.perf_counter()
        for code in codes:
            data.mue(code, on)
        mue_s = time.perf_counter() - start
        start = time.perf_counter()
        for code in codes:
            data.aoc_primaries(code, on)
        aoc_s = time.perf_counter() - start
        print(f"mue: {len(codes) / mue_s:,.0f} lookups/s; aoc_primaries: {len(codes) / aoc_s:,.0f} lookups/s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
