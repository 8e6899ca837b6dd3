"""`rvucheck check` validates its input once, inspects the workbook package in one pass and reads the sheet
once: the opens of the input file are counted, for an xlsx and for a csv, each with its annotated copy."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rvucheck.cli.main import main
from rvucheck.read import sources
from rvucheck.testing.synthetic.month import generate_month
from rvucheck.testing.synthetic.write import write_csv, write_xlsx


def _count_opens(monkeypatch: pytest.MonkeyPatch, target: Path) -> Counter[str]:
    """Counts of: `zip` (a ZipFile on the input), `calamine` (a calamine workbook on it), `file` (any
    Python-level open of it: pathlib, zipfile and openpyxl all open through io.open)."""
    counts: Counter[str] = Counter()
    wanted = str(target)
    zip_init = zipfile.ZipFile.__init__
    io_open = io.open
    calamine = sources.CalamineWorkbook

    def counting_zip(self: zipfile.ZipFile, file: Any, *args: Any, **kwargs: Any) -> None:
        counts["zip"] += str(file) == wanted
        zip_init(self, file, *args, **kwargs)

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        counts["file"] += str(file) == wanted
        return io_open(file, *args, **kwargs)

    class CountingCalamine:
        @staticmethod
        def from_path(path: str) -> Any:
            counts["calamine"] += path == wanted
            return calamine.from_path(path)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting_zip)
    monkeypatch.setattr(io, "open", counting_open)
    monkeypatch.setattr(sources, "CalamineWorkbook", CountingCalamine)
    return counts


def _check(path: Path, data_dir: Path) -> dict[str, Any]:
    import json
    import sys

    out = io.StringIO()
    stdout, sys.stdout = sys.stdout, out
    try:
        code = main([f"--data-dir={data_dir}", "check", str(path), "--format", "json", "--fail-on", "never"])
    finally:
        sys.stdout = stdout
    assert code == 0
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_an_xlsx_is_opened_once_per_job(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_xlsx(generate_month(2026, 10, 120, seed=3), tmp_path / "oct.xlsx", year=2026, month=10)
    counts = _count_opens(monkeypatch, path)
    report = _check(path, data_dir)
    assert report["summary"]["lines"] == 120
    assert (tmp_path / "oct.rvucheck.xlsx").is_file()
    # zip: check_input's one pass (validation + date system, hidden rows, formulas without values, and what
    # a copy must keep: read/package.py); the streamed copy opens the file once and reads its zip through
    # that handle. Before the renovation: 8 (check_input three times, the package facts twice more, the
    # annotator's own looks for lossy features and rich text).
    assert counts["zip"] == 1
    assert counts["calamine"] == 1  # the sheet is read once
    assert counts["file"] == 3  # check_input's zip, the copy's one open and the first bytes check_input reads


def test_a_csv_is_opened_twice_validated_then_read(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(generate_month(2026, 10, 120, seed=3), tmp_path / "oct.csv")
    counts = _count_opens(monkeypatch, path)
    report = _check(path, data_dir)
    assert report["summary"]["lines"] == 120
    assert (tmp_path / "oct.rvucheck.xlsx").is_file()  # a new workbook: the CSV's values and the results
    # check_input's sample, then the one read; the report workbook's values come from that read
    # (before: 8, check_input three times with two opens each, then the sheet read again for the report)
    assert counts == Counter({"file": 2})
