"""The charge sheet's one streamed pass: the same result whatever the chunk boundaries; flagged rows filled
through twin styles with their gaps filled; rows the sheet lacks added in order; a sheet wider than its
<dimension> said is noticed before a cell could be written twice."""

from __future__ import annotations

import pytest

from rvucheck.annotate.stream.cells import render_cell
from rvucheck.annotate.stream.sheet import SheetPlan, SheetTooWide, rewrite_sheet, unprefixed, widest_column
from rvucheck.annotate.stream.tail import edit_head, edit_tail

SHEET = (
    b'<worksheet><dimension ref="A1:C5"/><cols><col min="1" max="16384" width="9"/></cols><sheetData>'
    b'<row r="1"><c r="A1"><v>1</v></c></row>'
    b'<row r="2" spans="1:3" ht="20"><c r="A2" s="5"><v>2</v></c><c r="C2"><f>A2*2</f><v>4</v></c></row>'
    b'<row r="3"/>'
    b'<row r="5"><c r="A5" t="inlineStr"><is><t>x</t></is></c></row>'
    b"</sheetData><mergeCells/></worksheet>"
)
CELLS = {2: b'<c r="D2"><v>9</v></c>', 3: b'<c r="D3"><v>8</v></c>', 4: b'<c r="D4"><v>6</v></c>',
         5: b'<c r="D5"><v>7</v></c>'}  # fmt: skip
EXPECTED = (
    b'<worksheet><dimension ref="A1:E5"/><cols><col min="1" max="3" width="9"/>'
    b'<col min="4" max="4" width="12" customWidth="1"/><col min="5" max="5" width="80" customWidth="1"/>'
    b'<col min="6" max="16384" width="9"/></cols><sheetData>'
    b'<row r="1"><c r="A1"><v>1</v></c></row>'
    b'<row r="2" ht="20"><c r="A2" s="105"><v>2</v></c><c r="B2" s="100"/>'
    b'<c r="C2" s="100"><f>A2*2</f><v>4</v></c><c r="D2"><v>9</v></c></row>'
    b'<row r="3"><c r="D3"><v>8</v></c></row>'
    b'<row r="4"><c r="D4"><v>6</v></c></row>'
    b'<row r="5"><c r="A5" t="inlineStr"><is><t>x</t></is></c><c r="D5"><v>7</v></c></row>'
    b'</sheetData><autoFilter ref="A1:E5"/><mergeCells/></worksheet>'
)


def _run(chunk: int, sheet: bytes = SHEET, first: int = 4) -> bytes:
    plan = SheetPlan(first, CELLS, {2: 7}, lambda style, fill: 100 + style if fill == 7 else -1)
    out: list[bytes] = []
    pieces = [sheet[i : i + chunk] for i in range(0, len(sheet), chunk)]
    rewrite_sheet(pieces, out.append, plan, lambda head: edit_head(head, 5, 5, (12, 80), 4),
                  lambda tail: edit_tail(tail, "A1:E5", None))  # fmt: skip
    return b"".join(out)


@pytest.mark.parametrize("chunk", [1, 7, 33, 1 << 20])
def test_streaming_is_independent_of_chunk_size(chunk: int) -> None:
    assert _run(chunk) == EXPECTED


def test_a_cell_beyond_the_dimension_is_noticed() -> None:
    wide = SHEET.replace(b'<c r="A5" t="inlineStr">', b'<c r="F5"><v>1</v></c><c r="G5" t="inlineStr">')
    with pytest.raises(SheetTooWide):
        _run(1 << 20, wide.replace(b'r="A5"', b'r="G5"'))
    assert widest_column([wide[:50], wide[50:]]) == 7


def test_rendered_cells_are_values_or_inline_text() -> None:
    assert render_cell("U5", 3, 1.25) == '<c r="U5" s="3"><v>1.25</v></c>'
    assert render_cell("U5", 3, float("nan")) == (
        '<c r="U5" s="3" t="inlineStr"><is><t xml:space="preserve">nan</t></is></c>'
    )
    assert render_cell("AB5", 4, "=SUM(A1) & <b>\x01") == (
        '<c r="AB5" s="4" t="inlineStr"><is><t xml:space="preserve">=SUM(A1) &amp; &lt;b&gt;?</t></is></c>'
    )


class _Code(str):
    """A str subclass (an enum's value, say): rendered by its text, as a plain str is."""

    def __str__(self) -> str:
        return "shown"


@pytest.mark.parametrize(
    ("value", "xml"),
    [
        (0.0, "><v>0.0</v></c>"),
        (-2.5, "><v>-2.5</v></c>"),
        (3, "><v>3</v></c>"),
        (float("inf"), ' t="inlineStr"><is><t xml:space="preserve">inf</t></is></c>'),
        (True, ' t="inlineStr"><is><t xml:space="preserve">True</t></is></c>'),
        ("", ' t="inlineStr"><is><t xml:space="preserve"></t></is></c>'),
        (_Code("raw"), ' t="inlineStr"><is><t xml:space="preserve">shown</t></is></c>'),
    ],
)
def test_each_kind_of_value_renders_as_before_the_fast_paths(value: object, xml: str) -> None:
    """The float fast path and the cache of safe texts (annotate.stream.cells) give what the general path
    gives, twice over (the second call of a text comes from the cache)."""
    assert render_cell("U5", 3, value) == render_cell("U5", 3, value) == '<c r="U5" s="3"' + xml


@pytest.mark.parametrize("chunk", [1, 5, 1 << 20])
def test_a_sheet_with_prefixed_elements_is_read_as_the_same_xml(chunk: int) -> None:
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    prefixed = (
        b'<?xml version="1.0"?><x:worksheet xmlns:x="%s"><x:sheetData><x:row r="2"><x:c r="A2"><x:v>2</x:v>'
        b"</x:c></x:row></x:sheetData></x:worksheet>" % main
    )
    pieces = [prefixed[i : i + chunk] for i in range(0, len(prefixed), chunk)]
    assert b"".join(unprefixed(pieces)) == (
        b'<?xml version="1.0"?><worksheet xmlns="%s" xmlns:x="%s"><sheetData><row r="2"><c r="A2"><v>2</v>'
        b"</c></row></sheetData></worksheet>" % (main, main)
    )
    plain = b"<worksheet><sheetData/></worksheet>"
    assert b"".join(unprefixed([plain[:9], plain[9:]])) == plain
