"""What a workbook holds beyond cells (read.package finds it in the zip parts). The annotated copy no longer
depends on it (it is streamed and keeps every part); the reader still reports it."""

from __future__ import annotations

import zipfile
from pathlib import Path

from rvucheck.read.package import UNREADABLE_PARTS, package_contents


def lossy_features(path: Path) -> list[str]:
    return list(package_contents(path).features)


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


def test_a_package_whose_parts_cannot_be_parsed_is_never_copied(tmp_path: Path) -> None:
    path = _package(tmp_path / "c.xlsx", {})
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/_rels/workbook.xml.rels", b"<Relationships")  # cut short: not XML
    assert package_contents(path) == UNREADABLE_PARTS
    assert lossy_features(path) == ["parts rvucheck could not read"]


def test_formatted_text_runs_are_found(tmp_path: Path) -> None:
    plain = _package(tmp_path / "p.xlsx", {"xl/sharedStrings.xml": b"<sst><si><t>99213</t></si></sst>"})
    runs = _package(tmp_path / "r.xlsx", {"xl/sharedStrings.xml": b"<sst><si><r><t>a</t></r></si></sst>"})
    assert (package_contents(plain).rich_text, package_contents(runs).rich_text) == (False, True)
