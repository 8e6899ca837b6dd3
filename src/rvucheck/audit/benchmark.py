"""National E&M benchmark shares for the audit, from `rvucheck.refdata.benchmarks.lookup`.

That module answers from an installed "by Provider and Service" PUF aggregate when there is one, else from the
published per-specialty shares; this adapter turns its answer into the (code -> share, source) pairs the E&M
comparison takes, and returns the sentence that says where the figures came from (or that there are none and
providers are compared with their group only).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rvucheck.audit.emmix import BenchmarkLookup
from rvucheck.engine.em import EmFamily
from rvucheck.refdata.benchmarks import lookup as benchmarks


def lookup(data_dir: Path | None) -> tuple[BenchmarkLookup | None, str]:
    note = benchmarks.describe_source(data_dir)
    if benchmarks.open_benchmarks(data_dir) is None:
        return None, note

    def find(specialty: str, family: EmFamily) -> tuple[Mapping[str, float], str] | None:
        mix = benchmarks.em_mix(specialty, family.codes, data_dir=data_dir)
        if mix is None or not mix.shares:
            return None
        return mix.shares, mix.source

    return find, note
