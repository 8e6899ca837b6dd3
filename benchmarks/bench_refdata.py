"""Speed of the CMS reference data (issue 2 targets): run by hand, not part of the test suite.

    /work/venv/bin/python benchmarks/bench_refdata.py [CMS_FOLDER]

Prints: install of one release (RVU26C: PPRRVU + GPCI) and of the three PFS folders; cold `rvucheck code
20983` (a fresh interpreter, best of 5, against `python -c pass` as the baseline of the same run); 100k
`ref.rvu()` lookups in-process. Targets: < 5 s, < 0.5 s, < 0.2 s.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CMS = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data" / "cms"


def best_of(n: int, command: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    from rvucheck.refdata import open_reference
    from rvucheck.refdata.install import install_from
    from rvucheck.refdata.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        start = time.perf_counter()
        install_from([CMS / "RVU26C"], Store(data))
        one = time.perf_counter() - start
        start = time.perf_counter()
        install_from([CMS / "RVU26A", CMS / "RVU25D"], Store(data))
        two = time.perf_counter() - start
        print(f"install RVU26C (PPRRVU 19,356 rows + GPCI): {one:.2f} s   (target < 5 s)")
        print(f"install RVU26A + RVU25D (8 + 3 files):      {two:.2f} s")

        env = {**os.environ, "RVUCHECK_DATA": str(data)}
        baseline = best_of(5, [sys.executable, "-c", "pass"], env)
        rvucheck = [sys.executable, "-m", "rvucheck.cli", "code", "20983"]
        cold = best_of(5, rvucheck, env)
        print(f"cold `rvucheck code 20983`: {cold:.3f} s  (python -c pass: {baseline:.3f} s; target < 0.5 s)")

        ref = open_reference(data)
        start = time.perf_counter()
        ref.rvu("20983")
        load = time.perf_counter() - start
        codes = list(ref.rows("RVU26C"))
        sample = [random.choice(codes) for _ in range(100_000)]
        start = time.perf_counter()
        for hcpcs, modifier in sample:
            ref.rvu(hcpcs, modifier)
        lookups = time.perf_counter() - start
        print(f"first lookup (loads RVU26C into memory): {load:.3f} s")
        print(f"100k ref.rvu() lookups: {lookups:.3f} s   (target < 0.2 s)")


if __name__ == "__main__":
    main()
