"""The extent a dense read of a sheet reaches (read.package._extent), found by byte searches: the last row
holding a cell and, over every row, the column of its last cell. Each sheet below is written by hand in the
shapes real writers use (made-up values); the expected extents are counted by eye."""

from __future__ import annotations

import pytest

from rvucheck.read.package import _extent


def _sheet(rows: str) -> bytes:
    return f"<worksheet><dimension ref='A1'/><sheetData>{rows}</sheetData></worksheet>".encode()


def _cell(ref: str, value: str = "1") -> str:
    return f'<c r="{ref}" s="1"><v>{value}</v></c>'


SHEETS = {
    "dense": (
        _sheet("".join(f'<row r="{r}">{_cell(f"A{r}")}{_cell(f"C{r}")}</row>' for r in (1, 2, 3))),
        (3, 3),
    ),
    # sparse: rows skipped, a row whose last cell is far right, empty rows (self-closed and open/close)
    "sparse": (
        _sheet(
            f'<row r="2">{_cell("B2")}</row><row r="5" spans="1:1"/>'
            f'<row r="9">{_cell("A9")}{_cell("AB9")}</row>'
            f'<row r="10"></row><row r="40">{_cell("D40")}</row>'
        ),
        (40, 28),
    ),
    # out of order: the last row written is not the last one, the widest row comes first
    "out of order": (
        _sheet(
            f'<row r="7">{_cell("E7")}</row><row r="3">{_cell("B3")}</row><row r="12">{_cell("A12")}</row>'
            f'<row r="4">{_cell("C4")}</row>'
        ),
        (12, 5),
    ),
    # attributes before r=, inline strings and formulas in the last cell, a cell with no reference
    "attribute order": (
        _sheet(
            '<row r="1"><c s="2" t="inlineStr" r="A1"><is><t>x</t></is></c><c t="s" r="F1"><v>0</v></c></row>'
            '<row r="2"><c r="B2"><f>A1</f><v>2</v></c><c r="H2"><f>B2</f></c></row>'
            '<row r="3"><c r="ZZ3"><v>1</v></c><c><v>5</v></c></row>'
        ),
        (3, 702),  # row 3's last cell has no reference (`<c>`): the last one with a reference counts
    ),
    # a namespace prefix (`<x:c>`, which calamine reads too): every cell is looked at
    "prefixed": (
        b'<x:worksheet xmlns:x="main"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
        b'<x:c r="D1"><x:v>2</x:v></x:c></x:row><x:row r="6"><x:c r="B6"><x:v>3</x:v></x:c></x:row>'
        b"</x:sheetData></x:worksheet>",
        (6, 4),
    ),
    "no cells": (_sheet('<row r="1"/><row r="2"></row>'), (0, 0)),
    "no rows": (_sheet(""), (0, 0)),
}


@pytest.mark.parametrize("name", sorted(SHEETS))
def test_extent(name: str) -> None:
    sheet, extent = SHEETS[name]
    assert _extent(sheet) == extent


def test_text_after_the_last_row_is_no_row() -> None:
    """A piece of a sheet ends after a `</row>` (read.package.row_pieces); what follows it is not a row."""
    sheet = _sheet(f'<row r="2">{_cell("C2")}</row>') + b'<mergeCells><mergeCell ref="A9:Z9"/></mergeCells>'
    assert _extent(sheet) == (2, 3)


def test_a_stray_cell_far_away_sets_the_extent() -> None:
    """What the extent is for: one cell at XFD1048576 asks a dense read for 17 billion cells."""
    sheet = _sheet(f'<row r="1">{_cell("A1")}</row><row r="1048576">{_cell("XFD1048576")}</row>')
    assert _extent(sheet) == (1_048_576, 16_384)
