"""The audit workbook's E&M sheets: the level mix per provider and family (shares as numbers, the flag with
its direction and the statistics in plain words) and one native chart per mix."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.chart import BarChart
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.audit.emmix import MixRow, charted_mix
from rvucheck.audit.emstats import shares
from rvucheck.audit.sheet_kit import BOLD, FLAG_FILL, WRAP, finish, table
from rvucheck.report.charts import Block, place_chart
from rvucheck.report.xlsx import COUNT, PERCENT, data_rows, print_setup, put_text

MIX_HEADERS = (
    "Provider", "Specialty", "Family", "Codes", "Services", "Level 1", "Level 2", "Level 3", "Level 4",
    "Level 5", "High-level share", "Group high-level share", "Benchmark high-level share",
    "vs group (statistic)", "vs benchmark (statistic)", "Flag", "In plain words", "Benchmark source",
)  # fmt: skip
MIX_FORMATS = (None, None, None, None, COUNT, *[PERCENT] * 8)


def mix_sheet(ws: Worksheet, mix: Sequence[MixRow]) -> None:
    """Level shares as numbers (formatted %), the flag with its direction next to the statistics."""
    rows = []
    for m in mix:
        levels = [round(share, 4) for share in shares(m.counts)]
        reference = m.vs_group or m.vs_benchmark
        rows.append([
            m.provider, m.specialty, m.family.label, f"{m.family.codes[0]}-{m.family.codes[-1]}", m.total,
            *levels, *[None] * (5 - len(levels)), reference.high_share if reference else None,
            m.vs_group.reference_high_share if m.vs_group else None,
            m.vs_benchmark.reference_high_share if m.vs_benchmark else None,
            m.vs_group.statistic if m.vs_group else "", m.vs_benchmark.statistic if m.vs_benchmark else "",
            m.flag, m.in_words(), m.benchmark_source or "none for this specialty/family",
        ])  # fmt: skip
    table(ws, 1, MIX_HEADERS, rows, MIX_FORMATS)
    for r, m in enumerate(mix, 2):
        for col in (14, 15, 17, 18):
            ws.cell(r, col).alignment = WRAP
        if m.flagged:
            for col in range(1, len(MIX_HEADERS) + 1):
                ws.cell(r, col).fill = FLAG_FILL
    finish(ws, fixed={"N": 34, "O": 34, "Q": 60, "R": 40}, freeze="D2")


def mix_charts_sheet(ws: Worksheet, mix: Sequence[MixRow]) -> None:
    """One native bar chart per provider and family: provider vs rest of group vs benchmark shares."""
    row = 1
    for m in charted_mix(mix):
        put_text(ws, row, 1, f"{m.provider} - {m.family.label}").font = BOLD
        for col, title in enumerate(("Level", m.provider, "Rest of group", "Benchmark"), 1):
            put_text(ws, row + 1, col, title)
        group = shares(m.group_counts)
        bench: list[float | None] = (
            [*shares(m.benchmark_shares)] if m.benchmark_shares else [None] * len(m.counts)
        )
        for i, (code, share) in enumerate(zip(m.family.codes, shares(m.counts), strict=True)):
            r = row + 2 + i
            bench_share = bench[i]
            data_rows(
                ws, r,
                [(code, round(share, 4), round(group[i], 4) if m.vs_group is not None else None,
                  None if bench_share is None else round(bench_share, 4))],
                (None, "0%", "0%", "0%"),
            )  # fmt: skip
        last = row + 1 + len(m.counts)
        chart = BarChart()
        chart.title = f"{m.provider}: {m.family.label} mix"
        chart.y_axis.title = "share of services"
        chart.y_axis.numFmt = "0%"
        place_chart(ws, chart, Block(2, 4, row + 1, row + 2, last), f"F{row}", (7, 14))
        row += 16
    ws.column_dimensions["A"].width = 30
    print_setup(ws, title_rows=None)
