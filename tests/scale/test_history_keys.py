"""The history's patient keys on a Spark worker (batch.history.key_patients): the driver's secret gives the
audit's keys; a worker with another secret, or none, stops in one line instead of keying patients apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from rvucheck.audit.keys import SECRET_FILE, PatientKeyer
from rvucheck.batch.contract import CHARGE_SCHEMA
from rvucheck.batch.history import PROBE, WRONG_SECRET, key_patients
from rvucheck.errors import RvucheckError


def _table(keys: list[str | None]) -> pa.Table:
    columns = {"line_id": pa.array(range(len(keys)), pa.int64()), "patient_key": pa.array(keys, pa.string())}
    return pa.table(
        [columns.get(f.name, pa.nulls(len(keys), f.type)) for f in CHARGE_SCHEMA], schema=CHARGE_SCHEMA
    )


def test_the_drivers_secret_gives_the_audits_keys(tmp_path: Path) -> None:
    keyer = PatientKeyer.for_dir(tmp_path)
    keyed = key_patients(_table(["MRN1", "", None, "MRN1"]), str(tmp_path), keyer.key(PROBE))
    assert keyed.column("patient_key").to_pylist() == [keyer.key("MRN1"), "", "", keyer.key("MRN1")]


def test_another_secret_or_none_stops(tmp_path: Path) -> None:
    driver, worker, empty = tmp_path / "driver", tmp_path / "worker", tmp_path / "empty"
    probe = PatientKeyer.for_dir(driver).key(PROBE)
    PatientKeyer.for_dir(worker)  # a secret of its own
    empty.mkdir()
    with pytest.raises(RvucheckError, match=f"{WRONG_SECRET}: give the run a data dir"):
        key_patients(_table(["MRN1"]), str(worker), probe)
    with pytest.raises(RvucheckError, match=f"{WRONG_SECRET}: it has none"):
        key_patients(_table(["MRN1"]), str(empty), probe)
    assert not (empty / SECRET_FILE).exists()  # a worker never makes a secret
    shipped = tmp_path / "shipped"  # the driver's secret, as SparkContext.addFile copies it
    shipped.mkdir()
    shutil.copyfile(driver / SECRET_FILE, shipped / SECRET_FILE)
    keyed = key_patients(_table(["MRN1"]), str(shipped), probe).column("patient_key").to_pylist()
    assert keyed == [PatientKeyer.for_dir(driver).key("MRN1")]
