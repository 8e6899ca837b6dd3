"""Fixtures of the hostile suite: a work folder holding one small real export, and a private audit store."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.hostile.outputs_common import audit_store, make_charges


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    """A folder with charges.xlsx (a few real codes) and nothing else: what a run writes shows in it."""
    folder = tmp_path / "work"
    folder.mkdir()
    make_charges(folder)
    return folder


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    """A copy of the test data store for runs that write audit history."""
    return audit_store(tmp_path)
