"""`rvucheck check --engine spark` from the command line: Spark's own log stays off the console, and a
missing pyspark or Java, or an old Java, is one line and exit 2, never a traceback."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import rvucheck
from rvucheck.batch.spark_session import INSTALL, java_version

CHARGES = (
    "Patient,DOS,CPT,Mod,Units,Dx,POS,Provider\n"
    "P1,2026-07-15,99213,,1,M25.561,11,DR1\n"
    "P1,2026-07-15,99213,,1,M25.561,11,DR1\n"
    "P2,2026-07-16,ZZZZZ,,1,M25.561,11,DR1\n"
)


def _cli(
    args: list[str], cwd: Path, blocked: tuple[str, ...] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    prelude = (
        f"import sys\nfor name in {blocked!r}:\n    sys.modules[name] = None\n"
        "from rvucheck.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(Path(rvucheck.__file__).resolve().parents[1]), **env}
    environment.pop("PYSPARK_PYTHON", None)
    command = [sys.executable, "-c", prelude, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=environment, timeout=600)


@pytest.fixture
def charges(tmp_path: Path) -> Path:
    (tmp_path / "charges.csv").write_text(CHARGES, encoding="utf-8")
    return tmp_path / "charges.csv"


@pytest.mark.spark
def test_a_run_prints_the_summary_and_no_spark_log(charges: Path, data_dir: Path) -> None:
    args = ["--data-dir", str(data_dir), "check", "charges.csv", "--engine", "spark", "--master", "local[1]"]
    result = _cli([*args, "--out", "out", "--format", "json"], charges.parent)
    assert result.stderr == ""  # no banner, no WARN lines, no progress bar: they are in out/spark.log
    assert result.returncode == 1  # an error finding (CV01) at the default --fail-on
    summary = json.loads(result.stdout)
    assert (summary["lines"], summary["checked"], summary["engine"]) == (3, 3, "spark")
    assert summary["rules"]["LN01"]["count"] == 1 and summary["rules"]["CV01"]["count"] == 1
    out = charges.parent / "out"
    assert sorted(p.name for p in out.iterdir()) == ["findings", "lines", "spark.log", "summary.json"]
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["lines"] == 3
    assert "Spark" in (out / "spark.log").read_text(encoding="utf-8")  # where the JVM's lines went
    again = _cli([*args, "--out", "out"], charges.parent)
    assert (again.returncode, again.stdout) == (2, "")
    assert again.stderr.startswith("rvucheck: out already holds lines, findings, summary.json: give another")


def test_without_pyspark_it_says_what_to_install(charges: Path, data_dir: Path) -> None:
    args = ["--data-dir", str(data_dir), "charges.csv", "--engine", "spark", "--out", "out"]
    result = _cli(args, charges.parent, blocked=("pyspark", "openpyxl", "PIL", "xlwings", "xlsxwriter"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"rvucheck: the Spark engine needs pyspark (pyspark is missing): {INSTALL}"
    ]
    assert sorted(p.name for p in charges.parent.iterdir()) == ["charges.csv"]


def test_without_java_it_says_what_to_install(charges: Path, data_dir: Path, tmp_path: Path) -> None:
    args = ["--data-dir", str(data_dir), "charges.csv", "--engine", "spark", "--out", "out"]
    result = _cli(args, charges.parent, PATH=str(tmp_path / "no-java-here"), JAVA_HOME="")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"rvucheck: the Spark engine needs Java, and no java runtime was found: {INSTALL}"
    ]


def _fake_java(folder: Path, says: str) -> Path:
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{says}' >&2\n", encoding="utf-8")
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return java


def test_an_old_java_is_named(charges: Path, data_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "jdk11"
    _fake_java(home, 'openjdk version "11.0.22" 2024-01-16')
    args = ["--data-dir", str(data_dir), "charges.csv", "--engine", "spark", "--out", "out"]
    result = _cli(args, charges.parent, JAVA_HOME=str(home))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"rvucheck: the Spark engine needs Java 17+, and this java is 11: {INSTALL}"
    ]


@pytest.mark.parametrize(
    ("says", "major"),
    [('openjdk version "17.0.15" 2025-04-15', 17), ('java version "1.8.0_392"', 8),
     ('openjdk version "21" 2023-09-19', 21), ("no version here", None)],
)  # fmt: skip
def test_java_version_reads_what_java_says(tmp_path: Path, says: str, major: int | None) -> None:
    assert java_version(str(_fake_java(tmp_path, says))) == major


def test_spark_needs_an_output_folder(charges: Path, data_dir: Path) -> None:
    result = _cli(["--data-dir", str(data_dir), "charges.csv", "--engine", "spark"], charges.parent)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "rvucheck: --engine spark writes Parquet folders and summary.json: give --out DIR"
    ]


def test_spark_writes_to_a_local_or_mounted_folder(charges: Path, data_dir: Path) -> None:
    args = ["--data-dir", str(data_dir), "charges.csv", "--engine", "spark", "--out", "s3a://bucket/out"]
    result = _cli(args, charges.parent)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "rvucheck: --out s3a:/bucket/out: give a local or mounted folder "
        "(on Databricks /Volumes/... or /dbfs/...)"
    ]
    assert sorted(p.name for p in charges.parent.iterdir()) == ["charges.csv"]


def test_spark_history_options_are_checked_before_spark_starts(charges: Path, data_dir: Path) -> None:
    base = ["--data-dir", str(data_dir), "charges.csv", "--engine", "spark", "--out", "out"]
    alone = _cli([*base, "--append-history"], charges.parent)
    assert (alone.returncode, alone.stderr.splitlines()) == (
        2, ["rvucheck: --append-history adds the month to a history table: give --history DIR too"]
    )  # fmt: skip
    remote = _cli([*base, "--history", "s3a://bucket/history"], charges.parent)
    assert remote.returncode == 2 and remote.stderr.splitlines() == [
        "rvucheck: --history s3a:/bucket/history: give a local or mounted folder (/Volumes/... or /dbfs/...)"
    ]
    month = _cli([*base, "--history", "h", "--month", "2026-13"], charges.parent)
    assert month.stderr.splitlines() == ["rvucheck: --month 2026-13: give the month as YYYY-MM"]
    since = _cli([*base, "--since", "2026-01-01"], charges.parent)
    assert since.returncode == 2 and "--since is not taken by --engine spark" in since.stderr
    assert sorted(p.name for p in charges.parent.iterdir()) == ["charges.csv"]
