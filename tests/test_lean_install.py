"""A lean install (`pip install rvucheck`, no extras) reads charge files and runs the engine; a command that
needs an extra says which one to install. Each test runs rvucheck in a subprocess where the extras'
packages cannot be imported (`sys.modules[name] = None` makes `import name` fail), as on a batch worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import rvucheck
from rvucheck.cli.main import EXTRAS

REPO = Path(__file__).resolve().parents[1]
EXTRA_PACKAGES = EXTRAS  # import name -> the extra (pyproject.toml) that installs it
DISTRIBUTIONS = {
    "openpyxl": "openpyxl", "PIL": "pillow", "xlwings": "xlwings", "xlsxwriter": "xlsxwriter",
    "starlette": "starlette", "uvicorn": "uvicorn", "jinja2": "jinja2", "pyarrow": "pyarrow",
    "pyspark": "pyspark",
}  # fmt: skip
PRELUDE = (
    "import sys\n"
    f"for name in {sorted(EXTRA_PACKAGES)!r}:\n"
    "    sys.modules[name] = None\n"
    "from rvucheck.cli.main import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
CHARGES = (
    "Patient,DOS,CPT,Mod,Units,Dx,POS,Provider\n"
    "P1,2026-07-15,99213,,1,M25.561,11,DR1\n"
    "P1,2026-07-15,99213,,1,M25.561,11,DR1\n"
    "P2,2026-07-16,ZZZZZ,,1,M25.561,11,DR1\n"
)


def _lean(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(rvucheck.__file__).resolve().parents[1])}
    command = [sys.executable, "-c", PRELUDE, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def _project() -> dict[str, object]:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    project: dict[str, object] = tomllib.loads(text)["project"]
    return project


def _names(requirements: object) -> set[str]:
    assert isinstance(requirements, list)
    return {str(r).split(">")[0].split("=")[0].split("[")[0].strip().lower() for r in requirements}


def test_the_blocked_packages_are_exactly_the_extras() -> None:
    """The subprocess blocks what a lean install lacks: no core dependency, and every extra's package."""
    project = _project()
    core = _names(project["dependencies"])
    extras = project["optional-dependencies"]
    assert isinstance(extras, dict)
    assert not core & set(DISTRIBUTIONS.values())
    for module, extra in EXTRA_PACKAGES.items():
        assert DISTRIBUTIONS[module] in _names(extras[extra]), (module, extra)
    assert extras["all"] == ["rvucheck[excel,workbooks,web]"]


