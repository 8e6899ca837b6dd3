"""A CSV's text lines on a Spark worker (batch.spark_csv), without Spark: split with the dialect the reader
sniffs and read as the single-process reader reads the file, title lines, blank rows and row numbers too."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from tests.scale.months import month_csv, text_lines

from rvucheck.batch import spark_worker as worker
from rvucheck.batch.spark_csv import cells_of, csv_dialect
from rvucheck.batch.spark_input import _layout
from rvucheck.read.charges import find_header, read_charges
from rvucheck.read.sources import read_csv_grid


def _prepared(path: Path, batch_lines: int) -> pa.Table:
    """The file's lines as Spark's text source hands them over (numbered from its first line), prepared."""
    grid = read_csv_grid(path)
    header_index, column_map = find_header(grid.rows, None, path, grid.name)
    text = path.read_text(encoding="utf-8")
    raw = text_lines(text)
    plan = worker.Plan(
        buckets=4, columns=_layout(column_map), store_name="", settings_json="{}",
        offsets={(0, 0): 0, (0, -1): 0}, column_map=column_map,
        csv_header=tuple(str(cell) for cell in grid.rows[header_index]), sheets=(grid.name,),
        csv_dialect=csv_dialect(text), csv_above=header_index + 1,
    )  # fmt: skip
    return pa.Table.from_batches(list(worker.prepare(raw.to_batches(max_chunksize=batch_lines), plan)))


def test_title_lines_blank_rows_and_a_semicolon_dialect_read_as_the_reader_reads_them(tmp_path: Path) -> None:
    header, *rows = month_csv(tmp_path / "plain.csv", 2026, 10, 300, seed=5).read_text("utf-8").splitlines()
    rows[100:100] = ["", "", "C9,P9,10/05/2026,,,,,,,1"]  # blank rows (kept as rows), a row with no code
    path = tmp_path / "titled.csv"
    lines = ["Charge export", "Run 2026-11-02", "", header, *rows]
    path.write_text("\n".join(line.replace(",", ";") for line in lines) + "\n", encoding="utf-8")
    read = read_charges(path)
    prepared = _prepared(path, 97)  # batches that cut the title lines and the rows anywhere
    good = prepared.filter(pa.compute.is_null(prepared.column("unreadable"))).sort_by("line_id")
    assert good.column("source_row").to_pylist() == [line.source.row for line in read.lines]
    assert good.column("hcpcs").to_pylist() == [line.hcpcs for line in read.lines]
    assert good.column("patient_key").to_pylist() == [line.patient for line in read.lines]
    assert good.column("line_id").to_pylist()[:2] == [0, 1] and len(read.lines) == 300
    bad = prepared.filter(pa.compute.is_valid(prepared.column("unreadable"))).column("unreadable").to_pylist()
    assert [(u["source_row"], u["reason"]) for u in bad] == [
        (u.source.row, u.reason) for u in read.unreadable
    ]
    assert [u.source.row for u in read.unreadable] == [107]


def test_a_quoted_line_break_is_cut_at_its_line_and_the_other_lines_split_together() -> None:
    dialect = csv_dialect('a,b,c\n1,"x, y",3\n')
    assert cells_of(['1,"x, y",3', "", "4,5,6"], dialect) == [["1", "x, y", "3"], [], ["4", "5", "6"]]
    assert cells_of(['1,"open', 'close",3', "7,8,9"], dialect) == [
        ["1", "open"],
        ['close"', "3"],
        ["7", "8", "9"],
    ]
