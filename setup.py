"""Build hook: ship the top-level `rules/` folder inside the wheel as `rvucheck/_rules`.

The catalog lives at the top of the repository (one YAML file per rule, reviewed like code); an installed
package finds it at `rvucheck/_rules`, a checkout or editable install at `<repo>/rules`
(`rvucheck.rules.ruleset.builtin_rules_dir`). Everything else is configured in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RULES = Path(__file__).resolve().parent / "rules"


class BuildPyWithRules(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False) or not RULES.is_dir():
            return  # editable installs read <checkout>/rules directly
        target = Path(self.build_lib) / "rvucheck" / "_rules"
        shutil.copytree(
            RULES, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.pyc", "__pycache__")
        )


setup(cmdclass={"build_py": BuildPyWithRules})
