"""Published claim and charge layouts (tests/reader/data/layouts.toml): every field maps to the column a
coder would choose, field by field. Header names are copied from the public data dictionaries named there."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import Any

import pytest

from rvucheck.read.headers import ColumnMap, map_headers

CORPUS = Path(__file__).parent / "data" / "layouts.toml"
LAYOUTS = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["layout"]
CLAIMS = Path("/work/shared/data/claims")
for _parent in Path(__file__).resolve().parents:
    if (_parent / "shared" / "data" / "claims").is_dir():
        CLAIMS = _parent / "shared" / "data" / "claims"
        break


def _headers(layout: dict[str, Any]) -> list[str]:
    if "file" in layout:
        with (CLAIMS / layout["file"]).open(newline="", encoding="utf-8") as handle:
            return next(csv.reader(handle))
    return list(layout["headers"])


def _found(column_map: ColumnMap, field: str, headers: list[str]) -> str | list[str]:
    """What the reader chose for `field`, as header text(s); "" when nothing."""
    if field in column_map.single:
        return headers[column_map.single[field]]
    columns: list[int] = list(column_map.multi.get(field, ()))
    if column_map.slots:
        per_slot = [slot.single.get(field) for slot in column_map.slots]
        if any(c is not None for c in per_slot):
            return [headers[c] for c in per_slot if c is not None]
    return [headers[c] for c in columns] if columns else ""


def _score(layout: dict[str, Any]) -> tuple[int, int, list[str]]:
    if "file" in layout and not (CLAIMS / layout["file"]).is_file():
        pytest.skip(f"{layout['file']} is not here")
    headers = _headers(layout)
    column_map = map_headers(headers, above=layout.get("above"))
    wrong = []
    for field, want in layout["expect"].items():
        got = _found(column_map, field, headers)
        if got != want:
            wrong.append(f"{field}: want {want!r}, got {got!r}")
    assert bool(column_map.slots) == layout.get("wide", False)
    return len(layout["expect"]) - len(wrong), len(layout["expect"]), wrong


@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout["name"] for layout in LAYOUTS])
def test_each_layout_maps_as_a_coder_would(layout: dict[str, Any]) -> None:
    right, total, wrong = _score(layout)
    assert wrong == [], f"{layout['name']}: {right}/{total} fields right"


def test_the_corpus_is_broad() -> None:
    assert len(LAYOUTS) >= 15
    assert sum(len(layout["expect"]) for layout in LAYOUTS) >= 130
    assert all(layout.get("source") for layout in LAYOUTS)
