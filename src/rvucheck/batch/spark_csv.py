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
import re
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
import pyarrow.compute as pc

from rvucheck.batch.contract import charge_table
from rvucheck.model import ChargeLine, UnreadableLine
from rvucheck.read.cells import clean_text

if TYPE_CHECKING:
    from rvucheck.batch.spark_worker import Plan

Dialect = dict[str, Any]  # csv.reader's format parameters (a sniffed dialect is a class that cannot travel)
# a plain CSV's text lines as the prepare stage places them, before their bucket (spark_worker.TEXT_SCHEMA)
TEXT_COLUMNS = pa.schema(
    [
        pa.field("line_id", pa.int64(), nullable=False),
        pa.field("csv_file", pa.int32()),
        pa.field("csv_row", pa.int64()),
        pa.field("text", pa.string()),
        pa.field("patient_key", pa.string()),
    ]
)
_FORMAT = ("delimiter", "quotechar", "escapechar", "doublequote", "skipinitialspace", "quoting", "strict")


def csv_dialect(sample: str) -> Dialect:
    """The dialect the reader splits the file with (read.sources.sniff_dialect), as parameters that travel."""
    from rvucheck.read.sources import sniff_dialect

    found = sniff_dialect(sample)
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
    line_id its place among the data rows of the input's files. The typed path (--history, a wide claim
    layout): a plain CSV goes as its text lines to the check stage (text_rows, read_text)."""
    keep = _below_header(rows, plan)
    if not keep:  # a batch of the lines above the header
        return charge_table([], columns=plan.columns), []
    texts = _kept(batch.column("value").to_pylist(), keep)
    row_ids = [ids[i] - (files[i] + 1) * plan.csv_above for i in keep]
    lines, line_ids, unreadable = _read(texts, plan, files[keep[0]], row_ids, [rows[i] for i in keep])
    return charge_table(lines, columns=plan.columns, ids=line_ids), unreadable


def text_rows(batch: pa.RecordBatch, plan: Plan, ids: pa.Array, files: pa.Array, rows: pa.Array) -> pa.Table:
    """The prepare stage of a plain CSV: each text line below the header with its line_id (parse_csv's),
    file, line in the file and patient key, the reader's cleaned patient cell (read.rows.LineBuilder's
    clean_text), from which the caller buckets it. Nothing else is read here: the check stage reads the
    lines once (read_text). `ids`, `files`, `rows`: Arrow arrays (spark_worker.line_id_arrays). Built by
    Arrow's compute functions, Python cleaning each distinct patient cell only: split and cleaned line by
    line in Python, this cost ~1.0 s of CPU per 200,000 lines, now ~0.3 s."""
    keep = pc.greater_equal(rows, plan.csv_above)
    texts = batch.column("value").filter(keep)
    ids, files, rows = ids.filter(keep), files.filter(keep), rows.filter(keep)
    patient = plan.column_map.single.get("patient")
    if patient is None:
        keys = pa.array([""] * len(texts), pa.string())
    else:
        keys = patient_keys(texts, patient, plan.csv_dialect or {})
    above = pc.multiply(pc.add(files.cast(pa.int64()), 1), plan.csv_above)
    columns = [pc.subtract(ids.cast(pa.int64()), above), files, rows, texts, keys]
    return pa.Table.from_arrays(
        [c.cast(f.type) for c, f in zip(columns, TEXT_COLUMNS, strict=True)], schema=TEXT_COLUMNS
    )


def patient_keys(texts: pa.Array, index: int, dialect: Dialect) -> pa.Array:
    """Each line's patient key: clean_text of its cell `index` (0-based), "" when the line has no such cell,
    the cell exactly as csv.reader splits the line with `dialect` (cells_of). A line whose cells up to that
    one are plain (plain_cells) has it cut out by Arrow; the others are split by the csv module. Each
    distinct cell is cleaned once (a month's patients repeat)."""
    cells = plain_cells(texts, index, dialect)
    if cells.null_count:  # a quoted cell (or the like) up to the patient's: those lines split by csv
        quoted = cells.is_null()
        rows = cells_of(texts.filter(quoted).to_pylist(), dialect)
        found = pa.array([row[index] if index < len(row) else "" for row in rows], pa.string())
        cells = pc.replace_with_mask(cells, quoted, found)
    distinct = cells.dictionary_encode()
    cleaned = pa.array([clean_text(cell) for cell in distinct.dictionary.to_pylist()], pa.string())
    return pc.take(cleaned, distinct.indices)


def plain_cells(texts: pa.Array, index: int, dialect: Dialect) -> pa.Array:
    """Each line's cell `index` when csv.reader would read it as str.split(delimiter) does, else null: the
    cells up to it hold no quote or escape character, the line no line break (csv refuses one in an
    unquoted cell) or NUL and no more characters than csv's field size limit (nothing in the rest of the
    line can then make csv fail; a strict dialect's quotes can, so under one the whole line must be plain),
    under a dialect that reads every cell as text (not QUOTE_NONNUMERIC's numbers) and keeps spaces after a
    delimiter."""
    used = csv.reader([], **dialect).dialect  # the dialect's values, csv's defaults for the ones not given
    if used.skipinitialspace or used.quoting not in (csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE):
        return pa.nulls(len(texts), pa.string())
    quoting = (used.quotechar or "") + (used.escapechar or "")
    stops = _chars(used.delimiter + quoting + "\r\n\x00", negated=True)
    delimiter = _chars(used.delimiter)
    cut = pc.extract_regex(texts, f"^(?:{stops}*{delimiter}){{{index}}}(?P<cell>{stops}*)(?:{delimiter}|$)")
    refused = pc.or_(
        pc.match_substring_regex(texts, _chars("\r\n\x00" + (quoting if used.strict else ""))),
        pc.greater(pc.utf8_length(texts), csv.field_size_limit()),
    )
    cell = cut.flatten()[0]  # null where the pattern did not match (field() would give its child's "")
    return pc.if_else(refused, pa.nulls(len(texts), pa.string()), cell)


def _chars(chars: str, negated: bool = False) -> str:
    """An RE2 class of `chars` (or of any character but them), each as \\x{hex} whatever it is."""
    return ("[^" if negated else "[") + "".join(f"\\x{{{ord(char):x}}}" for char in chars) + "]"


def read_text(
    table: pa.Table, plan: Plan
) -> tuple[list[ChargeLine], list[int], list[tuple[int, UnreadableLine]]]:
    """The check stage of a plain CSV: text_rows' rows (in line_id order) read into ChargeLines by the
    reader's line builder, each file's rows on a grid of their own (the file's sheet name): (lines, their
    line_ids, the unreadable rows with theirs)."""
    files = table.column("csv_file").to_pylist()
    texts = table.column("text").to_pylist()
    ids = table.column("line_id").to_pylist()
    rows = table.column("csv_row").to_pylist()
    lines: list[ChargeLine] = []
    line_ids: list[int] = []
    unreadable: list[tuple[int, UnreadableLine]] = []
    start = 0
    while start < len(files):
        end = start + 1
        while end < len(files) and files[end] == files[start]:
            end += 1
        found, found_ids, bad = _read(texts[start:end], plan, files[start], ids[start:end], rows[start:end])
        lines.extend(found)
        line_ids.extend(found_ids)
        unreadable.extend(bad)
        start = end
    return lines, line_ids, unreadable


def _below_header(rows: list[int], plan: Plan) -> list[int]:
    return [i for i, row in enumerate(rows) if row >= plan.csv_above]


def _kept(texts: list[str], keep: list[int]) -> list[str]:
    return texts if len(keep) == len(texts) else [texts[i] for i in keep]


def _read(
    texts: list[str], plan: Plan, file: int, ids: list[int], rows: list[int]
) -> tuple[list[ChargeLine], list[int], list[tuple[int, UnreadableLine]]]:
    """Text lines of one file read as the reader reads them; `ids`: each line's line_id, `rows`: its line in
    the file from 0. The lines get their file's row numbers (the grid's are the batch's)."""
    from rvucheck.read.charges import read_rows
    from rvucheck.read.sources import SheetGrid

    cells = cast(list[list[object]], cells_of(texts, plan.csv_dialect or {}))  # the csv module's str cells
    grid: list[list[object]] = [list(plan.csv_header), *cells]
    read = read_rows(SheetGrid(plan.sheets[file], grid), 0, plan.column_map, "csv")
    seen: dict[int, int] = {}  # lines numbered so far per grid row (a wide layout's slots)
    grid_rows = [line.source.row for line in read.lines]
    if plan.column_map.slots:
        placed = _placed(grid_rows, _where(ids, rows), plan, seen)
    else:  # a line per row: grid row r (the header is row 1) is text line r - 2; no dict of every row
        placed = [(ids[r - 2], rows[r - 2] + 1) for r in grid_rows]
        seen = dict.fromkeys(grid_rows, 0) if read.unreadable else seen
    for line, (_line_id, row_number) in zip(read.lines, placed, strict=True):
        # the reader made this CellRef for this line alone: set in place (frozen, not slotted), as
        # contract._sources builds them, where dataclasses.replace of every line would cost a copy each
        object.__setattr__(line.source, "row", row_number)
    unreadable = []
    where = _where(ids, rows) if read.unreadable else {}
    for item, (line_id, row_number) in zip(
        read.unreadable, _placed([u.source.row for u in read.unreadable], where, plan, seen), strict=True
    ):
        moved = dataclasses.replace(item.source, row=row_number)
        reason = moved_reason(item.reason, item.source.a1(), moved.a1())
        unreadable.append((line_id, dataclasses.replace(item, source=moved, reason=reason)))
    return read.lines, [line_id for line_id, _row in placed], unreadable


def moved_reason(reason: str, old: str, new: str) -> str:
    """The reader's reason with its cell reference `old` (the grid's row) made `new` (the file's): the first
    whole reference only. The reader's reasons name their cell before any value from it (read.rows), and a
    value may hold the reference's text (row 50 of column K beside the diagnosis K50.90, a modifier 'K50')."""
    return re.sub(rf"(?<![\w.]){re.escape(old)}(?![\w.])", lambda _found: new, reason, count=1)


def _where(ids: list[int], rows: list[int]) -> dict[int, tuple[int, int]]:
    """grid row (the header is row 1) -> (line_id, the file's row number) of each text line."""
    return {n + 2: (line_id, row + 1) for n, (line_id, row) in enumerate(zip(ids, rows, strict=True))}


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
