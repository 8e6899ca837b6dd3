"""A CSV's text lines on a Spark worker (batch.spark_csv), without Spark: split with the dialect the reader
sniffs and read as the single-process reader reads the file, title lines, blank rows and row numbers too."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest
from tests.scale.months import month_csv, text_lines

from rvucheck.batch import spark_worker as worker
from rvucheck.batch.contract import bucket_of
from rvucheck.batch.spark_csv import (
    cells_of,
    csv_dialect,
    moved_reason,
    parse_csv,
    patient_keys,
    plain_cells,
    read_text,
)
from rvucheck.batch.spark_input import _layout
from rvucheck.read.cells import clean_text
from rvucheck.read.charges import find_header, read_charges
from rvucheck.read.sources import read_csv_grid


def _plan_and_lines(path: Path) -> tuple[worker.Plan, pa.Table]:
    """The plan and the file's lines as Spark's text source hands them over (numbered from its first line)."""
    grid = read_csv_grid(path)
    header_index, column_map = find_header(grid.rows, None, path, grid.name)
    text = path.read_text(encoding="utf-8")
    plan = worker.Plan(
        buckets=4, columns=_layout(column_map), store_name="", settings_json="{}",
        offsets={(0, 0): 0, (0, -1): 0}, column_map=column_map,
        csv_header=tuple(str(cell) for cell in grid.rows[header_index]), sheets=(grid.name,),
        csv_dialect=csv_dialect(text), csv_above=header_index + 1,
    )  # fmt: skip
    return plan, text_lines(text)


def _titled(tmp_path: Path) -> Path:
    header, *rows = month_csv(tmp_path / "plain.csv", 2026, 10, 300, seed=5).read_text("utf-8").splitlines()
    rows[100:100] = ["", "", "C9,P9,10/05/2026,,,,,,,1"]  # blank rows (kept as rows), a row with no code
    path = tmp_path / "titled.csv"
    lines = ["Charge export", "Run 2026-11-02", "", header, *rows]
    path.write_text("\n".join(line.replace(",", ";") for line in lines) + "\n", encoding="utf-8")
    return path


def test_text_lines_read_in_the_check_stage_as_the_reader_reads_them(tmp_path: Path) -> None:
    """A plain CSV's prepare stage buckets its text lines by the reader's patient cell; the check stage reads
    them (in whatever order the shuffle brings them) into the reader's lines, rows and unreadable rows."""
    path = _titled(tmp_path)
    read = read_charges(path)
    plan, raw = _plan_and_lines(path)
    assert plan.csv_text
    prepared = pa.Table.from_batches(list(worker.prepare(raw.to_batches(max_chunksize=97), plan)))
    assert prepared.schema == worker.TEXT_SCHEMA and prepared.num_rows == 303  # title lines and header gone
    shuffled = prepared.take([(i * 7919) % prepared.num_rows for i in range(prepared.num_rows)])
    lines, ids, unreadable = read_text(shuffled.sort_by("line_id"), plan)
    assert [line.source.row for line in lines] == [line.source.row for line in read.lines]
    assert [line.hcpcs for line in lines] == [line.hcpcs for line in read.lines]
    assert [line.patient for line in lines] == [line.patient for line in read.lines]
    assert ids[:2] == [0, 1] and len(lines) == 300 and ids == sorted(ids)
    assert [(u.source.row, u.reason) for _id, u in unreadable] == [
        (u.source.row, u.reason) for u in read.unreadable
    ]
    assert [u.source.row for u in read.unreadable] == [107]
    bucket = dict(
        zip(prepared.column("line_id").to_pylist(), prepared.column("bucket").to_pylist(), strict=True)
    )
    assert [bucket[i] for i in ids] == [
        bucket_of(line.patient or None, i, 4) for line, i in zip(read.lines, ids, strict=True)
    ]


