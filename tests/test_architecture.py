"""The layout is the architecture: import-linter contracts hold, and they bite when an import breaks them.

The contracts live in pyproject.toml: stages in layers (cli | testing > excel | audit > pipeline > annotate >
report > read | rules > engine > refdata > settings > model | errors | gc_pause | data, exhaustive over the
top-level package), a pure engine (no workbook, Excel, file-format, store or I/O-stage imports, indirect
ones counted), independent reference datasets and no import cycles. The probes copy the package, add one bad
import and require the contract it breaks to be reported broken.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import rvucheck

SRC = Path(rvucheck.__file__).parent
REPO = SRC.parents[1]
PYPROJECT = REPO / "pyproject.toml"
ENGINE_CONTRACT = "The engine is pure"
LAYERS_CONTRACT = "Stages are layered"


def contract_names() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


def lint(src_root: Path) -> str:
    """lint-imports over the package under `src_root`, with the project's contracts; its report as one line
    per contract ("<name> KEPT" / "<name> BROKEN"), the names unwrapped."""
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is a test dependency"
    result = subprocess.run(
        [lint_imports, "--no-cache", "--no-logo", str(PYPROJECT)],
        capture_output=True,
        text=True,
        cwd=src_root,
        env={"PYTHONPATH": str(src_root), "PATH": "/usr/bin:/bin"},
    )
    return " ".join(result.stdout.split())  # import-linter wraps long names at 80 columns


def status_of(report: str, name: str) -> str:
    """KEPT or BROKEN for the contract whose name is or starts with `name`."""
    name = next(full for full in contract_names() if full.startswith(name))
    words = " ".join(name.split())
    if f"{words} KEPT" in report:
        return "KEPT"
    if f"{words} BROKEN" in report:
        return "BROKEN"
    raise AssertionError(f"contract {name!r} not in the report: {report[-2000:]}")


def test_every_contract_is_kept() -> None:
    names = contract_names()
    assert len(names) >= 4
    report = lint(SRC.parent)
    assert {name: status_of(report, name) for name in names} == dict.fromkeys(names, "KEPT"), report
    assert f"Contracts: {len(names)} kept, 0 broken." in report


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(SRC, tmp_path / "rvucheck", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_an_engine_module_importing_the_annotator_breaks_the_engine_contract(package_copy: Path) -> None:
    (package_copy / "rvucheck" / "engine" / "probe.py").write_text("import rvucheck.annotate.copy\n")
    report = lint(package_copy)
    assert status_of(report, ENGINE_CONTRACT) == "BROKEN"
    assert "rvucheck.engine.probe -> rvucheck.annotate.copy" in report


def test_an_indirect_import_of_the_reader_breaks_the_engine_contract(package_copy: Path) -> None:
    """engine.probe -> refdata.probe -> read.charges: no engine module names the reader, yet the contract
    breaks (indirect imports count), and so does the layering (refdata may not import read)."""
    (package_copy / "rvucheck" / "engine" / "probe.py").write_text("import rvucheck.refdata.probe\n")
    (package_copy / "rvucheck" / "refdata" / "probe.py").write_text("import rvucheck.read.charges\n")
    report = lint(package_copy)
    assert status_of(report, ENGINE_CONTRACT) == "BROKEN"
    assert status_of(report, LAYERS_CONTRACT) == "BROKEN"


def test_a_new_top_level_module_must_be_placed_in_a_layer(package_copy: Path) -> None:
    (package_copy / "rvucheck" / "stray.py").write_text("X = 1\n")
    report = lint(package_copy)
    assert status_of(report, LAYERS_CONTRACT) == "BROKEN"
    assert "stray" in report


def test_an_import_cycle_is_reported(package_copy: Path) -> None:
    (package_copy / "rvucheck" / "refdata" / "probe_a.py").write_text("import rvucheck.refdata.probe_b\n")
    (package_copy / "rvucheck" / "refdata" / "probe_b.py").write_text("import rvucheck.refdata.probe_a\n")
    report = lint(package_copy)
    assert status_of(report, "No import cycles between the modules of a package") == "BROKEN"
