"""The annotated copy, streamed: the charge sheet rewritten in one pass, a few small parts patched, the
side workbook's sheets grafted in, every other part copied as its compressed bytes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from itertools import chain
from pathlib import Path

from openpyxl.utils import get_column_letter, range_boundaries

from rvucheck.annotate.late_rows import Side
from rvucheck.annotate.plan import Annotations
from rvucheck.annotate.stream import edits
from rvucheck.annotate.stream.cells import render_cell
from rvucheck.annotate.stream.graft import Part
from rvucheck.annotate.stream.package import (
    Package,
    parse_rels,
    rels_name,
)  # fmt: skip
from rvucheck.annotate.stream.sheet import SheetPlan, SheetTooWide, rewrite_sheet, unprefixed, widest_column
from rvucheck.annotate.stream.styles import StyleBook
from rvucheck.annotate.stream.tail import (
    dimension_bounds,
    edit_head,
    edit_tail,
    filter_ref,
    fit_to_width_head,
    fit_to_width_tail,
)
from rvucheck.annotate.stream.zipraw import RawZipWriter

APPENDED = (  # title, number format, alignment, width (room for the title and the filter button)
    ("Work RVU", "0.00", None, 12),
    ("Credited wRVU", "0.00", None, 16),
    ("Total RVU", "0.00", None, 12),
    ("Est. Payment", '"$"#,##0.00', None, 15),
    ("Global", None, {"horizontal": "center"}, 9),
    ("Status", None, {"horizontal": "center"}, 9),
    ("Severity", None, {"horizontal": "center"}, 11),
    ("Findings", None, {"wrapText": "1"}, 80),  # several findings on a line wrap inside the cell
)
SEVERITY_RGB = {"error": "FFFFC7CE", "warning": "FFFFEB9C", "info": "FFDDEBF7"}
HEADER_RGB = "FFD9D9D9"
TOTALS_TEXT = "totals row: reported, not checked"


def write_copy(
    source: Path, target: Path, annotations: Annotations, side: Callable[[set[str], bool], Side]
) -> None:
    """Write the annotated copy of `source` to `target`. `side(sheet names, date1904)` gives the side
    workbook (saved bytes) whose sheets beyond those names are added."""
    with source.open("rb") as raw:
        package = Package(raw)
        try:
            _write(package, target, annotations, side, width=None)
        except SheetTooWide:  # the sheet's <dimension> was smaller than its cells: scan for the width
            _index, part = package.sheet_part(annotations.sheet)
            _write(package, target, annotations, side, width=widest_column(unprefixed(package.chunks(part))))


def _width(package: Package, part: str) -> int:
    head = b""
    for chunk in unprefixed(package.chunks(part)):
        head += chunk
        if b"<sheetData" in head or len(head) > 1 << 16:
            break
    bounds = dimension_bounds(head)
    return bounds[0] if bounds is not None else widest_column(unprefixed(package.chunks(part)))


def _write(
    package: Package,
    target: Path,
    annotations: Annotations,
    side: Callable[[set[str], bool], Side],
    width: int | None,
) -> None:
    index, part = package.sheet_part(annotations.sheet)
    first = max(width if width is not None else _width(package, part), annotations.header_count) + 1
    last = first + len(APPENDED) - 1
    styles_part = next(r.target for r in package.workbook_rels if r.type.endswith("/styles"))
    styles = StyleBook(package.archive.read(styles_part))
    sheet_rels = parse_rels(package.read_optional(rels_name(part)), part)
    cells = _Cells(annotations, styles, first)
    plan = SheetPlan(first, cells, cells.fills, styles.twin, header_row=annotations.header_row,
                     header=_header_cells(styles, annotations.header_row, first))  # fmt: skip
    changed: dict[str, Part] = {}  # part name -> its new content (or chunks, made as it is written)
    titles = [title for title, *_rest in APPENDED]
    filter_range, table_covers = edits.tables(
        package, sheet_rels, annotations, (first, last), titles, changed
    )
    last_row = max(annotations.last_row, annotations.header_row, *annotations.totals_rows, 0)
    legacy = edits.notes(package, part, sheet_rels, annotations, changed)
    graft_result = edits.graft_side(package, side, styles)
    with target.open("w+b") as out:
        writer = RawZipWriter(out)
        with writer.open(part, package.infos[part], level=3) as entry:
            # the charge sheet is most of the package: level 3 packs it twice as fast as 6, ~15% larger

            ours_to_fit = False  # the sheet had no page set-up properties of its own (head decides)

            def tail(data: bytes) -> bytes:
                nonlocal filter_range
                current = filter_ref(data)
                if current is not None:
                    c1, r1, _c2, r2 = range_boundaries(current)
                    filter_range = (
                        f"{get_column_letter(c1 or 1)}{r1}:{get_column_letter(last)}{max(r2 or 0, last_row)}"
                        if r1 == annotations.header_row else None
                    )  # fmt: skip
                elif table_covers:
                    filter_range = None
                data = edit_tail(data, filter_range, legacy)
                return fit_to_width_tail(data) if ours_to_fit else data

            def head(data: bytes) -> bytes:
                nonlocal ours_to_fit
                data, ours_to_fit = fit_to_width_head(edit_head(data, last, last_row, widths, first))
                return data

            widths = [w for *_rest, w in APPENDED]
            rewrite_sheet(unprefixed(package.chunks(part)), entry.write, plan, head, tail)
        changed[styles_part] = styles.tobytes()
        edits.patch_workbook(package, index, graft_result, filter_range, annotations, changed)
        for name, info in package.infos.items():
            if name != part and name not in changed:
                writer.copy(package.archive, package.raw, info)
        for name, data in {**changed, **graft_result.parts}.items():
            if isinstance(data, bytes):
                writer.write(name, data, package.infos.get(name))
                continue
            with writer.open(name, package.infos.get(name)) as entry:  # made as it is written
                for chunk in data():
                    entry.write(chunk)
        writer.close()


class _Cells(Mapping[int, bytes]):
    """Each row's appended cells as XML, rendered when the stream reaches the row (holding them all
    rendered would cost ~700 bytes a line: 0.7 GB at 1,000,000 lines). Looked up in the annotations' own
    sorted rows, from where the last row was found (the sheet is written in row order): no index of its
    own (a dict of 1,000,000 rows held ~100 MB)."""

    def __init__(self, annotations: Annotations, styles: StyleBook, first: int) -> None:
        self.letters = [get_column_letter(first + i) for i in range(len(APPENDED))]
        self.fill_ids = {severity: styles.fill(rgb) for severity, rgb in SEVERITY_RGB.items()}
        self.ids: dict[str | None, list[int]] = {}
        self.rows = annotations.rows
        for seen in self.rows.seen:
            severity = str(seen) or None
            fill = self.fill_ids[severity] if severity else 0
            self.ids[severity] = [
                styles.add_style(fmt, fill=fill, align=align) for _t, fmt, align, _w in APPENDED
            ]
        self.fills = _Fills(self)  # the fill of each flagged row
        self.near = 0  # where the last row was found
        self.totals = set(annotations.totals_rows)
        self.plain = styles.add_style(None, align={"wrapText": "1"}) if self.totals else 0

    def find(self, row: int) -> int | None:
        index = self.rows.find(row, self.near)
        if index is not None:
            self.near = index
        return index

    def __getitem__(self, row: int) -> bytes:
        index = self.find(row)
        if index is None and row not in self.totals:
            raise KeyError(row)
        letters, text = self.letters, ""
        if index is not None:
            values = self.rows.values(index)
            own = self.ids[self.rows.severity(index)]
            text = "".join(
                render_cell(f"{letters[i]}{row}", own[i], value)
                for i, value in enumerate(values)
                if value is not None and value != ""
            )
        if row in self.totals:
            text += render_cell(f"{letters[-1]}{row}", self.plain, TOTALS_TEXT)
        return text.encode()

    def __contains__(self, row: object) -> bool:
        # Mapping's own `in` renders the row to see whether it exists (and `get` renders it again)
        return row in self.totals or (isinstance(row, int) and self.find(row) is not None)

    def __iter__(self) -> Iterator[int]:
        return chain(self.rows.rows, self.totals - set(self.rows.rows))

    def __len__(self) -> int:
        return len(set(self.rows.rows) | self.totals)


class _Fills(Mapping[int, int]):
    """Row -> the fill id of its severity, for the flagged rows."""

    def __init__(self, cells: _Cells) -> None:
        self.cells = cells

    def get(self, row: int, default: int | None = None) -> int | None:  # type: ignore[override]
        index = self.cells.find(row)
        severity = self.cells.rows.severity(index) if index is not None else None
        return self.cells.fill_ids[severity] if severity else default

    def __getitem__(self, row: int) -> int:
        found = self.get(row)
        if found is None:
            raise KeyError(row)
        return found

    def __contains__(self, row: object) -> bool:
        return isinstance(row, int) and self.get(row) is not None

    def __iter__(self) -> Iterator[int]:
        return self.cells.rows.flagged()

    def __len__(self) -> int:
        return sum(1 for _row in self)


_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)\d+"[^>]*?>')
_STYLE_ID = re.compile(rb'\bs="(\d+)"')


def _header_cells(styles: StyleBook, header_row: int, first: int) -> Callable[[bytes], bytes]:
    """The appended headers, given the header row's own cells: styled like its last header cell when
    that one is bold or filled, else bold on grey."""
    letter_before = get_column_letter(first - 1).encode() if first > 1 else b""

    def render(body: bytes) -> bytes:
        style = None
        for match in _CELL_REF.finditer(body):
            if match.group(1) == letter_before:
                found = _STYLE_ID.search(match.group(0))
                style = int(found.group(1)) if found else 0
        if style is None or not styles.looks_like_header(style):
            style = styles.add_style(None, font=styles.bold_font(), fill=styles.fill(HEADER_RGB))
        return "".join(
            render_cell(f"{get_column_letter(first + i)}{header_row}", style, title)
            for i, (title, *_rest) in enumerate(APPENDED)
        ).encode()

    return render
