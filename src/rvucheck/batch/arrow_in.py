"""Charge lines from a Parquet file (or any Arrow batches) as CHARGE_SCHEMA tables, batch by batch.

The columns are recognised by their names as a spreadsheet's headers are (read.headers, `--map` and the
config's [columns] win), and every value goes through the reader's own cell parsers (read.cells), so a
Parquet file and the same charges in a CSV give the same lines. A parser runs once per distinct value of a
batch (Arrow dictionary encoding), not once per row. A row the reader would not use (no code, a date or
units it cannot read) is reported unreadable (RD01) with its row number, never dropped.
Row numbers: the Parquet file's rows from 1, as `line_id + 1`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from rvucheck.batch.contract import BLANKED, CHARGE_SCHEMA, Columns, with_layout
from rvucheck.errors import InputFileError
from rvucheck.model import CellRef, UnreadableLine
from rvucheck.read import cells
from rvucheck.read.headers import ColumnMap, map_headers

BATCH_ROWS = 65_536
_TEXT = ("provider", "provider_npi", "specialty", "group", "payer", "claim", "note_status")


@dataclass(frozen=True)
class ParquetInput:
    path: Path
    column_map: ColumnMap
    names: tuple[str, ...]
    rows: int
    files: tuple[str, ...] = ()  # a Delta table's active Parquet files, in order (batch.delta); () the path

    @property
    def layout(self) -> Columns:
        found = self.column_map.columns_of().items()
        return tuple(sorted(((name, cols[0]) for name, cols in found), key=lambda pair: (pair[1], pair[0])))

    def batches(self, batch_rows: int = BATCH_ROWS) -> Iterator[tuple[pa.Table, list[UnreadableLine]]]:
        """(CHARGE_SCHEMA table, unreadable rows) per batch of the file; line_ids count from 0."""
        wanted = sorted(
            {*self.column_map.single.values(), *(i for c in self.column_map.multi.values() for i in c)}
        )
        columns = [self.names[i] for i in wanted]
        first = 0
        for source in self.files or (str(self.path),):
            with _open_file(source) as handle:
                for batch in handle.iter_batches(batch_size=batch_rows, columns=columns):
                    table = pa.Table.from_batches([batch])
                    yield convert(table, self.column_map, self.names, first, self.path.name, self.layout)
                    first += table.num_rows


def open_parquet(path: Path, mapping: Mapping[str, Sequence[str]] | None = None) -> ParquetInput:
    """The Parquet file's columns recognised (one line error when it is not Parquet or has no code column)."""
    try:
        meta = pq.read_metadata(path)
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(
            f"{path}: not a readable Parquet file ({type(exc).__name__}); check the file"
        ) from None
    names = tuple(schema.names)
    return ParquetInput(path, recognise(path, names, mapping), names, meta.num_rows)


def open_delta(path: Path, mapping: Mapping[str, Sequence[str]] | None = None) -> ParquetInput:
    """A Delta table's current snapshot (batch.delta: its active Parquet files, read in order)."""
    from rvucheck.batch.delta import delta_snapshot

    snapshot = delta_snapshot(str(path))
    column_map = recognise(path, snapshot.names, mapping)
    return ParquetInput(path, column_map, snapshot.names, snapshot.rows, snapshot.files)


def recognise(
    path: Path | str, names: Sequence[str], mapping: Mapping[str, Sequence[str]] | None
) -> ColumnMap:
    """A table's columns recognised by their names as a spreadsheet's headers are (one-line errors when
    --map names a column it does not have, or it has no procedure code column)."""
    try:
        column_map = map_headers(list(names), dict(mapping) if mapping else None)
    except KeyError as exc:
        raise InputFileError(f"{path}: --map names column {exc.args[0]!r}, which it does not have") from None
    if "hcpcs" not in column_map.single:
        raise InputFileError(
            f"{path}: no procedure code column (CPT/HCPCS) among its {len(names)} columns; "
            "name it with --map hcpcs=COLUMN"
        )
    return column_map


def _open_file(source: str) -> pq.ParquetFile:
    """A Parquet file by its path, or by its URI (a Delta table's files on an object store)."""
    if "://" not in source:
        return pq.ParquetFile(source)
    from pyarrow import fs

    system, where = fs.FileSystem.from_uri(source)
    return pq.ParquetFile(system.open_input_file(where))


def convert(
    table: pa.Table, column_map: ColumnMap, names: Sequence[str], first_id: int, sheet: str, layout: Columns
) -> tuple[pa.Table, list[UnreadableLine]]:
    """One batch of the input's own columns -> (CHARGE_SCHEMA table of its readable rows, unreadable rows)."""
    batch = _Batch(table, column_map, names, first_id, sheet)
    out = batch.columns()
    n = table.num_rows
    result = pa.Table.from_arrays([out[f.name] for f in CHARGE_SCHEMA], schema=CHARGE_SCHEMA)
    code_column = column_map.single["hcpcs"] + 1
    unreadable = [
        UnreadableLine(CellRef(sheet, first_id + i + 1, code_column), reason)
        for i, reason in sorted(batch.bad.items())
    ]
    if batch.bad:
        result = result.filter(pa.array([i not in batch.bad for i in range(n)]))
    return with_layout(result, layout), unreadable


_DATE, _F64, _STR = pa.date32(), pa.float64(), pa.string()
_LIST = pa.list_(pa.string())
# field -> (the reader's parser, Arrow type): a value it cannot read is taken as absent (as the reader does)
_LENIENT: dict[str, tuple[Callable[[Any], Any], pa.DataType]] = {
    "posted": (cells.parse_date, _DATE), "birth_date": (cells.parse_date, _DATE),
    "signed": (cells.parse_date, _DATE), "charge": (cells.parse_money, _F64),
    "age": (cells.parse_age, pa.int32()), "minutes": (cells.parse_minutes, _F64),
    "attachment": (cells.parse_flag, pa.bool_()), "pos": (cells.normalize_pos, _STR),
}  # fmt: skip


