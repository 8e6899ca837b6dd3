"""The streamed row injection: same result whatever the chunk boundaries are."""

from __future__ import annotations

import io

import pytest

from rvucheck.annotate import inject as annotate_inject
from rvucheck.annotate.inject import render_cell

SHEET = (
    b'<worksheet><dimension ref="A1:C4"/><sheetData>'
    b'<row r="1"><c r="A1"><v>1</v></c></row>'
    b'<row r="2" spans="1:3" ht="20"><c r="A2"><v>2</v></c></row>'
    b'<row r="3"/>'
    b'<row r="4"><c r="A4" t="inlineStr"><is><t>x</t></is></c></row>'
    b'</sheetData><autoFilter ref="A1:C4"/></worksheet>'
)
CELLS = {2: b'<c r="D2"><v>9</v></c>', 3: b'<c r="D3"><v>8</v></c>', 4: b'<c r="D4"><v>7</v></c>'}
EXPECTED = (
    b'<worksheet><dimension ref="A1:D4"/><sheetData>'
    b'<row r="1"><c r="A1"><v>1</v></c></row>'
    b'<row r="2" ht="20"><c r="A2"><v>2</v></c><c r="D2"><v>9</v></c></row>'
    b'<row r="3"><c r="D3"><v>8</v></c></row>'
    b'<row r="4"><c r="A4" t="inlineStr"><is><t>x</t></is></c><c r="D4"><v>7</v></c></row>'
    b'</sheetData><autoFilter ref="A1:C4"/></worksheet>'
)


@pytest.mark.parametrize("chunk", [1, 7, 33, 1 << 20])
def test_streaming_is_independent_of_chunk_size(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(annotate_inject, "CHUNK", chunk)
    out = io.BytesIO()
    annotate_inject._stream_rows(io.BytesIO(SHEET), out, CELLS, "D")
    assert out.getvalue() == EXPECTED


def test_rendered_cells_are_values_or_inline_text() -> None:
    assert render_cell("U5", 3, 1.25) == '<c r="U5" s="3"><v>1.25</v></c>'
    assert render_cell("AB5", 4, "=SUM(A1) & <b>\x01") == (
        '<c r="AB5" s="4" t="inlineStr"><is><t xml:space="preserve">=SUM(A1) &amp; &lt;b&gt;?</t></is></c>'
    )
