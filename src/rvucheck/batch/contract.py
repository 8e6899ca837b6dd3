"""The Arrow batch contract: what a scaled-out engine (local process pool, Spark `mapInArrow`) sends to a
worker and gets back. One call checks one bucket of charge lines:

    session = open_worker_session(store_dir, settings_json)     # once per worker process (cached)
    results, findings = check_arrow(bucket, session)           # pyarrow Tables in, pyarrow Tables out

- CHARGE_SCHEMA: one row per charge line. `line_id` (int64) is the line's stable place in the whole input:
  the engine judges lines in `line_id` order (the duplicate's "first row" and the multiple-procedure ranks
  depend on it), so a bucket may arrive in any order. `patient_key` links lines of one patient; blank or
  null links the line with no other (each such line is a patient of its own, as the engine treats a blank
  patient cell). `history` rows are earlier months' lines of the same patients: context for global periods,
  the new-patient rule and frequency limits, never reported. The other columns are ChargeLine's fields.
- Which fields the export HAS (its layout: the RD04-RD07 / RD14-RD16 notes, the rules that need a column)
  is one fact of the whole input, never of a bucket: pass `columns` (field -> 1-based column), or leave a
  table's absent fields out of it / record them with `with_layout`. A bucket must not decide it from its
  own values.
- RESULT_SCHEMA: one row per (non-history) line: the engine's computed values.
- FINDING_SCHEMA: one row per finding of a line; rows with a null `line_id` are the bucket's run-level notes
  (stale data, substituted release, missing columns): merge them across buckets with batch.notes (never
  report a bucket's notes as the run's).
- bucket_of(patient_key, line_id, n): the bucket of a line, stable across processes and machines.

Reference data travels as the SQLite store directory, opened read-only and immutable on each worker.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rvucheck.batch.worker_settings import settings_from_json, settings_to_json
from rvucheck.gc_pause import paused_gc
from rvucheck.model import BlankedRef, CellRef, ChargeLine, Finding, LineResult, Report, SegmentRef
from rvucheck.session import Session
from rvucheck.settings import Settings

LAYOUT_KEY = b"rvucheck.columns"  # schema metadata: JSON [[field, column], ...] of the export's layout
_STR, _DATE, _F64 = pa.string(), pa.date32(), pa.float64()
_LIST = pa.list_(pa.string())
# a line's cells that held an Excel error and were read as blank: (1-based column, error) each, null for none
BLANKED = pa.list_(pa.struct([pa.field("column", pa.int32()), pa.field("error", _STR)]))

# ChargeLine field -> Arrow type, in ChargeLine's order (source and columns travel apart: see below)
LINE_FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("hcpcs", _STR), ("modifiers", _LIST), ("units", _F64), ("dos", _DATE), ("provider", _STR),
    ("provider_npi", _STR), ("specialty", _STR), ("group", _STR), ("diagnoses", _LIST), ("pos", _STR),
    ("charge", _F64), ("payer", _STR), ("claim", _STR), ("posted", _DATE), ("birth_date", _DATE),
    ("age", pa.int32()), ("minutes", _F64), ("note_status", _STR), ("signed", _DATE),
    ("attachment", pa.bool_()),
)  # fmt: skip
CHARGE_SCHEMA = pa.schema(
    [
        pa.field("line_id", pa.int64(), nullable=False),
        pa.field("patient_key", _STR),  # blank / null: linked with no other line
        pa.field("history", pa.bool_()),  # null counts as False
        *(pa.field(name, kind) for name, kind in LINE_FIELDS),
        pa.field("source_sheet", _STR),  # where the line came from (row references only, never data)
        pa.field("source_row", pa.int64()),
        pa.field("source_column", pa.int32()),  # 1-based, the code's column as the reader gives it
        pa.field("source_unit", _STR),  # what source_row counts: null for a row, "segment" for an 837's line
        pa.field("source_blanked", BLANKED),  # cells with an Excel error read as blank (model.BlankedRef)
    ]
)
RESULT_SCHEMA = pa.schema(
    [
        pa.field("line_id", pa.int64(), nullable=False),
        pa.field("work_rvu", _F64), pa.field("credited_work_rvu", _F64), pa.field("total_rvu", _F64),
        pa.field("payment", _F64), pa.field("global_days", _STR), pa.field("status_code", _STR),
        pa.field("release", _STR), pa.field("rank", pa.int32()), pa.field("reduction", _F64),
        pa.field("basis", _STR), pa.field("findings", pa.int32()), pa.field("worst_severity", _STR),
        pa.field("dollars_at_stake", _F64),
    ]
)  # fmt: skip
FINDING_SCHEMA = pa.schema(
    [
        pa.field("line_id", pa.int64()),  # null: a run-level note of the bucket
        pa.field("rule_id", _STR, nullable=False), pa.field("severity", _STR, nullable=False),
        pa.field("message", _STR, nullable=False), pa.field("field", _STR), pa.field("fix", _STR),
        pa.field("ref", _STR), pa.field("dollars_at_stake", _F64), pa.field("wrvu_at_stake", _F64),
        pa.field("source_sheet", _STR), pa.field("source_row", pa.int64()),
    ]
)  # fmt: skip
Columns = tuple[tuple[str, int], ...]
__all__ = [
    "CHARGE_SCHEMA", "FINDING_SCHEMA", "RESULT_SCHEMA", "bucket_of", "charge_table", "check_arrow", "conform",
    "layout_of", "lines_of", "open_worker_session", "settings_from_json", "settings_to_json", "values_of",
    "with_layout",
]  # fmt: skip
_LINKING_FIELDS = frozenset(name for name, _kind in LINE_FIELDS) | {"patient"}


def bucket_of(patient_key: str | None, line_id: int, n: int) -> int:
    """The bucket (0..n-1) of a line: a hash of its patient key (blake2b, the same in every process and on
    every machine, unlike Python's salted hash()); a line with a blank key goes by its line_id and is linked
    with no one in any case."""
    if n <= 1:
        return 0
    key = patient_key.encode("utf-8") if patient_key else b"\x00" + line_id.to_bytes(8, "little", signed=True)
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") % n


def layout_of(table: pa.Table) -> Columns:
    """The export's layout a table carries: its LAYOUT_KEY metadata, else the fields it has a column for
    (patient when it has patient_key), numbered in the table's order."""
    meta = table.schema.metadata or {}
    if LAYOUT_KEY in meta:
        return tuple((str(name), int(col)) for name, col in json.loads(meta[LAYOUT_KEY]))
    names = ["patient" if name == "patient_key" else name for name in table.column_names]
    return tuple((name, i + 1) for i, name in enumerate(names) if name in _LINKING_FIELDS)


def with_layout(table: pa.Table, columns: Columns) -> pa.Table:
    """`table` carrying the export's layout in its schema metadata (kept by Parquet files)."""
    meta = dict(table.schema.metadata or {})
    meta[LAYOUT_KEY] = json.dumps([list(pair) for pair in columns]).encode()
    return table.replace_schema_metadata(meta)


def conform(table: pa.Table, columns: Columns | None = None) -> pa.Table:
    """`table` with CHARGE_SCHEMA's columns in order and types (absent ones null), its layout recorded first
    (so the fields it lacked stay absent)."""
    layout = columns if columns is not None else layout_of(table)
    arrays = []
    for field in CHARGE_SCHEMA:
        if field.name in table.column_names:
            arrays.append(table.column(field.name).cast(field.type))
        elif field.name == "history":
            arrays.append(pa.array([False] * table.num_rows, pa.bool_()))
        else:
            arrays.append(pa.nulls(table.num_rows, field.type))
    return with_layout(pa.Table.from_arrays(arrays, schema=CHARGE_SCHEMA), layout)


def charge_table(
    lines: Sequence[ChargeLine],
    first_id: int = 0,
    history: bool = False,
    columns: Columns | None = None,
    ids: Sequence[int] | None = None,
    names: Sequence[str] | None = None,
) -> pa.Table:
    """ChargeLines as a CHARGE_SCHEMA table (line_id from `first_id` in the given order, or each line's of
    `ids`); the layout is `columns`, else the lines' own (the reader gives every line its file's). `names`:
    only these columns, in this order (a check stage's output columns: the others are not built)."""
    with paused_gc():
        return _charge_table(lines, first_id, history, columns, ids, names or CHARGE_SCHEMA.names)


def _charge_table(
    lines: Sequence[ChargeLine],
    first_id: int,
    history: bool,
    columns: Columns | None,
    ids: Sequence[int] | None,
    names: Sequence[str],
) -> pa.Table:
    made: dict[str, Callable[[], list[Any]]] = {
        "line_id": lambda: list(ids) if ids is not None else list(range(first_id, first_id + len(lines))),
        "patient_key": lambda: [line.patient for line in lines],
        "history": lambda: [history] * len(lines),
        "source_sheet": lambda: [line.source.sheet for line in lines],
        "source_row": lambda: [line.source.row for line in lines],
        "source_column": lambda: [line.source.column for line in lines],
        "source_unit": lambda: [None if line.source.unit == "row" else line.source.unit for line in lines],
        "source_blanked": lambda: [
            [{"column": column, "error": error} for column, error in line.source.blanked]
            if type(line.source) is BlankedRef
            else None
            for line in lines
        ],
    }
    data = {name: made[name]() if name in made else [getattr(line, name) for line in lines] for name in names}
    schema = pa.schema([CHARGE_SCHEMA.field(name) for name in names])
    layout = columns if columns is not None else (lines[0].columns if lines else ())
    return with_layout(pa.Table.from_pydict(data, schema=schema), layout)


def lines_of(table: pa.Table, columns: Columns) -> tuple[list[ChargeLine], list[ChargeLine]]:
    """(this month's lines, history lines) of a CHARGE_SCHEMA table, both in line_id order. Built column by
    column (nulls filled by Arrow, one Python list per field, each date made once), each line by the
    positional constructor, with the cyclic collector paused: building lines is as costly as checking them
    when done value by value, and a collection pass over the live lines costs more than building them."""
    with paused_gc():
        return _lines_of(table.sort_by("line_id"), columns)


def _lines_of(table: pa.Table, columns: Columns) -> tuple[list[ChargeLine], list[ChargeLine]]:
    n = table.num_rows
    values: dict[str, list[Any]] = {}
    for name, _kind in LINE_FIELDS:
        default = 1.0 if name == "units" else _DEFAULTS.get(name)
        values[name] = values_of(table.column(name), default)
    for name in ("modifiers", "diagnoses"):
        values[name] = [tuple(v) if v else () for v in values[name]]
    values["patient"] = table.column("patient_key").fill_null("").to_pylist()
    values["source"] = _sources(table)
    values["columns"] = [columns] * n
    history = table.column("history").fill_null(False)
    names, make = _maker(ChargeLine, values)
    states = zip(*(values[name] for name in names), strict=True)
    if names == _LINE_ORDER:  # all of ChargeLine's fields, in order: its positional constructor
        built = list(itertools.starmap(ChargeLine, states))
    else:
        built = [make(names, state) for state in states]
    if not pc.any(history).as_py():  # no history line: every line is this month's
        return built, []
    current: list[ChargeLine] = []
    past: list[ChargeLine] = []
    for flag, line in zip(history.to_pylist(), built, strict=True):
        (past if flag else current).append(line)
    return current, past


def values_of(column: pa.ChunkedArray, default: Any = None) -> list[Any]:
    """A column's values as Python objects (nulls as `default`); a date column's through the dictionary of
    its distinct dates (a month has ~30: one date object each, not one per line)."""
    if default is not None:
        column = column.fill_null(default)
    if not pa.types.is_date32(column.type) or not len(column):
        return column.to_pylist()
    encoded = column.combine_chunks().dictionary_encode()
    dates = encoded.dictionary.to_pylist()
    return [None if index is None else dates[index] for index in encoded.indices.to_pylist()]


def _sources(table: pa.Table) -> list[CellRef]:
    """Each line's CellRef (a SegmentRef for an 837's line, a BlankedRef for a row whose cells held Excel
    errors), its state set in place (CellRef is frozen, not slotted: its __init__ sets each field through
    object.__setattr__)."""
    sheets = table.column("source_sheet").fill_null("").to_pylist()
    rows = table.column("source_row").fill_null(0).to_pylist()
    cols = table.column("source_column").to_pylist()
    units = table.column("source_unit").to_pylist()
    new = object.__new__
    sources = []
    for sheet, row, col, unit in zip(sheets, rows, cols, units, strict=True):
        source = new(SegmentRef if unit == SegmentRef.unit else CellRef)
        state = source.__dict__
        state["sheet"], state["row"], state["column"] = sheet, row, col
        sources.append(source)
    blanked = table.column("source_blanked")
    if blanked.null_count < len(blanked):  # rare: a row whose cells held Excel errors
        for index, cells in enumerate(blanked.to_pylist()):
            if cells:
                plain = sources[index]
                sources[index] = BlankedRef(
                    plain.sheet, plain.row, plain.column, tuple((c["column"], c["error"]) for c in cells)
                )
    return sources


def _maker(cls: type, given: Iterable[str]) -> tuple[tuple[str, ...], Any]:
    """(field names in the order to pass them, a fast constructor of a frozen dataclass from those names'
    values). A slotted class (ChargeLine, model.fast_init) is called positionally when the names are its
    leading fields (keyword arguments cost twice as much); otherwise each object's state is set in one step,
    skipping __init__'s per-field object.__setattr__ (what audit.keys.PatientKeyer.apply does)."""
    given = tuple(given)
    if "__slots__" in cls.__dict__:
        fields = tuple(field.name for field in dataclasses.fields(cls))
        if set(given) == set(fields[: len(given)]):
            return fields[: len(given)], lambda names, state: cls(*state)
        return given, lambda names, state: cls(**dict(zip(names, state, strict=True)))
    new = object.__new__

    def make(names: tuple[str, ...], state: tuple[Any, ...]) -> Any:
        obj: Any = new(cls)
        obj.__dict__.update(zip(names, state, strict=True))
        return obj

    return given, make


_LINE_ORDER = tuple(field.name for field in dataclasses.fields(ChargeLine))
_DEFAULTS: dict[str, Any] = {"hcpcs": "", "provider": "", "provider_npi": "", "specialty": "", "group": "",
                             "pos": "", "payer": "", "claim": "", "note_status": ""}  # fmt: skip


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def check_arrow(
    table: pa.Table, session: Session, columns: Columns | None = None
) -> tuple[pa.Table, pa.Table]:
    """Check one bucket: (results, findings) as RESULT_SCHEMA / FINDING_SCHEMA tables, in line_id order.
    `columns`: the whole input's layout (default: the table's, see layout_of)."""
    layout = columns if columns is not None else layout_of(table)
    table = table.sort_by("line_id")
    history = table.column("history").fill_null(False)
    ids = table.filter(pc.invert(history)).column("line_id").to_pylist()
    current, past = lines_of(table, layout)
    report = session.check(current, history=past)
    return result_table(report, ids), finding_table(report, ids)


def result_table(report: Report, ids: Sequence[int]) -> pa.Table:
    """One RESULT_SCHEMA row per line of `report` (`ids`: their line_ids in the same order)."""
    results = report.results
    data: dict[str, list[Any]] = {"line_id": list(ids)}
    for name in ("work_rvu", "credited_work_rvu", "total_rvu", "payment", "global_days", "status_code",
                 "release", "rank", "reduction", "basis"):  # fmt: skip
        data[name] = [getattr(result, name) for result in results]
    data["findings"] = [len(result.findings) for result in results]
    data["worst_severity"] = [result.worst_severity for result in results]
    data["dollars_at_stake"] = [_dollars(result) for result in results]
    return pa.Table.from_pydict(data, schema=RESULT_SCHEMA)


def _dollars(result: LineResult) -> float | None:
    return result.dollars_at_stake if result.findings else None


def finding_table(report: Report, ids: Sequence[int]) -> pa.Table:
    """One FINDING_SCHEMA row per finding of a line (line_id order), then the run notes (null line_id)."""
    rows: list[tuple[int | None, Finding]] = [
        (line_id, finding)
        for line_id, result in zip(ids, report.results, strict=True)
        for finding in result.findings
    ]
    rows += [(None, finding) for finding in report.run_findings]
    return findings_to_table(rows)


def findings_to_table(rows: Iterable[tuple[int | None, Finding]]) -> pa.Table:
    data: dict[str, list[Any]] = {field.name: [] for field in FINDING_SCHEMA}
    for line_id, f in rows:
        for name, value in (
            ("line_id", line_id), ("rule_id", f.rule), ("severity", f.severity), ("message", f.message),
            ("field", f.field), ("fix", f.fix), ("ref", f.ref), ("dollars_at_stake", f.dollars_at_stake),
            ("wrvu_at_stake", f.wrvu_at_stake), ("source_sheet", f.source.sheet),
            ("source_row", f.source.row),
        ):  # fmt: skip
            data[name].append(value)
    return pa.Table.from_pydict(data, schema=FINDING_SCHEMA)


_SESSIONS: dict[tuple[str, str | None], Session] = {}


def open_worker_session(store: Path | str, settings_json: str | None = None) -> Session:
    """The worker's Session over the store at `store`, opened read-only and immutable (SQLite URIs
    `mode=ro&immutable=1`: no locks, no journal, safe on a read-only or shared disk) and cached per process,
    so a Spark task or pool worker opens it once. `settings_json`: Settings as settings_to_json gives them."""
    key = (str(store), settings_json)
    session = _SESSIONS.get(key)
    if session is None:
        from rvucheck.refdata.reference import Reference
        from rvucheck.refdata.store import Store

        settings = settings_from_json(settings_json) if settings_json else Settings()
        reference = Reference.open_store(Store(store, read_only=True))
        session = _SESSIONS[key] = Session.open(store, settings, reference=reference)
    return session
