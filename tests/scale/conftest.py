"""Fixtures of the scale tests: a data dir sharing the installed reference data (symlinks; its own catalog
copy and its own audit secret, so the history keys never touch the shared store), synthetic months."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")  # the scale extra: `make test` installs it (rvucheck[test] needs it)


@pytest.fixture(scope="session")
def scale_data(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("scale-data")
    for item in data_dir.glob("*.sqlite"):
        if item.name == "catalog.sqlite":
            shutil.copyfile(item, where / item.name)
        elif not item.name.startswith("audit"):
            (where / item.name).symlink_to(item.resolve())
    return where