def test_the_typed_path_reads_title_lines_blank_rows_and_a_semicolon_dialect_as_the_reader(
    tmp_path: Path,
) -> None:
    """--history's and a wide layout's path: each batch of text lines read in the prepare stage."""
    path = _titled(tmp_path)
    read = read_charges(path)
    plan, raw = _plan_and_lines(path)
    tables, bad = [], []
    for batch in raw.to_batches(max_chunksize=97):  # batches that cut the title lines and the rows anywhere
        table, unreadable = parse_csv(batch, plan, *worker.line_ids(batch, plan))
        tables.append(table)
        bad.extend(unreadable)
    good = pa.concat_tables(tables).sort_by("line_id")
    assert good.column("source_row").to_pylist() == [line.source.row for line in read.lines]
    assert good.column("hcpcs").to_pylist() == [line.hcpcs for line in read.lines]
    assert good.column("patient_key").to_pylist() == [line.patient for line in read.lines]
    assert good.column("line_id").to_pylist()[:2] == [0, 1] and len(read.lines) == 300
    assert [(u.source.row, u.reason) for _id, u in bad] == [(u.source.row, u.reason) for u in read.unreadable]


def test_a_quoted_line_break_is_cut_at_its_line_and_the_other_lines_split_together() -> None:
    dialect = csv_dialect('a,b,c\n1,"x, y",3\n')
    assert cells_of(['1,"x, y",3', "", "4,5,6"], dialect) == [["1", "x, y", "3"], [], ["4", "5", "6"]]
    assert cells_of(['1,"open', 'close",3', "7,8,9"], dialect) == [
        ["1", "open"],
        ['close"', "3"],
        ["7", "8", "9"],
    ]


# lines whose patient cell (the second) Arrow cuts out, and lines it must leave to the csv module
TRICKY_LINES = [
    "C1,P1,10/01/2026", 'C1, P1 ,"Alvarez, Maria",x', 'C2,"P,2",y', 'C3,P"3,z', "C4,P\\,4", "", "C5",
    "C6,", ",P7", 'C8,P8,"open', "C9,P\x009,x", "C10,P\x01\u00a010 ,x", 'C11,P11,a"b,', "C12;P12;x",
    "C13,P13," + "x" * 200, "C14, P14,x", 'C15,"P15"x,y',
]  # fmt: skip
DIALECTS = [
    {}, {"delimiter": ";"}, {"escapechar": "\\"}, {"strict": True}, {"skipinitialspace": True},
    {"quoting": csv.QUOTE_NONE}, {"quotechar": "'", "doublequote": False},
]  # fmt: skip


@pytest.mark.parametrize("dialect", DIALECTS, ids=str)
@pytest.mark.parametrize("index", [0, 1, 2])
def test_patient_keys_are_the_cells_the_csv_module_splits(dialect: dict[str, object], index: int) -> None:
    """The prepare stage's patient cell, cut out by Arrow where the cells up to it are plain, is exactly the
    csv module's (cells_of) cleaned: quotes, escapes, a strict dialect's later quote, NUL, spaces after the
    delimiter, a short line, an empty one and a line over csv's field size limit (the limit set low)."""
    limit = csv.field_size_limit(100)
    try:
        cells = [row[index] if index < len(row) else "" for row in cells_of(TRICKY_LINES, dialect)]
        assert patient_keys(pa.array(TRICKY_LINES), index, dialect).to_pylist() == [
            clean_text(c) for c in cells
        ]
        cut = plain_cells(pa.array(TRICKY_LINES), index, dialect).to_pylist()
        assert [cell for cell, got in zip(cells, cut, strict=True) if got is not None] == [
            c for c in cut if c is not None
        ]
        assert plain_cells(pa.array(["C1,P1,x", 'C2,P2,"y, z"']), 1, {}).to_pylist() == ["P1", "P2"]
    finally:
        csv.field_size_limit(limit)


def test_a_reason_gets_the_file_s_row_in_its_cell_reference_and_nowhere_else() -> None:
    """The grid's row 50 becomes the file's row 1203 in the reference, never inside a value that holds the
    reference's text (a diagnosis K50.90, a modifier 'K50')."""
    assert moved_reason("K50: 'K50' is not a modifier", "K50", "K1203") == "K1203: 'K50' is not a modifier"
    assert moved_reason("date of service in K50: not a date", "K50", "K1203") == (
        "date of service in K1203: not a date"
    )
    assert moved_reason("no procedure code in H5", "H5", "H1203") == "no procedure code in H1203"
    # a value holding the reference's text before it, or a longer reference, is left alone
    assert moved_reason("K50.90 K500 in K50", "K50", "K1203") == "K50.90 K500 in K1203"
