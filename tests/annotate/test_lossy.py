"""Which workbook parts an openpyxl round trip would lose (found from the zip parts)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from rvucheck.annotate.lossy import lossy_features

CHART_DRAWING = b"<xdr:wsDr><xdr:twoCellAnchor><xdr:graphicFrame><xdr:nvGraphicFramePr/></xdr:graphicFrame><xdr:pic><xdr:spPr/></xdr:pic></xdr:twoCellAnchor></xdr:wsDr>"  # noqa: E501
TEXT_BOX = (
    b'<xdr:wsDr><xdr:twoCellAnchor><xdr:sp macro=""><xdr:txBody/></xdr:sp></xdr:twoCellAnchor></xdr:wsDr>'
)


def _package(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData/></worksheet>")
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_charts_and_pictures_are_kept(tmp_path: Path) -> None:
    assert lossy_features(_package(tmp_path / "a.xlsx", {"xl/drawings/drawing1.xml": CHART_DRAWING})) == []


def test_each_lost_feature_is_named(tmp_path: Path) -> None:
    path = _package(
        tmp_path / "b.xlsx",
        {
            "xl/drawings/drawing1.xml": TEXT_BOX,
            "xl/slicers/slicer1.xml": b"<slicers/>",
            "xl/threadedComments/threadedComment1.xml": b"<ThreadedComments/>",
            "xl/worksheets/sheet2.xml": b"<worksheet><extLst><x14:conditionalFormatting/></extLst>"
            b"</worksheet>",
        },
    )
    assert lossy_features(path) == [
        "shapes or text boxes",
        "slicers",
        "threaded comments (replies)",
        "Excel 2010 conditional formats (data bars, icon sets)",
    ]
