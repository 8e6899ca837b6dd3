"""Split charge lines into bucket files by a hash of the patient key (batch.contract.bucket_of): every line
of a patient lands in one bucket, so a bucket checks as the whole input would. Batches are appended to one
Parquet file per bucket as they come: memory holds one batch, not the file. While splitting, the run-level
facts are gathered once: each distinct date's first line (batch.notes.date_notes), the months of service,
the patient keys (the history's join)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from rvucheck.batch.contract import CHARGE_SCHEMA, bucket_of
from rvucheck.model import CellRef


class Bucketer:
    def __init__(self, folder: Path, count: int, key: Callable[[str], str] | None = None) -> None:
        self.folder = folder
        self.count = count
        self.key = key  # turns a patient id into the key the lines are linked by (HMAC with --history)
        self._keys: dict[str, str] = {}
        self._writers: dict[int, pq.ParquetWriter] = {}
        self.firsts: dict[dt.date | None, CellRef] = {}  # each date's first line, in input order
        self.months: Counter[str] = Counter()
        self.patients: set[str] = set()
        self.rows = 0
        self.history_rows = 0

    def path(self, bucket: int) -> Path:
        return self.folder / f"bucket-{bucket:05d}.parquet"

    def add(self, table: pa.Table, history: bool = False) -> None:
        """Append a CHARGE_SCHEMA batch (history rows: earlier months' lines, keys already keyed)."""
        if not table.num_rows:
            return
        table = table.cast(CHARGE_SCHEMA)
        keys = table.column("patient_key").to_pylist()
        if self.key is not None and not history:
            keys = [self._keyed(k) for k in keys]
            table = table.set_column(1, CHARGE_SCHEMA.field("patient_key"), pa.array(keys, pa.string()))
        if history:
            self.history_rows += table.num_rows
        else:
            self.rows += table.num_rows
            self._gather(table, keys)
        buckets = self._buckets(table.column("patient_key").combine_chunks(), table.column("line_id"))
        order = pc.sort_indices(buckets)
        table, buckets = table.take(order), buckets.take(order)
        counts = pc.value_counts(buckets)
        at = 0
        for item in counts.to_pylist():
            bucket, n = item["values"], item["counts"]
            self._writer(bucket).write_table(table.slice(at, n))
            at += n

    def _buckets(self, keys: pa.Array, ids: pa.ChunkedArray) -> pa.Array:
        """Each row's bucket: bucket_of once per distinct key (Arrow dictionary encoding), by line_id for
        the rows with a blank key."""
        encoded = keys.dictionary_encode()
        per_key = [bucket_of(k, 0, self.count) if k else -1 for k in encoded.dictionary.to_pylist()]
        buckets = pa.array(per_key, pa.int32()).take(encoded.indices).fill_null(-1)
        blank = pc.equal(buckets, -1)
        if pc.any(blank).as_py():
            rows = pc.indices_nonzero(blank)
            values = buckets.to_pylist()
            for row, line_id in zip(
                rows.to_pylist(), ids.combine_chunks().take(rows).to_pylist(), strict=True
            ):
                values[row] = bucket_of(None, line_id, self.count)
            buckets = pa.array(values, pa.int32())
        return buckets

    def _keyed(self, patient: str | None) -> str:
        if not patient:
            return ""
        found = self._keys.get(patient)
        if found is None:
            assert self.key is not None
            found = self._keys[patient] = self.key(patient)
        return found

    def _gather(self, table: pa.Table, keys: list[str | None]) -> None:
        self.patients.update(k for k in keys if k)
        dates = table.column("dos").to_pylist()
        sheets = table.column("source_sheet").to_pylist()
        rows = table.column("source_row").to_pylist()
        firsts = self.firsts
        for i, dos in enumerate(dates):
            if dos not in firsts:
                firsts[dos] = CellRef(sheets[i] or "", rows[i] or 0)
        for month, n in Counter(f"{d.year:04d}-{d.month:02d}" for d in dates if d).items():
            self.months[month] += n

    def _writer(self, bucket: int) -> pq.ParquetWriter:
        writer = self._writers.get(bucket)
        if writer is None:
            writer = self._writers[bucket] = pq.ParquetWriter(self.path(bucket), CHARGE_SCHEMA)
        return writer

    def close(self) -> list[int]:
        """Close the files; the buckets that hold lines, in order."""
        for writer in self._writers.values():
            writer.close()
        return sorted(self._writers)
