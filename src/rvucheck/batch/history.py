"""The charge history at scale: a Parquet table partitioned by month (`DIR/month=YYYY-MM/part-0.parquet`
as --engine local writes it, or `DIR/month=YYYY-MM/part-*.parquet` as Spark writes it: every Parquet file
of a month's folder is read), one row per earlier charge line in CHARGE_SCHEMA, patient keys HMAC'd under
the data dir's secret exactly as the audit's history keys them (audit.keys.PatientKeyer): the table alone
does not say who anyone is.

`earlier_lines` streams the months before the run's month, only the rows of the run's patients, as
history rows (context for global periods, the 3-year new-patient rule and frequency limits, never
reported); `key_patients` keys a batch's patients as the history does (on a Spark worker too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from rvucheck.batch.contract import CHARGE_SCHEMA
from rvucheck.errors import InputFileError, RvucheckError

PART = "part-0.parquet"
MONTH_IDS = 1 << 48  # line_ids a month's history rows may span (its own ids are below: an 837P's run on Spark
# numbers its lines file << 32 | segment, so up to 65,536 files a month)
_MONTH = re.compile(r"month=(\d{4}-\d\d)")


def month_path(folder: Path, month: str) -> Path:
    return folder / f"month={month}" / PART


def months_in(folder: Path) -> list[str]:
    """The months the history table holds, oldest first."""
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise InputFileError(f"--history {folder}: not a folder; give the charge-history folder")
    found = (_MONTH.fullmatch(path.name) for path in folder.iterdir() if path.is_dir())
    return sorted(match[1] for match in found if match and month_files(folder / match[0]))


def month_files(month_folder: Path) -> list[Path]:
    """A month's Parquet files (Spark's part-*.parquet, or the local engine's one), not its _SUCCESS or
    hidden files."""
    return sorted(
        path for path in month_folder.glob("*.parquet") if path.is_file() and path.name[0] not in "._"
    )


def earlier_lines(
    folder: Path, month: str, patients: set[str], first_id: int, batch_rows: int = 65_536
) -> Iterator[pa.Table]:
    """The history rows of `patients` from the months before `month`. Their line_ids come after every line
    of the run (from `first_id`), ordered by month then by the line's own place in its month, so a bucket
    sorted by line_id holds its history in the order of the months' inputs."""
    earlier = [m for m in months_in(folder) if m < month]
    if not earlier or not patients:
        return
    wanted = pc.field("patient_key").isin(pa.array(sorted(patients), pa.string()))
    for rank, name in enumerate(earlier):
        files = [str(path) for path in month_files(folder / f"month={name}")]
        dataset = ds.dataset(files, schema=CHARGE_SCHEMA, format="parquet")
        for batch in dataset.to_batches(filter=wanted, batch_size=batch_rows):
            table = pa.Table.from_batches([batch], schema=CHARGE_SCHEMA)
            if not table.num_rows:
                continue
            ids = pc.add(table.column("line_id"), first_id + rank * MONTH_IDS)
            table = table.set_column(0, CHARGE_SCHEMA.field("line_id"), ids)
            flags = pa.array([True] * table.num_rows, pa.bool_())
            yield table.set_column(2, CHARGE_SCHEMA.field("history"), flags)


def month_of(months: dict[str, int], given: str | None) -> str:
    """The run's month: `given` (YYYY-MM), else the month most of its dated lines fall in."""
    if given:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", given):
            raise InputFileError(f"--month {given}: give the month as YYYY-MM")
        return given
    if not months:
        raise InputFileError(
            "--history: the lines have no dates of service, so no month to join; give --month"
        )
    return max(sorted(months), key=lambda m: months[m])


PROBE = "rvucheck: the audit secret"  # keyed by driver and workers alike: the same secret, the same key
WRONG_SECRET = "the audit secret on a Spark worker is not the driver's"


def key_patients(table: pa.Table, secret_dir: str, probe: str) -> pa.Table:
    """A CHARGE_SCHEMA table with its patient keys HMAC'd under the audit secret in `secret_dir` (the data
    dir, or where Spark shipped the driver's secret), as --history links lines; blank keys stay blank.
    `probe`: the driver's key of PROBE: a worker with another secret (or none) stops, never keys apart."""
    keyer = _keyer(secret_dir)
    if keyer.key(PROBE) != probe:
        raise RvucheckError(f"{WRONG_SECRET}: give the run a data dir whose audit-secret.key it can read")
    index = CHARGE_SCHEMA.get_field_index("patient_key")
    keys = [keyer.key(k) if k else "" for k in table.column(index).to_pylist()]
    return table.set_column(index, CHARGE_SCHEMA.field("patient_key"), pa.array(keys, pa.string()))


@cache
def _keyer(secret_dir: str) -> Any:
    """The keyer of the secret in `secret_dir`, which must be there (a worker never makes one)."""
    from rvucheck.audit.keys import SECRET_FILE, PatientKeyer, parse_secret

    path = Path(secret_dir, SECRET_FILE)
    if not path.is_file():
        raise RvucheckError(f"{WRONG_SECRET}: it has none")
    return PatientKeyer(parse_secret(path.read_bytes(), path))
