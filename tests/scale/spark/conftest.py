"""One Spark session (local[2]) for the module's tests: Spark's start-up (~10-30 s) is paid once.

Fails when pyspark or Java 17+ is missing, unless RVUCHECK_ALLOW_NO_SPARK=1 (then skips): .ci/run installs
Java and `make test` installs pyspark, so in CI the Spark tests run, never skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from rvucheck.errors import RvucheckError


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from rvucheck.batch.spark_session import spark_session, stop_started

    try:
        session = spark_session("local[2]", tmp_path_factory.mktemp("spark-log"))
    except RvucheckError as exc:
        if os.environ.get("RVUCHECK_ALLOW_NO_SPARK") == "1":
            pytest.skip(str(exc))
        raise
    yield session
    stop_started()
