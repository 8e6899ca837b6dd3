"""Regenerate the sample month the README's first command checks:

    python workbooks/make_sample.py            # writes workbooks/sample-charges-2026-10.xlsx

Synthetic data (made-up practice, providers, patients and charges; real CPT/HCPCS and ICD-10-CM codes),
made by `rvucheck.testing.synthetic.month` with a fixed seed, so the file is the same on every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rvucheck.testing.synthetic.month import generate_month, write_xlsx

YEAR, MONTH, LINES, SEED = 2026, 10, 2000, 10
SAMPLE = Path(__file__).resolve().parent / f"sample-charges-{YEAR}-{MONTH:02d}.xlsx"


def main() -> int:
    lines = generate_month(YEAR, MONTH, LINES, seed=SEED)
    write_xlsx(lines, SAMPLE, YEAR, MONTH)
    problems = sum(1 for line in lines if line.problem)
    print(f"{SAMPLE.name}: {len(lines)} lines, {problems} with a planted coding problem")
    return 0


if __name__ == "__main__":
    sys.exit(main())
