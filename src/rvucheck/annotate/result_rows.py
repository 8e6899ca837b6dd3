"""The appended result cells of every charge row, held by column: compact to hold and to send.

A row's eight values as a Python tuple (with its float objects and the row number) cost ~320 bytes: 1,000,000
lines held ~320 MB in the process writing the copy, and pickling them from the checking worker doubled that
for a moment. Here the four numbers are one array of doubles, the four texts one list of references to
strings the lines already share (a code's global period, status, the severities; the findings text is the
row's own), and the row numbers an array, sorted: ~80 bytes a row, pickled as raw arrays.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import islice

NUMBERS = 4  # Work RVU, Credited wRVU, Total RVU, Est. Payment
TEXTS = 4  # Global, Status, Severity, Findings
SEVERITY = 2  # the severity's place among the texts
_ABSENT = math.nan  # no number (None); a value that is not a plain float is kept in `odd`

# Work RVU, Credited wRVU, Total RVU, Est. Payment, Global, Status, Severity, Findings
RowValues = tuple[object, ...]


class ResultRows:
    """Rows (worksheet row numbers, ascending, each once) and their eight values."""

    def __init__(self) -> None:
        self.rows = array("q")
        self.numbers = array("d")  # NUMBERS per row
        self.texts: list[object] = []  # TEXTS per row
        self.odd: dict[int, object] = {}  # place in `numbers` -> a value that is not a float (or a NaN)
        # the severities ("" for none) in the order the rows first gave them: the copy's cell styles are
        # made in that order, whatever order the rows are held in
        self.seen: list[object] = []

    @classmethod
    def of(cls, items: Iterable[tuple[int, RowValues]]) -> ResultRows:
        """The rows of (row, values) pairs, in any order; a row given twice is an error (merge first)."""
        made = cls()
        for row, values in items:
            made.add(row, values)
        return made.sorted()

    def add(self, row: int, values: RowValues) -> None:
        self.rows.append(row)
        numbers, place = self.numbers, len(self.numbers)
        for offset, value in enumerate(values[:NUMBERS]):
            if type(value) is float and value == value:  # a NaN compares unequal: kept as itself
                numbers.append(value)
                continue
            numbers.append(_ABSENT)
            if value is not None:
                self.odd[place + offset] = value
        self.texts.extend(values[NUMBERS:])
        if values[NUMBERS + SEVERITY] not in self.seen:
            self.seen.append(values[NUMBERS + SEVERITY])

    def has_repeats(self) -> bool:
        """Whether a row number is given more than once (a wide claim row: one line per code). Sorted
        rows only."""
        rows = self.rows
        return any(a == b for a, b in zip(rows, islice(rows, 1, None), strict=False))

    def sorted(self) -> ResultRows:
        """Itself, ordered by row number (the reader's order; unreadable rows come after the lines)."""
        rows = self.rows
        if all(a <= b for a, b in zip(rows, islice(rows, 1, None), strict=False)):
            return self
        order = sorted(range(len(rows)), key=rows.__getitem__)
        made = ResultRows()
        made.seen = self.seen
        made.rows = array("q", (rows[i] for i in order))
        made.numbers = array("d", (self.numbers[i * NUMBERS + k] for i in order for k in range(NUMBERS)))
        made.texts = [self.texts[i * TEXTS + k] for i in order for k in range(TEXTS)]
        where = {old: new for new, old in enumerate(order)}
        made.odd = {
            where[place // NUMBERS] * NUMBERS + place % NUMBERS: value for place, value in self.odd.items()
        }
        return made

    def __len__(self) -> int:
        return len(self.rows)

    def values(self, index: int) -> RowValues:
        place = index * NUMBERS
        numbers = self.numbers
        found = [
            numbers[at] if not math.isnan(numbers[at]) else self.odd.get(at)
            for at in range(place, place + NUMBERS)
        ]
        start = index * TEXTS
        return (*found, *self.texts[start : start + TEXTS])

    def severity(self, index: int) -> str | None:
        """The row's worst severity, None when it has no finding."""
        return self.texts[index * TEXTS + SEVERITY] or None  # type: ignore[return-value]

    def find(self, row: int, near: int = 0) -> int | None:
        """The index of `row`, or None; `near`: where to look first (the last index found: the sheet is
        written in row order, so the next row is usually the next one here)."""
        rows = self.rows
        if near < len(rows) and rows[near] == row:
            return near
        if near + 1 < len(rows) and rows[near + 1] == row:
            return near + 1
        at = bisect_left(rows, row)
        return at if at < len(rows) and rows[at] == row else None

    def items(self) -> Iterator[tuple[int, RowValues]]:
        for index, row in enumerate(self.rows):
            yield row, self.values(index)
