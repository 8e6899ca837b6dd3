"""National E&M benchmark shares for the audit, from `rvucheck.refdata.benchmarks`.

That module answers from an installed "by Provider and Service" PUF aggregate when there is one, else from the
published per-specialty shares in ../shared/data/benchmarks; this adapter turns its answer into the
(codes -> share, source) pairs the E&M comparison takes, and says in one sentence where the figures came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rvucheck.audit.emmix import BenchmarkLookup
from rvucheck.audit.emstats import EmFamily

NO_BENCHMARK = "no national benchmark installed: providers are compared with the rest of their group only"


def lookup(data_dir: Path | None) -> tuple[BenchmarkLookup | None, str]:
    try:
        from rvucheck.refdata import benchmarks
    except ImportError:
        return None, NO_BENCHMARK
    sources: set[str] = set()

    def find(specialty: str, family: EmFamily) -> tuple[Mapping[str, float], str] | None:
        answer = _call(benchmarks, specialty, family, data_dir)
        if answer is None:
            return None
        shares, source = answer
        if shares:
            sources.add(source)
        return (shares, source) if shares else None

    return find, _note(benchmarks, data_dir)


def _call(
    module: Any, specialty: str, family: EmFamily, data_dir: Path | None
) -> tuple[dict[str, float], str] | None:
    try:
        answer = module.em_mix(specialty, family.codes, data_dir=data_dir)
    except TypeError:  # older signature without data_dir
        answer = module.em_mix(specialty, family.codes)
    if answer is None:
        return None
    shares = getattr(answer, "shares", None)
    source = getattr(answer, "source", "")
    if shares is None and isinstance(answer, tuple):
        shares, source = answer[0], answer[1]
    if not shares:
        return None
    return {str(code): float(value) for code, value in dict(shares).items() if value is not None}, str(source)


def _note(module: Any, data_dir: Path | None) -> str:
    describe = getattr(module, "describe_source", None)
    if callable(describe):
        try:
            return str(describe(data_dir))
        except TypeError:
            return str(describe())
    return "national E&M shares by specialty from rvucheck.refdata.benchmarks (source per row)"