def test_lean_install_checks_a_csv_to_json(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "charges.csv").write_text(CHARGES, encoding="utf-8")
    args = ["--data-dir", str(data_dir), "charges.csv", "--no-annotate", "--format", "json"]
    result = _lean(args, tmp_path)
    assert result.returncode == 1, result.stderr  # an error finding (CV01) at the default --fail-on
    out = json.loads(result.stdout)
    assert out["summary"]["lines"] == 3 and out["summary"]["release"] == "RVU26C"
    # info: the notes that the export has no minutes / note / attachment columns (RD14-RD16)
    assert out["summary"]["findings"] == {"error": 1, "warning": 2, "info": 3}
    assert sorted(n["rule"] for n in out["notes"] if n["severity"] == "info") == ["RD14", "RD15", "RD16"]
    assert out["summary"]["payment"] == pytest.approx(190.38)
    rows = {line["row"]: line for line in out["lines"]}
    assert rows[2]["work_rvu"] == pytest.approx(1.3) and rows[2]["payment"] == pytest.approx(95.19)
    assert [f["rule"] for f in rows[3]["findings"]] == ["LN01"]
    assert [f["rule"] for f in rows[4]["findings"]] == ["CV01"] and rows[4]["payment"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charges.csv"]  # no copy written


def test_lean_install_runs_the_rule_cases(tmp_path: Path, data_dir: Path) -> None:
    result = _lean(["--data-dir", str(data_dir), "rules", "test", "-k", "GS01"], tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, "7 passed, 0 failed"), result.stderr


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["charges.csv"], "workbooks"),  # the annotated copy is a workbook
        (["workbook", "template", "--out", "t.xlsx"], "workbooks"),
    ],
)
def test_a_command_needing_a_missing_extra_names_it(
    tmp_path: Path, data_dir: Path, args: list[str], extra: str
) -> None:
    (tmp_path / "charges.csv").write_text(CHARGES, encoding="utf-8")
    result = _lean(["--data-dir", str(data_dir), *args], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"rvucheck: this needs openpyxl, which comes with the {extra} extra: pip install 'rvucheck[{extra}]'"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charges.csv"]


def test_the_local_engine_without_the_scale_extra_names_it(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "charges.csv").write_text(CHARGES, encoding="utf-8")
    args = ["--data-dir", str(data_dir), "check", "charges.csv", "--engine", "local", "--out", "o"]
    result = _lean(args, tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "rvucheck: this needs pyarrow, which comes with the scale extra: pip install 'rvucheck[scale]'"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charges.csv"]


def test_serve_without_the_web_extra_names_it(tmp_path: Path) -> None:
    result = _lean(["serve"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "rvucheck: this needs uvicorn, which comes with the web extra: pip install 'rvucheck[web]'"
    ]


# A batch worker (--engine local's pool, a Spark executor) installs rvucheck[scale] or rvucheck[spark]: Arrow
# and the engine, none of the workbook packages. These run the worker's functions with those blocked.
WORKBOOK_PACKAGES = ("openpyxl", "PIL", "xlwings", "xlsxwriter")
WORKER = """
import datetime as dt, json, sys
for name in {blocked!r}:
    sys.modules[name] = None
import pyarrow as pa
from rvucheck.batch import spark_worker
from rvucheck.batch.contract import charge_table, check_arrow, open_worker_session, settings_to_json
from rvucheck.model import CellRef, ChargeLine
from rvucheck.read.headers import map_headers
from rvucheck.settings import Settings

columns = (("patient", 1), ("dos", 2), ("hcpcs", 3))
day = dt.date(2026, 7, 15)
lines = [ChargeLine(source=CellRef("charges", row, 3), hcpcs=code, dos=day, patient="P1", columns=columns)
         for row, code in ((2, "99213"), (3, "99213"), (4, "ZZZZZ"))]
results, findings = check_arrow(charge_table(lines), open_worker_session({store!r}))
names = ("Patient", "DOS", "CPT")
raw = pa.table({{"Patient": ["P1"] * 3, "DOS": ["2026-07-15"] * 3, "CPT": ["99213", "99213", "ZZZZZ"],
                "_rvucheck_file": [0, 0, 0], "_rvucheck_id": [0, 1, 2]}})
plan = spark_worker.Plan(
    buckets=2, columns=columns, store_name="", settings_json=settings_to_json(Settings()),
    offsets={{(0, 0): 0, (0, -1): 0}}, column_map=map_headers(list(names)), names=names,
    sheets=("charges",), store_path={store!r})
prepared = list(spark_worker.prepare(raw.to_batches(), plan))
checked = pa.Table.from_batches(list(spark_worker.check(prepared, plan))).to_pydict()
print(json.dumps({{
    "contract": list(zip(findings.column("source_row").to_pylist(), findings.column("rule_id").to_pylist())),
    "spark": sorted((f["source_row"], f["rule_id"]) for f in checked["finding"] if f),
    "spark_lines": sum(1 for line in checked["line"] if line),
    "loaded": sorted(name for name in {blocked!r} if sys.modules.get(name) is not None),
}}))
"""


def test_a_batch_worker_checks_arrow_without_the_workbook_packages(data_dir: Path) -> None:
    """check_arrow (the contract) and the Spark worker's prepare and check, with openpyxl, Pillow, xlwings
    and xlsxwriter unimportable: a duplicate line and an unknown code are found all the same."""
    code = WORKER.format(blocked=WORKBOOK_PACKAGES, store=str(data_dir))
    env = {**os.environ, "PYTHONPATH": str(Path(rvucheck.__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [tuple(pair) for pair in out["contract"] if pair[1] in {"LN01", "CV01"}] == [
        (3, "LN01"),
        (4, "CV01"),
    ]
    # a table's rows count from 1 (batch.arrow_in: line_id + 1)
    assert [tuple(pair) for pair in out["spark"] if pair[1] in {"LN01", "CV01"}] == [(2, "LN01"), (3, "CV01")]
    assert out["spark_lines"] == 3 and out["loaded"] == []
