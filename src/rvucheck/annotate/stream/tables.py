"""Tables (ListObjects) over the charge sheet: one whose header row is the export's header and which ends
at the sheet's last column grows over the appended columns (it keeps filtering the whole row); any other
table is left as it is."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter, range_boundaries

from rvucheck.annotate.stream.safe import parse

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def table_facts(data: bytes) -> tuple[int, int, int, int, str]:
    """(first column, first row, last column, last row, display name) of a table part."""
    root = parse(data)
    c1, r1, c2, r2 = range_boundaries(root.get("ref", "A1:A1"))
    return c1 or 1, r1 or 1, c2 or 1, r2 or 1, root.get("displayName", "")


def grow_table(data: bytes, last_column: int, titles: Sequence[str]) -> bytes:
    """The table widened to `last_column`, one column per title (unique among its column names)."""
    root = parse(data)
    c1, r1, _c2, r2 = range_boundaries(root.get("ref", "A1:A1"))
    ref = f"{get_column_letter(c1 or 1)}{r1}:{get_column_letter(last_column)}{r2}"
    root.set("ref", ref)
    auto_filter = root.find(f"{{{MAIN}}}autoFilter")
    if auto_filter is not None:
        end_row = r2 - int(root.get("totalsRowCount", "0") or 0)
        auto_filter.set("ref", f"{get_column_letter(c1 or 1)}{r1}:{get_column_letter(last_column)}{end_row}")
    columns = root.find(f"{{{MAIN}}}tableColumns")
    assert columns is not None
    names = {c.get("name", "").casefold() for c in columns}
    next_id = max((int(c.get("id", "0")) for c in columns), default=0) + 1
    for title in titles:
        name, number = title, 2
        while name.casefold() in names:
            name, number = f"{title}{number}", number + 1
        names.add(name.casefold())
        etree.SubElement(columns, f"{{{MAIN}}}tableColumn", id=str(next_id), name=name)
        next_id += 1
    columns.set("count", str(len(columns)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
