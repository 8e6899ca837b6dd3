"""The periods CMS names in its file names, sheet names, zip names and link texts, read by one parser:
`data install` picks the newest link on a landing page (landing.period_of) and dates an NCCI file
(ncci.formats.quarter_from_text) with it.

Shapes, in the order a name is read (the first shape found wins where one answer is wanted):
2026Q3 / 2026-q3 / v2026q3; 07-01-2026 / 07/01/2026 / Eff_07_01_2026 / 07012026; 2026-07-01; NCCI's
version v321r0 (32.1 = 2026 Q2); q3-2026 / Q3 2026; July 2026 / july-1-2026 / July 1, 2026.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_SEP = r"[\s_/.-]*"
_SHAPES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, int]]], ...] = (
    # 2026Q3, 2026-q3, v2026q3 (a quarter counts as its first month)
    (re.compile(rf"(20\d\d){_SEP}q([1-4])(?!\d)", re.I), lambda m: (int(m[1]), 3 * int(m[2]) - 2)),
    # 07/01/2026, 07-01-2026, Eff_07_01_2026, 07012026
    (re.compile(r"(?<!\d)(\d\d)[/_-]?(\d\d)[/_-]?(20\d\d)(?!\d)"), lambda m: (int(m[3]), int(m[1]))),
    # 2026-07-01
    (re.compile(r"(20\d\d)-(\d\d)-(\d\d)"), lambda m: (int(m[1]), int(m[2]))),
    # NCCI's version in its file names: v321r0 is version 32.1, 2026 Q2
    (re.compile(r"v(\d\d)(\d)r\d", re.I), lambda m: (1994 + int(m[1]), 3 * int(m[2]) + 1)),
    # q3-2026, Q3 2026
    (re.compile(rf"(?<![a-z])q([1-4]){_SEP}(20\d\d)", re.I), lambda m: (int(m[2]), 3 * int(m[1]) - 2)),
    # July 2026, july-1-2026, July 1, 2026
    (
        re.compile(rf"(?<![a-z])({'|'.join(MONTHS)})(?![a-z]){_SEP}(?:\d\d?,?{_SEP})?(20\d\d)", re.I),
        lambda m: (int(m[2]), MONTHS[m[1].lower()]),
    ),
)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def periods_named(text: str) -> list[tuple[int, int]]:
    """Every (year, month) the text names, shape by shape in the order above, each shape's in the order they
    stand; months outside 1-12 are not periods."""
    return [
        (year, month)
        for pattern, period in _SHAPES
        for match in pattern.finditer(text)
        for year, month in (period(match),)
        if 1 <= month <= 12
    ]


def years_named(text: str) -> list[int]:
    """The bare years (2000-2099) the text names."""
    return [int(y) for y in _YEAR.findall(text)]
