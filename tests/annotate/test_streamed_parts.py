"""The copy's large new parts are made as they are written, and say what they said when built whole.

Notes (comments + VML) and the Findings/Documentation rows are chunks made while the zip entry is written
(built whole, 1,000,000 lines' held ~550 MB); the result rows are held by column (annotate.result_rows).
The expected comments bytes below are what the element-tree writer made before (lxml's serialisation).
"""

from __future__ import annotations

import datetime as dt
import math
import pickle
import tracemalloc

from lxml import etree

from rvucheck.annotate.late_rows import LateRows
from rvucheck.annotate.result_rows import ResultRows
from rvucheck.annotate.stream.graft import with_rows
from rvucheck.annotate.stream.notes import write_notes

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NOTES = {
    (3, 2): ['AB01 (error): a & b < c > d "q"\r\nFix: it\ttab é'],
    (2, 9): ["X (info): one", "Y (warning): two"],
    (5, 1): ["Z: \x01control"],
}
EXISTING = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<x:comments xmlns:x="' + MAIN.encode() + b'">'
    b"<x:authors><x:author>Ann</x:author></x:authors><x:commentList>\n"
    b'<x:comment ref="I2" authorId="0"><x:text><x:t>hers</x:t></x:text></x:comment>\n</x:commentList>'
    b"</x:comments>"
)
VML = (
    b'<xml xmlns:v="urn:schemas-microsoft-com:vml"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
    b'data="1"/></o:shapelayout><v:shape id="_x0000_s1025"/></xml>'
)
OURS = (  # the three notes' comments, in cell order, as lxml wrote them
    '<{p}comment ref="I2" authorId="{a}"><{p}text><{p}t xml:space="preserve">X (info): one\nY (warning): '
    'two</{p}t></{p}text></{p}comment>{gap}<{p}comment ref="B3" authorId="{a}"><{p}text>'
    '<{p}t xml:space="preserve">'
    'AB01 (error): a &amp; b &lt; c &gt; d "q"&#13;\nFix: it\ttab é</{p}t></{p}text></{p}comment>'
    '<{p}comment ref="A5" authorId="{a}"><{p}text><{p}t xml:space="preserve">Z: ?control</{p}t></{p}text>'
    "</{p}comment>"
)


def _made(
    notes: dict[tuple[int, int], list[str]], comments: bytes | None, vml: bytes | None
) -> tuple[bytes, bytes]:
    made_comments, made_vml = write_notes(notes, comments, vml, 2)
    return b"".join(made_comments()), b"".join(made_vml())


def test_new_notes_parts_are_the_element_tree_s_bytes() -> None:
    comments, vml = _made(NOTES, None, None)
    assert comments == (
        b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        b'<comments xmlns="'
        + MAIN.encode()
        + b'"><authors><author>rvucheck</author></authors><commentList>'
        + OURS.format(p="", a=0, gap="").encode()
        + b"</commentList></comments>"
    )
    root = etree.fromstring(vml)
    shapes = [e for e in root if e.tag.endswith("}shape")]
    assert [s.get("id") for s in shapes] == ["_x0000_s2049", "_x0000_s2050", "_x0000_s2051"]
    assert b'<o:idmap v:ext="edit" data="2"/>' in vml
    assert [
        s.findtext(
            "{urn:schemas-microsoft-com:office:excel}ClientData/{urn:schemas-microsoft-com:office:excel}Row"
        )
        for s in shapes
    ] == ["1", "2", "4"]


