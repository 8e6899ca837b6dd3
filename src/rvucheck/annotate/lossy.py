"""What openpyxl would silently drop from a workbook, found by looking at the zip parts.

openpyxl keeps cells, formulas, styles, charts, tables, data validation, conditional formats, comments,
defined names, hyperlinks, pivot tables and (with Pillow) images. It drops sparklines and other x14
extensions (2010 data bars, x14 validations/conditional formats), shapes and text boxes in drawings,
slicers and timelines, form controls and ActiveX, threaded comments, Excel data models and query
connections, custom XML parts and macro sheets. When a workbook holds any of these the annotator writes a
separate report workbook instead of a lossy copy.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

# part-name prefix -> what the user would lose
_LOST_PARTS = (
    ("xl/slicers/", "slicers"),
    ("xl/slicerCaches/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/timelineCaches/", "timelines"),
    ("xl/ctrlProps/", "form controls"),
    ("xl/activeX/", "ActiveX controls"),
    ("xl/threadedComments/", "threaded comments (replies)"),
    ("xl/persons/", "threaded comments (replies)"),
    ("xl/model/", "a data model (Power Pivot)"),
    ("xl/connections.xml", "data connections (Power Query)"),
    ("xl/queryTables/", "query tables"),
    ("customXml/", "custom XML parts"),
    ("xl/macrosheets/", "Excel 4 macro sheets"),
    ("xl/dialogsheets/", "dialog sheets"),
    ("xl/webextensions/", "Office add-in parts"),
)
_SHEET_MARKERS = (
    (b"sparklineGroup", "sparklines"),
    (b"x14:conditionalFormatting", "Excel 2010 conditional formats (data bars, icon sets)"),
    (b"x14:dataValidation", "Excel 2010 data validation lists"),
    (b"x14:slicerList", "slicers"),
    (b"mc:AlternateContent", "embedded controls or objects"),
)
_DRAWING_MARKERS = (
    (re.compile(rb"<(?:\w+:)?sp[ >]"), "shapes or text boxes"),
    (re.compile(rb"<(?:\w+:)?grpSp[ >]"), "grouped shapes"),
    (re.compile(rb"<(?:\w+:)?cxnSp[ >]"), "connector lines"),
)


def _pillow_available() -> bool:
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


def _stream_has(archive: zipfile.ZipFile, name: str, needles: tuple[bytes, ...]) -> set[bytes]:
    found: set[bytes] = set()
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            found.update(n for n in needles if n in window)
            tail = chunk[-64:]
    return found


def lossy_features(path: Path | str) -> list[str]:
    """Human-readable list of features an openpyxl round trip would lose (empty when the copy is safe)."""
    lost: dict[str, None] = {}
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        for name in names:
            for prefix, what in _LOST_PARTS:
                if name.startswith(prefix):
                    lost[what] = None
            if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                needles = tuple(marker for marker, _ in _SHEET_MARKERS)
                hits = _stream_has(archive, name, needles)
                lost.update({what: None for marker, what in _SHEET_MARKERS if marker in hits})
            elif name.startswith("xl/drawings/drawing") and name.endswith(".xml"):
                data = archive.read(name)
                lost.update({what: None for pattern, what in _DRAWING_MARKERS if pattern.search(data)})
        if any(n.startswith("xl/media/") for n in names) and not _pillow_available():
            lost["images (install Pillow to keep them)"] = None
    return list(lost)
