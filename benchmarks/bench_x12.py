"""Speed and memory of the X12 837P reader (read/x12), against pyx12 4.0.0 parsing the same file, in one run.

    python benchmarks/bench_x12.py [--lines 1000000] [--sample 20000] [--repeat 3] [--json]

A generated 837P (made-up values: members, NPIs, claims; real codes) of `--lines` service lines, four
lines a claim on average, 2,000 claims a transaction, one interchange. Measured, each in its own subprocess
(so its peak resident memory is its own), interleaved, median of `--repeat`:
- `tokens`: the tokenizer alone (segments/s);
- `lines`: tokenizer + loops -> ServiceLine values (lines/s);
- `read`: read_charges -> ChargeLines, what `rvucheck check` does before the engine, with the collector
  paused as the pipeline runs it (lines/s);
- `pyx12`: pyx12's X12ContextReader over the `--sample` file (its 837P map, iter_segments('2300'), each
  line's SV101/SV102/SV104/SV107 and DTP*472 read), the baseline; `read-sample`: read_charges on that same
  sample, so the ratio compares like with like.
CPU seconds of the measured call (time.process_time, imports done before) are the figure to compare on a
shared machine; wall time and the subprocess's peak RSS are shown too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
CODES = [
    ("99213", "", "1", "1"), ("99214", "25", "1", "1:2"), ("36415", "", "1", "1"), ("20610", "RT", "1", "2"),
    ("97110", "GP", "3", "1"), ("71046", "26", "1", "2:1"), ("93000", "", "1", "1"), ("J3301", "", "4", "2"),
]  # fmt: skip
DIAGNOSES = ["E119", "I10", "M1711", "Z794", "J069", "R0981"]
CLAIMS_PER_TRANSACTION = 2000

RUNS = {
    "tokens": """
from rvucheck.read.x12.tokens import segments
def run(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in segments(handle, []))
""",
    "lines": """
from pathlib import Path
from rvucheck.read.x12.reader import service_lines
def run(path):
    return sum(1 for _ in service_lines(Path(path)))
""",
    "read": """
from rvucheck.gc_pause import paused_gc
from rvucheck.read.charges import read_charges
def run(path):
    with paused_gc():  # as the pipeline reads (pipeline.analyse)
        return read_charges(path).rows_read
""",
    "pyx12": """
import pyx12.error_handler, pyx12.params, pyx12.x12context
def run(path):
    count = 0
    with open(path, encoding="ascii", newline="") as handle:
        errh = pyx12.error_handler.errh_null()
        reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), errh, handle)
        for node in reader.iter_segments("2300"):
            if node.id != "2300":
                continue
            for line in node.select("2400"):
                values = [line.get_value(p) for p in ("SV101", "SV102", "SV104", "SV107")]
                dates = [d.get_value("DTP03") for d in line.select("DTP") if d.get_value("DTP01") == "472"]
                count += 1
    return count
