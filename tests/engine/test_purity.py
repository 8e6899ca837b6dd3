"""The engine is pure: no workbook, Excel or file-system modules in the engine, pricing or kinds."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import rvucheck

SRC = Path(rvucheck.__file__).parent
PURE = sorted((SRC / "engine").rglob("*.py"))
FORBIDDEN = {
    "openpyxl",
    "xlwings",
    "python_calamine",
    "os",
    "io",
    "pathlib",
    "shutil",
    "sqlite3",
    "tomllib",
    "yaml",
    "glob",
    "tempfile",
}
ALLOWED_RVUCHECK = {
    "rvucheck.model",
    "rvucheck.engine",
    "rvucheck.errors",
    "rvucheck.gc_pause",  # stdlib gc only
    "rvucheck.refdata.types",
    "rvucheck.refdata.calendar",  # release-id arithmetic only
    "rvucheck.refdata.pricing",  # the one pricer: pure, its reference data comes in as a Protocol
    "rvucheck.settings",
    "rvucheck.rules.ruleset",
}  # config/ruleset only for type hints (TYPE_CHECKING)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_forbidden_imports_or_open_calls() -> None:
    assert len(PURE) > 8
    for path in PURE:
        modules = imported_modules(path)
        assert not {m.split(".")[0] for m in modules} & FORBIDDEN, path
        ours = {m for m in modules if m.startswith("rvucheck")}
        assert all(any(m == a or m.startswith(a + ".") for a in ALLOWED_RVUCHECK) for m in ours), (path, ours)
        calls = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)]
        assert not any(isinstance(c.func, ast.Name) and c.func.id == "open" for c in calls), path


def test_importing_the_engine_loads_no_workbook_library() -> None:
    code = (
        "import sys, rvucheck.engine.runner, rvucheck.engine.kinds;"
        "bad = {'openpyxl', 'xlwings', 'python_calamine', 'yaml', 'sqlite3'} & set(sys.modules);"
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
