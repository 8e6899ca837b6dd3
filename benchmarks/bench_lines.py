"""Cost of making ChargeLine objects (time and memory per line), against today's class in the same run.

    python benchmarks/bench_lines.py [--lines 200000] [--repeat 5]

Target (issue 14): ChargeLine construction at least 2x faster than the plain frozen dataclass it was (a
1M-line month builds a million of them, an Arrow reader as many per batch). The lines are built from plain
column lists, as a reader does: by keyword, one row at a time (read.rows.LineBuilder), and positionally by
zipping the columns (an Arrow / Parquet reader). The baseline is the class as it was before issue 14, a
frozen dataclass with a __dict__, made here from the same fields (so it cannot drift from the model); the
two are timed alternately in one process, best of `--repeat`, in CPU seconds (the machine is shared).
Memory: tracemalloc's bytes per line for the line objects alone (the column values are shared).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from rvucheck.model import CellRef, ChargeLine
from rvucheck.testing.synthetic.month import generate_month

# ChargeLine before issue 14: @dataclass(frozen=True) with a __dict__ and the dataclass's own __init__.
BaselineLine: Any = dataclasses.make_dataclass(
    "BaselineLine",
    [(f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(ChargeLine)],
    frozen=True,
)

Builder = Callable[[type, dict[str, list[Any]]], list[Any]]


def columns(count: int) -> dict[str, list[Any]]:
    """A synthetic month as column lists, the source cell of each row made beforehand."""
    rows = generate_month(2026, 7, count, seed=7)
    cols: dict[str, list[Any]] = {
        "source": [CellRef("Charges", row) for row in range(2, count + 2)],
        "hcpcs": [r.hcpcs for r in rows],
        "modifiers": [r.modifiers for r in rows],
        "units": [r.units for r in rows],
        "dos": [r.dos for r in rows],
        "provider": [r.provider for r in rows],
        "provider_npi": [r.npi for r in rows],
        "specialty": [r.specialty for r in rows],
        "patient": [r.patient for r in rows],
        "diagnoses": [r.diagnoses for r in rows],
        "pos": [r.pos for r in rows],
        "charge": [r.charge for r in rows],
        "payer": [r.payer for r in rows],
        "claim": [r.claim for r in rows],
        "posted": [r.posted for r in rows],
    }
    return cols


def by_keyword(cls: type, cols: dict[str, list[Any]]) -> list[Any]:
    """Row by row with every field named, as read.rows.LineBuilder builds them (all 23 fields)."""
    rows = zip(
        *(cols[name] for name in ("source", "hcpcs", "modifiers", "units", "dos", "provider")),
        *(cols[name] for name in ("provider_npi", "specialty", "patient", "diagnoses", "pos", "charge")),
        *(cols[name] for name in ("payer", "claim", "posted")),
        strict=True,
    )
    made = []
    for row in rows:
        source, hcpcs, modifiers, units, dos, provider, npi, specialty = row[:8]
        patient, diagnoses, pos, charge, payer, claim, posted = row[8:]
        made.append(
            cls(
                source=source,
                hcpcs=hcpcs,
                modifiers=modifiers,
                units=units,
                dos=dos,
                provider=provider,
                provider_npi=npi,
                specialty=specialty,
                group="",
                patient=patient,
                diagnoses=diagnoses,
                pos=pos,
                charge=charge,
                payer=payer,
                claim=claim,
                posted=posted,
                birth_date=None,
                age=None,
                minutes=None,
                note_status="",
                signed=None,
                attachment=None,
                columns=(),
            )
        )
    return made


def by_position(cls: type, cols: dict[str, list[Any]]) -> list[Any]:
    """The columns zipped, each row's values passed in field order (an Arrow / Parquet reader)."""
    count = len(cols["hcpcs"])
    blank, none = [""] * count, [None] * count
    ordered = [
        cols.get(f.name, blank if f.default == "" else none if f.default is None else [f.default] * count)
        for f in dataclasses.fields(ChargeLine)
    ]
    return [cls(*values) for values in zip(*ordered, strict=True)]


def cpu_per_line(build: Builder, cls: type, cols: dict[str, list[Any]]) -> float:
    gc.disable()  # as the reader runs (gc_pause): a collection mid-build would be timed too
    try:
        start = time.process_time()
        made = build(cls, cols)
        spent = time.process_time() - start
    finally:
        gc.enable()
    del made
    return spent / len(cols["hcpcs"])


def bytes_per_line(build: Builder, cls: type, cols: dict[str, list[Any]]) -> float:
    tracemalloc.start()
    try:
        made = build(cls, cols)
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    size -= sys.getsizeof(made)  # the list holding them
    return size / len(made)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cols = columns(args.lines)
    assert by_keyword(ChargeLine, cols)[:50] == [
        ChargeLine(**dataclasses.asdict(line) | {"source": line.source})
        for line in by_keyword(BaselineLine, cols)[:50]
    ]
    print(f"{args.lines:,} lines, best of {args.repeat} (CPU time, old and new alternated)")
    for label, build in (("by keyword (reader)", by_keyword), ("by position (Arrow)", by_position)):
        best = {"before": float("inf"), "after": float("inf")}
        for _ in range(args.repeat):
            for name, cls in (("before", BaselineLine), ("after", ChargeLine)):
                best[name] = min(best[name], cpu_per_line(build, cls, cols))
        classes = (("before", BaselineLine), ("after", ChargeLine))
        memory = {name: bytes_per_line(build, cls, cols) for name, cls in classes}
        print(
            f"{label:<22} before {best['before'] * 1e9:6.0f} ns/line {memory['before']:5.0f} B/line | "
            f"after {best['after'] * 1e9:6.0f} ns/line {memory['after']:5.0f} B/line | "
            f"{best['before'] / best['after']:.2f}x faster"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
