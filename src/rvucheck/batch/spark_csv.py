"""A CSV on `--engine spark`: Spark reads its text lines (`spark.read.text`), the workers split them into
cells with the dialect the single-process reader sniffs and read the rows with the reader's own line builder.

    dialect = csv_dialect(first_chars)          # on the driver, from the file's first lines
    table, unreadable = parse_csv(batch, plan, ids, files, rows)   # on a worker, a batch of text lines

Why the text and not Spark's CSV source: Spark's CSV parser skips blank lines (so a row's number would not be
its line's), keeps only a first header line (a title above the header could not be skipped), splits by its
own quoting rules rather than the sniffed dialect, and costs the driver JVM more: a parse per line and an
Arrow column per CSV column sent to Python, where the text is one column.
"""

from __future__ import annotations

import csv
import dataclasses
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa

from rvucheck.batch.contract import CHARGE_SCHEMA, charge_table
from rvucheck.model import UnreadableLine

if TYPE_CHECKING:
    from rvucheck.batch.spark_worker import Plan

Dialect = dict[str, Any]  # csv.reader's format parameters (a sniffed dialect is a class that cannot travel)
SNIFF_CHARS = 65_536  # the characters the reader sniffs its dialect from (read.sources)
_DELIMITERS = ",;\t|"  # the delimiters the reader's sniffer chooses among
_FORMAT = ("delimiter", "quotechar", "escapechar", "doublequote", "skipinitialspace", "quoting", "strict")


def csv_dialect(sample: str) -> Dialect:
    """The dialect read.sources sniffs from a file's first SNIFF_CHARS characters (Excel's when none)."""
    try:
        found: Any = csv.Sniffer().sniff(sample[:SNIFF_CHARS], delimiters=_DELIMITERS)
    except csv.Error:
        found = csv.excel
    return {name: getattr(found, name) for name in _FORMAT if hasattr(found, name)}


def split_lines(lines: list[str], dialect: Dialect) -> list[list[str]] | None:
    """Each line's cells, or None when the lines are not one record each (a quoted cell with a line
    break, which spans lines; a cell over csv's size limit)."""
    try:
        records = list(csv.reader(lines, **dialect))
    except csv.Error:
        return None
    return records if len(records) == len(lines) else None


def cells_of(lines: list[str], dialect: Dialect) -> list[list[str]]:
    """Each line's cells: the lines split together (fast), else one at a time (a quoted line break is cut at
    the line's end, as a line-by-line read must cut it)."""
    found = split_lines(lines, dialect)
    if found is not None:
        return found
    alone = [split_lines([line], dialect) for line in lines]
    return [one[0] if one else [line] for one, line in zip(alone, lines, strict=True)]


def parse_csv(
    batch: pa.RecordBatch, plan: Plan, ids: list[int], files: list[int], rows: list[int]
) -> tuple[pa.Table, list[tuple[int, UnreadableLine]]]:
    """A batch of a CSV's text lines read as the single-process reader reads the file (read.charges): the
    same header mapping, line builder, totals and blank rows. `ids`, `files` and `rows`: each line's place
    among the input's lines, its file and its line in the file from 0 (spark_worker.line_ids). The lines
    down to the header (plan.csv_above in every file) are not read; a row's number is its line's, and its
    line_id its place among the data rows of the input's files."""
    from rvucheck.read.charges import read_rows
    from rvucheck.read.sources import SheetGrid

    above = plan.csv_above
    keep = [i for i, row in enumerate(rows) if row >= above]
    if not keep:  # a batch of the lines above the header
        return charge_table([], columns=plan.columns), []
    texts = batch.column("value").to_pylist()
    if len(keep) < len(texts):
        texts = [texts[i] for i in keep]
    cells = cast(list[list[object]], cells_of(texts, plan.csv_dialect or {}))  # the csv module's str cells
    grid: list[list[object]] = [list(plan.csv_header), *cells]
    read = read_rows(SheetGrid(plan.sheets[files[keep[0]]], grid), 0, plan.column_map, "csv")
    # grid row (header = 1) -> (line_id, the file's row number)
    where = {n + 2: (ids[i] - (files[i] + 1) * above, rows[i] + 1) for n, i in enumerate(keep)}
    seen: dict[int, int] = {}  # the lines keep the batch's rows: the table gets the file's instead
    placed = _placed([line.source.row for line in read.lines], where, plan, seen)
    table = charge_table(read.lines, columns=plan.columns)
    for name, values in (("line_id", [p[0] for p in placed]), ("source_row", [p[1] for p in placed])):
        index = CHARGE_SCHEMA.get_field_index(name)
        table = table.set_column(index, CHARGE_SCHEMA.field(name), pa.array(values, pa.int64()))
    unreadable = []
    for item, (line_id, row_number) in zip(
        read.unreadable, _placed([u.source.row for u in read.unreadable], where, plan, seen), strict=True
    ):
        moved = dataclasses.replace(item.source, row=row_number)
        reason = item.reason.replace(item.source.a1(), moved.a1())
        unreadable.append((line_id, dataclasses.replace(item, source=moved, reason=reason)))
    return table, unreadable


def _placed(
    grid_rows: list[int], where: dict[int, tuple[int, int]], plan: Plan, seen: dict[int, int]
) -> list[tuple[int, int]]:
    """(line_id, the file's row number) of each line read from the grid's rows: a wide layout's row holds
    a line per slot, numbered row_id * (slots + 1) + k (`seen`: lines numbered so far per row)."""
    width = len(plan.column_map.slots) + 1 if plan.column_map.slots else 1
    placed = []
    for grid_row in grid_rows:
        line_id, row_number = where[grid_row]
        k = seen[grid_row] = seen.get(grid_row, -1) + 1
        placed.append((line_id * width + k, row_number))
    return placed
