"""Which text a spreadsheet would take for a formula: the one test behind the workbook and CSV guards.

Pure (no workbook library), so the CSV and JSON outputs of a lean install use the same rule as the
annotated copy: a leading = + - @, a tab or a carriage return, or a DDE call such as `cmd|' /C calc'!A0`.
"""

from __future__ import annotations

import re

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_DDE = re.compile(r"^\s*[-+=@]?\s*[\w.]+\|.*!")


def looks_like_formula(text: str) -> bool:
    """Whether Excel (or a CSV import) could read this text as a formula or a DDE call."""
    return text[:1] in FORMULA_LEADS or bool(_DDE.match(text))
