"""The Spark session of `rvucheck check --engine spark`: the one already running (a Databricks job or
notebook, `spark-submit`), or a new one on `--master` whose log goes to a file, not to the user's console.

    spark = spark_session("local[2]", log_dir)    # a one-line RvucheckError when pyspark or Java is missing

pyspark starts a Java process (the driver JVM). Its start-up banner, its WARN lines and the console progress
bar are written to the JVM's own stdout and stderr, which pyspark leaves as the Python process's: the session
is started with them pointed at `spark.log` in `log_dir` instead, and at log level WARN.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.errors import RvucheckError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL = "install rvucheck[spark] and a Java 17+ runtime"
JAVA_MAJOR = 17  # Spark 4 runs on Java 17 or 21
LOG_NAME = "spark.log"
SPARK_CONF = {
    "spark.app.name": "rvucheck",
    "spark.ui.enabled": "false",  # no web UI port opened by a command-line run
    "spark.ui.showConsoleProgress": "false",  # the [Stage 0:> ...] bar
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.session.timeZone": "UTC",  # dates of service stay the dates in the file
    "spark.python.worker.reuse": "true",  # a worker opens the store once, not once per task
}
# Set for the length of a run, on a session started here or one already running (and put back after):
# Spark 4 measures the Arrow batch it is writing to a Python worker after every row (ArrowWriter.sizeInBytes
# walks every column vector) unless this is INT_MAX; the batches are then cut by
# spark.sql.execution.arrow.maxRecordsPerBatch (10,000 rows) alone. The walk cost ~13% of the driver JVM's
# CPU on 200,000 lines (JFR samples, local[2]).
RUN_CONF = {"spark.sql.execution.arrow.maxBytesPerBatch": str(2**31 - 1)}


def import_pyspark() -> Any:
    """The pyspark module, or the one-line error saying what to install."""
    try:
        import pyspark
        import pyspark.sql
    except ModuleNotFoundError as exc:
        raise RvucheckError(f"the Spark engine needs pyspark ({exc.name} is missing): {INSTALL}") from None
    return pyspark


def spark_session(master: str | None, log_dir: Path) -> SparkSession:
    """The active session when there is one (then `master` must not ask for another), else a new one."""
    import_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        running = active.sparkContext.master
        if master and master != running:
            raise RvucheckError(f"Spark is already running on {running}; leave --master off to use it")
        return active
    return _start(master or "local[*]", log_dir)


def java_version(java: str | None = None) -> int | None:
    """The major version of the Java runtime pyspark would start ($JAVA_HOME's, else `java` on PATH)."""
    if java is None:
        home = os.environ.get("JAVA_HOME")
        java = str(Path(home, "bin", "java")) if home else shutil.which("java")
    if not java or not Path(java).exists():
        return None
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def check_java() -> None:
    major = java_version()
    if major is None:
        raise RvucheckError(f"the Spark engine needs Java, and no java runtime was found: {INSTALL}")
    if major < JAVA_MAJOR:
        raise RvucheckError(f"the Spark engine needs Java {JAVA_MAJOR}+, and this java is {major}: {INSTALL}")


def _start(master: str, log_dir: Path) -> SparkSession:
    check_java()
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    if master.startswith("local"):  # the workers are this Python, with this rvucheck on their path
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        here = str(Path(__file__).resolve().parents[2])
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        os.environ["PYTHONPATH"] = os.pathsep.join([here, *(p for p in paths if p != here)])
    conf = SparkConf().setMaster(master).setAll(list(SPARK_CONF.items()))
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / LOG_NAME, "ab") as log:
        try:
            gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
        except Exception as exc:  # pyspark's JAVA_GATEWAY_EXITED and the like: the reason is in the log
            raise RvucheckError(
                f"Spark did not start ({type(exc).__name__}); its log is {log_dir / LOG_NAME}: {INSTALL}"
            ) from None
    context = SparkContext(conf=conf, gateway=gateway)
    context.setLogLevel("WARN")
    session = SparkSession(context)
    _STARTED.append(session)
    return session


@contextlib.contextmanager
def run_conf(spark: SparkSession) -> Iterator[None]:
    """RUN_CONF on `spark` while the block runs, the values it had put back after (a setting the session
    refuses, as Spark Connect may, is left as it is)."""
    before: dict[str, str] = {}
    for key, value in RUN_CONF.items():
        with contextlib.suppress(Exception):
            before[key] = str(spark.conf.get(key))
            spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            with contextlib.suppress(Exception):
                spark.conf.set(key, value)


_STARTED: list[Any] = []  # the sessions this process started (stop_started stops them, not a running one)


def stop_started() -> None:
    """Stop the sessions spark_session started (a Databricks job's own session is left running)."""
    while _STARTED:
        _STARTED.pop().stop()
