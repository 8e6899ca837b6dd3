"""The appended result cells as XML: numbers as values, text as inline strings (never a formula, and no
shared-string renumbering)."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def render_cell(address: str, style_id: int, value: object) -> str:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, float) and not math.isfinite(value):
        value = str(value)  # nan / inf: Excel has no such number (a <v>nan</v> needs a repair)
    if isinstance(value, int | float):
        return f'<c r="{address}" s="{style_id}"><v>{value!r}</v></c>'
    text = ILLEGAL_CHARACTERS_RE.sub("?", str(value))
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    return f'<c r="{address}" s="{style_id}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