def test_notes_merge_into_the_sheet_s_own_parts_in_their_prefix() -> None:
    comments, vml = _made(NOTES, EXISTING, VML)
    assert comments == (
        b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        b'<x:comments xmlns:x="' + MAIN.encode() + b'"><x:authors><x:author>Ann</x:author>'
        b"<x:author>rvucheck</x:author></x:authors><x:commentList>\n"
        + OURS.format(p="x:", a=1, gap="\n")
        .replace('ref="I2" authorId="1"><x:text><x:t xml:space="preserve">X', 'ref="I2" authorId="0"><x:text>'
                 '<x:t xml:space="preserve">hers\n---\nX')
        .encode()
        + b"</x:commentList></x:comments>"
    )  # fmt: skip
    assert vml.startswith(VML[: VML.index(b"</xml>")].replace(b'data="1"', b'data="1,2"') + b"<v:shapetype ")
    assert vml.count(b"<v:shape ") == 1 + 2 and vml.endswith(b"</v:shape></xml>")


def test_a_note_only_on_a_cell_that_has_one_adds_no_shape() -> None:
    comments, vml = _made({(2, 9): ["only hers"]}, EXISTING, VML)
    assert vml == VML
    assert b'<x:t xml:space="preserve">hers\n---\nonly hers</x:t>' in comments
    assert comments.count(b"<x:comment ") == 1


def test_late_rows_are_made_only_as_the_part_is_written() -> None:
    made: list[int] = []

    def cells() -> list[list[tuple[int, object, int, str]]]:
        made.append(1)
        return [[(1, "a & b", 3, "'Charge Detail'!A2"), (2, 1.5, 4, "")], [(1, None, 3, "")]]

    frame = (
        b'<worksheet><dimension ref="A1:B1"/><sheetData><row r="1"/></sheetData><pageMargins/></worksheet>'
    )
    late = LateRows("Findings", 2, 2, cells, dt.datetime(1899, 12, 30))
    part = with_rows(frame, late, lambda style: style + 10)
    assert callable(part) and not made
    assert b"".join(part()) == (
        b'<worksheet><dimension ref="A1:B3"/><sheetData><row r="1"/><row r="2">'
        b'<c r="A2" s="13" t="inlineStr"><is><t xml:space="preserve">a &amp; b</t></is></c>'
        b'<c r="B2" s="14"><v>1.5</v></c></row><row r="3"><c r="A3" s="13"/></row></sheetData>'
        b'<hyperlinks><hyperlink ref="A2" location="\'Charge Detail\'!A2"/>'
        b"</hyperlinks><pageMargins/></worksheet>"
    )


def test_result_rows_give_back_every_value_as_it_was() -> None:
    given = [
        (7, (1.5, -0.0, None, 2, "090", "A", "error", "AB01: x")),
        (3, (math.inf, None, None, None, "", "", "", "")),
        (5, (math.nan, True, 0.1 + 0.2, 1e300, "XXX", "C", "warning", "w")),
    ]
    rows = ResultRows.of(given)
    assert list(rows.rows) == [3, 5, 7]
    assert rows.seen == ["error", "", "warning"]  # the order the copy's styles are made in
    back = dict(rows.items())
    for row, values in given:
        assert [repr(v) for v in back[row]] == [repr(v) for v in values]
        assert [type(v) for v in back[row]] == [type(v) for v in values]
    assert rows.severity(0) is None and rows.severity(2) == "error"
    assert [rows.find(row, near) for row, near in ((3, 0), (5, 0), (7, 0), (4, 1), (8, 2))] == [
        0,
        1,
        2,
        None,
        None,
    ]
    assert not rows.has_repeats() and list(rows.flagged()) == [5, 7]
    assert ResultRows.of([*given, (5, given[0][1])]).has_repeats()


def test_result_rows_are_compact_when_received() -> None:
    """What the process writing the copy holds once the worker's rows arrive: ~320 bytes a row as tuples."""
    rows = ResultRows.of((row, (1.25, 1.5, 2.5, 95.19, "XXX", "A", "", "")) for row in range(2, 100_002))
    data = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
    tracemalloc.start()
    try:
        received = pickle.loads(data)
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(received) == 100_000 and received.values(99_999) == (1.25, 1.5, 2.5, 95.19, "XXX", "A", "", "")
    assert held < 100 * 100_000