class _Batch:
    """One batch's conversion; `bad`: row index -> why the row cannot be read (as the reader words it)."""

    def __init__(self, table: pa.Table, column_map: ColumnMap, names: Sequence[str], first: int, sheet: str):
        self.table, self.map, self.names, self.first, self.sheet = table, column_map, names, first, sheet
        self.n = table.num_rows
        self.bad: dict[int, str] = {}

    def _column(self, index: int) -> pa.Array:
        return self.table.column(self.names[index]).combine_chunks()

    def _ref(self, row: int, index: int) -> str:
        return CellRef(self.sheet, self.first + row + 1, index + 1).a1()

    def columns(self) -> dict[str, pa.Array]:
        single, n = self.map.single, self.n
        out: dict[str, pa.Array] = {"line_id": pa.array(range(self.first, self.first + n), pa.int64())}
        codes = _each(self._column(single["hcpcs"]), cells.split_code)
        out["hcpcs"] = pa.array([code for code, _mods in codes], _STR)
        for i, (code, _mods) in enumerate(codes):
            if not code:
                self.bad.setdefault(i, f"no procedure code in {self._ref(i, single['hcpcs'])}")
        out["patient_key"] = self._text("patient") if "patient" in single else pa.nulls(n, _STR)
        out["history"] = pa.array([False] * n, pa.bool_())
        out["modifiers"] = pa.array(self._joined("modifiers", [mods for _code, mods in codes]), _LIST)
        out["diagnoses"] = pa.array(self._joined("diagnoses", [() for _ in range(n)]), _LIST)
        out["units"] = self._strict("units", cells.parse_units, _F64, "{ref}: {exc}", default=1.0)
        out["dos"] = self._strict("dos", cells.parse_date, _DATE, "date of service in {ref}: {exc}")
        for name, (parse, kind) in _LENIENT.items():
            out[name] = self._lenient(name, parse, kind)
        for name in _TEXT:
            out[name] = self._text(name)
        if "provider_npi" not in single and "provider" in single:  # a 10-digit provider is its NPI
            out["provider_npi"] = pa.array(
                [p if len(p) == 10 and p.isdigit() else "" for p in out["provider"].to_pylist()], _STR
            )
        out["source_sheet"] = pa.array([self.sheet] * n, _STR)
        out["source_row"] = pc.add(out["line_id"], 1)
        out["source_column"] = pa.array([single["hcpcs"] + 1] * n, pa.int32())
        out["source_unit"] = pa.nulls(n, _STR)  # a table's rows
        out["source_blanked"] = pa.nulls(n, BLANKED)  # a table's values are no formulas' results
        return out

    def _text(self, name: str) -> pa.Array:
        if name not in self.map.single:
            return pa.array([""] * self.n, _STR)
        return pa.array(_each(self._column(self.map.single[name]), cells.clean_text), _STR)

    def _joined(self, name: str, start: list[tuple[str, ...]]) -> list[list[str]]:
        parse = cells.split_modifiers if name == "modifiers" else cells.split_diagnoses
        values = [list(v) for v in start]
        for index in self.map.multi.get(name, ()):
            array = self._column(index)
            if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
                array = pc.binary_join(pc.cast(array, pa.list_(_STR)), ",")
            for i, found in enumerate(_each(array, parse, error=True)):
                if isinstance(found, cells.BadValue):
                    self.bad.setdefault(i, f"{self._ref(i, index)}: {found}")
                elif found:
                    values[i].extend(found)
        return [list(dict.fromkeys(v)) if len(set(v)) != len(v) else v for v in values]

    def _strict(
        self, name: str, parse: Callable[[Any], Any], kind: pa.DataType, reason: str, default: Any = None
    ) -> pa.Array:
        if name not in self.map.single:
            return pa.array([default] * self.n, kind)
        index = self.map.single[name]
        found = _each(self._column(index), parse, error=True)
        for i, value in enumerate(found):
            if isinstance(value, cells.BadValue):
                self.bad.setdefault(i, reason.format(ref=self._ref(i, index), exc=value))
                found[i] = default
        return pa.array(found, kind)

    def _lenient(self, name: str, parse: Callable[[Any], Any], kind: pa.DataType) -> pa.Array:
        if name not in self.map.single:
            return pa.nulls(self.n, kind) if kind != _STR else pa.array([""] * self.n, _STR)
        found = _each(self._column(self.map.single[name]), parse, error=True)
        return pa.array([None if isinstance(v, cells.BadValue) else v for v in found], kind)


def _each(array: pa.Array, parse: Callable[[Any], Any], error: bool = False) -> list[Any]:
    """parse(value) for every value of `array` (None for null), computed once per distinct value; with
    `error`, a value the parser refuses gives its BadValue instead of raising."""
    encoded = array.dictionary_encode() if not pa.types.is_dictionary(array.type) else array
    parsed = []
    for value in encoded.dictionary.to_pylist():
        try:
            parsed.append(parse(value))
        except cells.BadValue as exc:
            if not error:
                raise
            parsed.append(exc)
    blank = parse("") if not error else _safe(parse)
    return [blank if i is None else parsed[i] for i in encoded.indices.to_pylist()]


def _safe(parse: Callable[[Any], Any]) -> Any:
    try:
        return parse("")
    except cells.BadValue as exc:
        return exc
