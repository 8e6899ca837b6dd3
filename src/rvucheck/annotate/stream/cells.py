"""The appended result cells as XML: numbers as values, text as inline strings (never a formula, and no
shared-string renumbering)."""

from __future__ import annotations

import math
from functools import lru_cache
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def render_cell(address: str, style_id: int, value: object) -> str:
    if type(value) is float and math.isfinite(value):  # most result cells: checked first, one test
        return f'<c r="{address}" s="{style_id}"><v>{value!r}</v></c>'
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, float) and not math.isfinite(value):
        value = str(value)  # nan / inf: Excel has no such number (a <v>nan</v> needs a repair)
    if isinstance(value, int | float):
        return f'<c r="{address}" s="{style_id}"><v>{value!r}</v></c>'
    text = _safe_text(value) if type(value) is str else _safe_text(str(value))
    return f'<c r="{address}" s="{style_id}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


@lru_cache(maxsize=1 << 12)
def _safe_text(value: str) -> str:
    """Text as XML character data (control characters shown as `?`). Cached: a month's statuses,
    severities and most findings repeat on many rows, and the lookup costs less than the scans."""
    text = ILLEGAL_CHARACTERS_RE.sub("?", value)
    return escape(text) if "&" in text or "<" in text or ">" in text else text
