"""Speed of the Excel functions (issue 5): run by hand, not in the test suite.

    RVUCHECK_DATA=<data dir with CMS files installed> python benchmarks/bench_udfs.py

Targets: 10,000 RVU calls < 0.2 s after the first; the first call in a fresh process < 0.5 s.
Each figure is printed beside a baseline measured in the same run (an empty Python start, `import xlwings`,
the same lookups straight on the Reference), because the machine is shared and timings drift.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

FIRST_CALL = """
import time
t0 = time.perf_counter()
from rvucheck.excel import udfs
t1 = time.perf_counter()
value = udfs.RVU("20983")
t2 = time.perf_counter()
assert value == 6.71, value
print(f"{t1 - t0:.4f} {t2 - t1:.4f}")
"""


def wall(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=os.environ.copy())
    return time.perf_counter() - start


def fresh_process(repeats: int = 5) -> None:
    python = sys.executable
    empty = statistics.median(wall([python, "-c", "pass"]) for _ in range(repeats))
    xlwings = statistics.median(wall([python, "-c", "import xlwings"]) for _ in range(repeats))
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = subprocess.run([python, "-c", FIRST_CALL], check=True, capture_output=True, text=True)
        total = time.perf_counter() - start
        imported, first = (float(x) for x in out.stdout.split())
        runs.append((total, imported, first))
    total, imported, first = (statistics.median(r[i] for r in runs) for i in range(3))
    print(f"fresh process, median of {repeats}:")
    print(f"  baseline: python -c pass            {empty:.3f} s")
    print(f"  baseline: python -c 'import xlwings' {xlwings:.3f} s")
    print(f"  import rvucheck.excel.udfs (in process)   {imported:.3f} s")
    print(f"  first RVU('20983') (opens the data) {first:.3f} s   target < 0.5 s")
    print(f"  whole process, start to answer      {total:.3f} s")


def in_process() -> None:
    from rvucheck.excel import lookups as lookup_api
    from rvucheck.excel import udfs

    assert udfs.RVU("20983") == 6.71  # the first call, not timed here
    ref = lookup_api.reference_for(lookup_api.data_dir_key())
    release = ref.release_for().release_id
    codes = sorted({hcpcs for hcpcs, _mod in ref.rows(release)})[:10_000]
    components = ("work", "total_nonfacility", "total_facility", "mp")

    def timed(label: str, calls: int, function: object, target: str = "") -> None:
        start = time.perf_counter()
        function()  # type: ignore[operator]
        seconds = time.perf_counter() - start
        print(f"  {label:<52} {seconds:.4f} s  ({seconds / calls * 1e6:.1f} us/call) {target}")

    print("in process, after the first call:")
    timed("baseline: 10,000 ref.rvu() straight on the Reference", 10_000, lambda: [ref.rvu(c) for c in codes])
    timed(
        "10,000 RVU('20983') (one cell recalculated)",
        10_000,
        lambda: [udfs.RVU("20983") for _ in codes],
        "target < 0.2 s",
    )
    timed(
        "10,000 RVU(code) over 10,000 distinct codes (cold)",
        10_000,
        lambda: [udfs.RVU(c) for c in codes],
        "target < 0.2 s",
    )
    timed("the same 10,000 again (cached)", 10_000, lambda: [udfs.RVU(c) for c in codes], "target < 0.2 s")
    numbers = [float(c) for c in codes if c.isdigit()]
    timed(
        f"{len(numbers):,} RVU(99213.0-style numbers)", len(numbers), lambda: [udfs.RVU(n) for n in numbers]
    )
    mixed = [(c, components[i % 4]) for i, c in enumerate(codes)]
    timed("10,000 RVU(code, component) cold", 10_000, lambda: [udfs.RVU(c, k) for c, k in mixed])
    column = [[c] for c in codes]
    timed("one RVU(A1:A10000) range call (spills 10,000)", 10_000, lambda: udfs.RVU(column))
    timed("10,000 RVU_PAYMENT(code) cold", 10_000, lambda: [udfs.RVU_PAYMENT(c) for c in codes])
    timed(
        "10,000 RVU_PAYMENT(code, , '01112-05', 'facility')",
        10_000,
        lambda: [udfs.RVU_PAYMENT(c, None, "01112-05", "facility") for c in codes],
    )


if __name__ == "__main__":
    if not os.environ.get("RVUCHECK_DATA"):
        sys.exit(
            "set RVUCHECK_DATA to a data dir with the CMS files installed (e.g. the tests' .rvucheck-data)"
        )
    fresh_process()
    in_process()
