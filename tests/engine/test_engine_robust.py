"""Whatever a charge export holds, the full catalog returns findings as values and never raises."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.fake_ref import FakeReference, row

from rvucheck.engine import runner as engine
from rvucheck.model import CellRef, ChargeLine
from rvucheck.refdata.types import Mue, PtpEdit
from rvucheck.rules.ruleset import Ruleset, load_all
from rvucheck.settings import Settings

CATALOG = Ruleset(tuple(load_all()))
REF = FakeReference(
    [
        row("11111", global_days="090", mult_proc="2", bilat_surg="1", asst_surg="1", pctc_indicator="0"),
        row("22222", global_days="000", mult_proc="3", endo_base="33333", co_surg="0", team_surg="1"),
        row("33333", global_days="000", mult_proc="2", status_code="T"),
        row("44444", global_days="ZZZ", facility_na="NA", pctc_indicator="1"),
        row("99213", global_days="XXX", status_code="A"),
        row("99203", global_days="XXX"),
    ],
    ptp=[
        PtpEdit("11111", "22222", None, None, "1", "made up"),
        PtpEdit("22222", "33333", None, None, "0", "x"),
    ],
    mues={"22222": Mue("22222", 1, "2", "made up"), "99213": Mue("99213", 1, "1", "made up")},
    aoc={"44444": frozenset({"11111"})},
)
codes = st.sampled_from(
    ["11111", "22222", "33333", "44444", "99213", "99203", "", "9921", "ZZZZZ", " 99213 "]
)
modifiers = st.lists(
    st.sampled_from(
        [
            "25",
            "50",
            "51",
            "59",
            "RT",
            "LT",
            "26",
            "TC",
            "80",
            "62",
            "66",
            "54",
            "55",
            "24",
            "57",
            "79",
            "76",
            "ZZ",
            "",
            " xs ",
        ]
    ),
    max_size=4,
)
dates = st.one_of(st.none(), st.dates(dt.date(2025, 12, 1), dt.date(2027, 2, 1)))
lines = st.lists(
    st.builds(
        ChargeLine,
        source=st.builds(CellRef, st.just("S"), st.integers(2, 10_000)),
        hcpcs=codes,
        modifiers=modifiers.map(tuple),
        units=st.sampled_from([1.0, 2.0, 0.0, -1.0, 1.5, 100.0]),
        dos=dates,
        provider=st.sampled_from(["A", "B", ""]),
        group=st.sampled_from(["", "G"]),
        specialty=st.sampled_from(["", "20"]),
        patient=st.sampled_from(["P1", "P2", ""]),
        diagnoses=st.lists(st.sampled_from(["E11.9", "E11", "XYZ", ""]), max_size=3).map(tuple),
        pos=st.sampled_from(["11", "22", "", "99", "2"]),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=lines, history=lines)
def test_catalog_never_raises_and_reports_only_this_runs_lines(
    lines: list[ChargeLine], history: list[ChargeLine]
) -> None:
    report = engine.run(lines, REF, CATALOG, Settings(today=dt.date(2026, 12, 31)), history=history)
    assert len(report.results) == len(lines)
    for result, line in zip(report.results, lines, strict=True):
        assert result.line is line
        assert all(f.source == line.source and f.rule in CATALOG.ids for f in result.findings)
        assert all(f.message and "{" not in f.message for f in result.findings)
