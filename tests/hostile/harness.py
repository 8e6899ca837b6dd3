"""Run rvucheck as a user would (a subprocess, its own data dir) and check what a hostile or broken input
must never do: leave a traceback, change an input, write an output beside a failure, lose a line.

    outcome = run_cli(tmp_path, "check", str(bad), "--format", "json")
    outcome.assert_clean_error(bad)        # exit 2, one line naming the file, no traceback, nothing written
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative name -> sha256): compare before and after a run."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    before: dict[str, str]
    after: dict[str, str]
    folder: Path
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def written(self) -> set[str]:
        return {name for name in self.after if name not in self.before}

    @property
    def changed(self) -> set[str]:
        return {name for name, digest in self.before.items() if self.after.get(name) != digest}

    def assert_no_traceback(self) -> None:
        for stream in (self.stdout, self.stderr):
            assert "Traceback (most recent call last)" not in stream, stream[-2000:]

    def assert_inputs_unchanged(self) -> None:
        assert not self.changed, f"inputs changed or removed: {sorted(self.changed)}"

    def assert_clean_error(self, names: Path | str | None = None) -> str:
        """Exit 2, one line on stderr (naming `names` when given), no traceback, no input changed, nothing
        written. Returns the line."""
        self.assert_no_traceback()
        assert self.code == 2, (self.code, self.stdout[-1000:], self.stderr[-1000:])
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, self.stderr
        if names is not None:
            assert str(Path(names).name) in lines[0], lines[0]
        self.assert_inputs_unchanged()
        assert not self.written, f"written despite the error: {sorted(self.written)}"
        return lines[0]

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.stdout)


def run_cli(
    folder: Path,
    *args: str,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> Outcome:
    """`rvucheck ARGS` in `folder` (the working directory), with the test data store unless `data_dir`."""
    from tests.conftest import TEST_DATA_DIR

    before = snapshot(folder)
    environment = {**os.environ, "RVUCHECK_DATA": str(data_dir or TEST_DATA_DIR), **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH", "")])]
    )
    done = subprocess.run(
        [sys.executable, "-m", "rvucheck.cli", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr, before, snapshot(folder), folder)