""",
}
# imports are done before the clock starts (a small sample must not be measured as Python's start-up)
WRAPPER = """
import resource, time, sys
exec(compile(sys.argv.pop(1), "<bench>", "exec"))
started, cpu = time.perf_counter(), time.process_time()
count = run(sys.argv[1])
wall, cpu = time.perf_counter() - started, time.process_time() - cpu
print(count)
print("BENCH", wall, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def generate(path: Path, lines: int) -> int:
    """An 837P of `lines` service lines (made-up values); returns the number of segments written."""
    isa = "*".join(
        ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SUBMITTER01".ljust(15), "ZZ", "RECEIVER01".ljust(15),
         "251201", "1200", "^", "00501", "000000001", "0", "T", ":~"]
    )  # fmt: skip
    out = [isa, "GS*HC*SUBMITTER01*RECEIVER01*20251201*1200*1*X*005010X222A1~"]
    written, claim, transactions, segments = 0, 0, 0, 2
    with path.open("w", encoding="ascii", newline="") as handle:
        while written < lines:
            transactions += 1
            body = [
                f"ST*837*{transactions:04d}*005010X222A1~",
                f"BHT*0019*00*B{transactions}*20251201*1200*CH~",
                "NM1*41*2*MADE UP BILLING SERVICE*****46*SUB0001~",
                "NM1*40*2*MADE UP CLEARINGHOUSE*****46*RCV0001~",
                "HL*1**20*1~",
                "NM1*85*2*MADE UP PRACTICE*****XX*1234567893~",
            ]
            hl = 1
            for _ in range(CLAIMS_PER_TRANSACTION):
                if written >= lines:
                    break
                claim += 1
                hl += 1
                count = min(1 + claim % 7, lines - written)  # 1-7 lines, four on average
                day = f"2025{1 + claim % 12:02d}{1 + claim % 28:02d}"
                body += [
                    f"HL*{hl}*1*22*0~",
                    "SBR*P*18*GRP01******CI~",
                    f"NM1*IL*1*MADEUP*PAT****MI*M{claim % 250000:08d}~",
                    "NM1*PR*2*MADE UP PLAN*****PI*PAYER01~",
                    f"CLM*C{claim}*100***11:B:1*Y*A*Y*Y~",
                    "HI*ABK:" + "*ABF:".join(DIAGNOSES[claim % 3 : claim % 3 + 3]) + "~",
                ]
                for number in range(1, count + 1):
                    code, modifier, units, pointers = CODES[(claim + number) % len(CODES)]
                    procedure = f"HC:{code}:{modifier}" if modifier else f"HC:{code}"
                    sv1 = f"SV1*{procedure}*100*UN*{units}***{pointers}~"
                    body += [f"LX*{number}~", sv1, f"DTP*472*D8*{day}~"]
                written += count
            body.append(f"SE*{len(body) + 1}*{transactions:04d}~")
            out.extend(body)
            segments += len(body)
            handle.write("\n".join(out) + "\n")
            out = []
        handle.write(f"GE*{transactions}*1~\nIEA*1*000000001~\n")
    return segments + 2


def measure(kind: str, path: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, RUNS[kind], str(path)], capture_output=True, text=True, env=env,
        timeout=3600, check=True,
    )  # fmt: skip
    line = next(text for text in result.stderr.splitlines() if text.startswith("BENCH"))
    wall, cpu, rss = (float(value) for value in line.split()[1:])
    return {"count": int(result.stdout.split()[-1]), "wall": wall, "cpu": cpu, "rss_mb": rss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000, help="service lines of pyx12's file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-x12-") as folder:
        big, small = Path(folder) / "big.837", Path(folder) / "sample.837"
        started = time.perf_counter()
        big_segments = generate(big, args.lines)
        generate(small, args.sample)
        size = big.stat().st_size / 1e6
        took = time.perf_counter() - started
        print(
            f"generated {args.lines:,} lines ({big_segments:,} segments, {size:,.0f} MB) in {took:.0f} s",
            file=sys.stderr,
        )
        plan = [("tokens", big), ("lines", big), ("read", big), ("pyx12", small), ("read-sample", small)]
        runs: dict[str, list[dict[str, float]]] = {name: [] for name, _path in plan}
        for _ in range(args.repeat):  # interleaved: every variant once, then again
            for name, path in plan:
                runs[name].append(measure(name.removesuffix("-sample"), path))
    figures = {}
    for name, measured in runs.items():
        cpu = statistics.median(m["cpu"] for m in measured)
        count = measured[0]["count"]
        wall = statistics.median(m["wall"] for m in measured)
        figures[name] = {
            "count": count, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2), "per_cpu_s": round(count / cpu),
            "peak_rss_mb": round(max(m["rss_mb"] for m in measured)),
        }  # fmt: skip
    figures["ratio"] = {
        "pyx12_cpu_per_line_over_read": round(
            (figures["pyx12"]["cpu_s"] / figures["pyx12"]["count"])
            / (figures["read-sample"]["cpu_s"] / figures["read-sample"]["count"]),
            1,
        )
    }
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    for name, figure in figures.items():
        if name == "ratio":
            continue
        unit = "segments" if name == "tokens" else "lines"
        print(
            f"{name:12} {figure['count']:>10,} {unit:8} cpu {figure['cpu_s']:8.2f} s  "
            f"wall {figure['wall_s']:8.2f} s  {figure['per_cpu_s']:>9,} {unit}/cpu-s  "
            f"peak {figure['peak_rss_mb']:>6,} MB"
        )
    print(f"pyx12 costs {figures['ratio']['pyx12_cpu_per_line_over_read']}x the CPU per line of read_charges "
          "on the same sample")  # fmt: skip


if __name__ == "__main__":
    main()
