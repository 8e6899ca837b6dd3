"""What an openpyxl round trip would lose from a workbook, from the contents the reader found in its parts.

`read.package` names what the package holds beyond cells (sparklines, slicers, shapes, ...); every one of
those is dropped by openpyxl, and images are kept only when Pillow is installed. When a workbook holds any
of them the annotator writes a separate report workbook instead of a lossy copy.
"""

from __future__ import annotations

from rvucheck.model import PackageContents


def _pillow_available() -> bool:
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


def lost_in_copy(contents: PackageContents) -> list[str]:
    """Human-readable list of what a copy would lose (empty when the copy is safe)."""
    lost = list(contents.features)
    if contents.images and not _pillow_available():
        lost.append("images (install Pillow to keep them)")
    return lost
