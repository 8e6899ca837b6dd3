"""A Delta table's current snapshot read without Delta Lake in Spark: through the `deltalake` package
(delta-rs), which reads the table's log and names the Parquet files active in its latest version (a file
removed by a delete, an overwrite or a compaction stays on disk but is not in the snapshot).

    snapshot = delta_snapshot("warehouse/charges")   # one-line errors for what it cannot honour
    snapshot.files                                   # the active Parquet files, in the snapshot's order

The files are read as plain Parquet, so what the files alone do not say is refused in one line rather than
read wrongly: deletion vectors (rows deleted without rewriting their file), column mapping (columns whose
names in the files are not the table's) and partition columns (values kept in folder names, not files).
On a Spark session with Delta Lake (Databricks), `format("delta")` reads the table instead, all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rvucheck.errors import InputFileError, RvucheckError

LOG = "_delta_log"


@dataclass(frozen=True)
class DeltaSnapshot:
    path: str
    version: int
    files: tuple[str, ...]  # the active Parquet files (paths or URIs), in the snapshot's order
    names: tuple[str, ...]  # the table's columns
    rows: int


def is_delta(path: Path | str) -> bool:
    return Path(path, LOG).is_dir()


def delta_snapshot(path: str) -> DeltaSnapshot:
    try:
        from deltalake import DeltaTable
    except ModuleNotFoundError:
        raise RvucheckError(
            f"{path} is a Delta table: reading it needs the deltalake package "
            "(pip install 'rvucheck[scale]'), or a Spark with Delta Lake"
        ) from None
    try:
        table = DeltaTable(path)
        _refuse_what_files_do_not_say(path, table)
        files = tuple(table.file_uris())
        actions: Any = table.get_add_actions(flatten=True)
        rows = sum(int(n or 0) for n in actions.column("num_records").to_pylist())
        names = tuple(field.name for field in table.schema().fields)
        version = table.version()
    except RvucheckError:
        raise
    except Exception as exc:  # delta-rs: TableNotFoundError, DeltaError, DeltaProtocolError, OSError
        raise InputFileError(
            f"{path}: not a readable Delta table ({type(exc).__name__}); check its _delta_log folder"
        ) from None
    return DeltaSnapshot(path, version, files, names, rows)


def _refuse_what_files_do_not_say(path: str, table: Any) -> None:
    metadata = table.metadata()
    mode = (metadata.configuration or {}).get("delta.columnMapping.mode") or "none"
    if mode != "none":
        raise InputFileError(
            f"{path}: a Delta table with column mapping ({mode}) cannot be read without Delta Lake: "
            "check it on a Spark with Delta Lake (Databricks), or export its charges as Parquet"
        )
    if metadata.partition_columns:
        raise InputFileError(
            f"{path}: a Delta table partitioned by {', '.join(metadata.partition_columns)} cannot be read "
            "without Delta Lake (those values are in folder names): check it on a Spark with Delta Lake, "
            "or export its charges as Parquet"
        )
    features = table.protocol().reader_features or []
    if "deletionVectors" in features and _has_deletion_vectors(table):
        raise InputFileError(
            f"{path}: a Delta table with deletion vectors (deleted rows still in its files) cannot be read "
            "without Delta Lake: check it on a Spark with Delta Lake, or run OPTIMIZE / REORG TABLE ... "
            "APPLY (PURGE) first"
        )


def _has_deletion_vectors(table: Any) -> bool:
    try:
        reader = table.deletion_vectors()
    except Exception:  # cannot tell: take it that there are some
        return True
    return any(batch.num_rows for batch in reader)
