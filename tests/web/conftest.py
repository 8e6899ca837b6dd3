"""The web app under test: a data dir sharing the installed reference data (symlinks, its own catalog and
an empty audit history), a practice profile in a temp folder, and a sample month with one header renamed
so that a column mapping has to be changed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BASE, RENAMED, SAMPLE, make_app

from rvucheck.audit.history import HISTORY_FILE


@pytest.fixture
def web_data(data_dir: Path, tmp_path: Path) -> Path:
    where = tmp_path / "data"
    where.mkdir()
    for item in data_dir.glob("*.sqlite"):
        if item.name == "catalog.sqlite":
            shutil.copyfile(item, where / item.name)
        elif item.name != HISTORY_FILE:
            (where / item.name).symlink_to(item.resolve())
    return where


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "rvucheck.toml"


@pytest.fixture
def client(web_data: Path, profile: Path) -> Iterator[Any]:
    from starlette.testclient import TestClient

    with TestClient(make_app(web_data, profile), base_url=BASE) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def renamed_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample month with 'Patient MRN' renamed 'Field 2' (a copy saved by openpyxl)."""
    from openpyxl import load_workbook

    book = load_workbook(SAMPLE)
    sheet = book["Charge Detail"]
    for cell in sheet[5]:
        if cell.value == RENAMED[0]:
            cell.value = RENAMED[1]
    path = tmp_path_factory.mktemp("sample") / "charges-2026-10.xlsx"
    book.save(path)
    return path
