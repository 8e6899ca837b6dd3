"""The package's styles.xml with the cell styles the annotated copy adds (appended; none changed).

A row with findings keeps every cell's own look (number format, font, border, alignment) and changes only
its fill: each original style id such a row uses gets a filled twin, made once. The side workbook's styles
(Findings, Summary sheets) are appended with their ids shifted (`merge`).
"""

from __future__ import annotations

from copy import deepcopy

from lxml import etree  # type: ignore[import-untyped]

from rvucheck.annotate.stream.safe import parse

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "@": 49}
FIRST_CUSTOM_FORMAT = 164
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


class StyleBook:
    def __init__(self, data: bytes) -> None:
        self.root = parse(data)
        self.lists = {tag: self._list(tag) for tag in _ORDER[:6]}
        self.twins: dict[tuple[int, str], int] = {}
        self.fills: dict[str, int] = {}
        self.formats: dict[str, int] = {}
        self.bold_font_id: int | None = None

    def _list(self, tag: str) -> etree._Element:
        found = self.root.find(_q(tag))
        if found is not None:
            return found
        element = etree.Element(_q(tag))
        later = [self.root.find(_q(t)) for t in _ORDER[_ORDER.index(tag) + 1 :]]
        anchor = next((e for e in later if e is not None), None)
        if anchor is not None:
            anchor.addprevious(element)
        else:
            self.root.append(element)
        return element

    def _append(self, tag: str, element: etree._Element) -> int:
        container = self.lists[tag]
        container.append(element)
        count = len(container.findall(f"./{{{MAIN}}}*"))
        container.set("count", str(count))
        return count - 1

    def _items(self, tag: str) -> list[etree._Element]:
        return self.lists[tag].findall(f"./{{{MAIN}}}*")

    def fill(self, rgb: str) -> int:
        """The id of a solid fill of colour `rgb` (added once)."""
        if rgb not in self.fills:
            fill = etree.Element(_q("fill"))
            pattern = etree.SubElement(fill, _q("patternFill"), patternType="solid")
            etree.SubElement(pattern, _q("fgColor"), rgb=rgb)
            etree.SubElement(pattern, _q("bgColor"), indexed="64")
            self.fills[rgb] = self._append("fills", fill)
        return self.fills[rgb]

    def number_format(self, code: str | None) -> int:
        if not code:
            return 0
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        if code not in self.formats:
            existing = {f.get("formatCode"): int(f.get("numFmtId", "0")) for f in self._items("numFmts")}
            if code in existing:
                self.formats[code] = existing[code]
            else:
                number = max([FIRST_CUSTOM_FORMAT - 1, *existing.values()]) + 1
                self._append("numFmts", etree.Element(_q("numFmt"), numFmtId=str(number), formatCode=code))
                self.formats[code] = number
        return self.formats[code]

    def bold_font(self) -> int:
        """The workbook's body font (font 0), bold."""
        if self.bold_font_id is None:
            fonts = self._items("fonts")
            font = deepcopy(fonts[0]) if fonts else etree.Element(_q("font"))
            for old in font.findall(_q("b")):
                font.remove(old)
            font.insert(0, etree.Element(_q("b")))
            self.bold_font_id = self._append("fonts", font)
        return self.bold_font_id

    def add_style(
        self,
        number_format: str | None = None,
        font: int = 0,
        fill: int = 0,
        align: dict[str, str] | None = None,
    ) -> int:
        xf = etree.Element(_q("xf"), numFmtId=str(self.number_format(number_format)), fontId=str(font),
                           fillId=str(fill), borderId="0", xfId="0")  # fmt: skip
        for flag, used in (("applyNumberFormat", number_format), ("applyFont", font), ("applyFill", fill)):
            if used:
                xf.set(flag, "1")
        if align:
            xf.set("applyAlignment", "1")
            etree.SubElement(xf, _q("alignment"), **align)
        return self._append("cellXfs", xf)

    def twin(self, style_id: int, fill: int) -> int:
        """Style `style_id` with fill `fill` instead of its own (made once per pair)."""
        key = (style_id, str(fill))
        if key not in self.twins:
            styles = self._items("cellXfs")
            xf = deepcopy(styles[style_id] if 0 <= style_id < len(styles) else styles[0])
            xf.set("fillId", str(fill))
            xf.set("applyFill", "1")
            self.twins[key] = self._append("cellXfs", xf)
        return self.twins[key]

    def looks_like_header(self, style_id: int) -> bool:
        """Bold, or on a coloured fill: appended headers then copy the export's own header style."""
        styles = self._items("cellXfs")
        if not 0 <= style_id < len(styles):
            return False
        xf = styles[style_id]
        fonts, fills = self._items("fonts"), self._items("fills")
        font_id, fill_id = int(xf.get("fontId", "0")), int(xf.get("fillId", "0"))
        bold = font_id < len(fonts) and any(
            b.get("val", "1") not in ("0", "false") for b in fonts[font_id].findall(_q("b"))
        )
        pattern = fills[fill_id].find(_q("patternFill")) if fill_id < len(fills) else None
        filled = pattern is not None and pattern.get("patternType", "none") not in ("none", "gray125")
        return bold or filled

    def merge(self, data: bytes) -> dict[int, int]:
        """Append another styles.xml's fonts, fills, borders, formats and cell styles; its style id ->
        the id here."""
        other = StyleBook(data)
        offsets = {tag: len(self._items(tag)) for tag in ("fonts", "fills", "borders")}
        for tag in offsets:
            for element in other._items(tag):
                self._append(tag, deepcopy(element))
        formats = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in other._items("numFmts")}
        mapping = {}
        for index, xf in enumerate(other._items("cellXfs")):
            twin = deepcopy(xf)
            for tag, attribute in (("fonts", "fontId"), ("fills", "fillId"), ("borders", "borderId")):
                twin.set(attribute, str(int(xf.get(attribute, "0")) + offsets[tag]))
            number = int(xf.get("numFmtId", "0"))
            if number in formats:
                twin.set("numFmtId", str(self.number_format(formats[number])))
            twin.set("xfId", "0")  # named styles (Hyperlink) are not carried over; the look is in the xf
            mapping[index] = self._append("cellXfs", twin)
        return mapping

    def tobytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
