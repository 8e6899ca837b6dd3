"""The appended result cells of every charge row, held by column: compact to hold and to send.

A row's eight values as a Python tuple (with its float objects and the row number) cost ~320 bytes: 1,000,000
lines held ~320 MB in the process writing the copy, and pickling them from the checking worker doubled that
for a moment. Here the four numbers are one array of doubles; the global period, status and severity are
their places (an array) in a list of the distinct ones; the findings text is one list of the rows' strings
(most often the one empty string); the row numbers are an array, sorted: ~60 bytes a row, pickled mostly as
raw arrays.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import islice

NUMBERS = 4  # Work RVU, Credited wRVU, Total RVU, Est. Payment
WORDS = 3  # Global, Status, Severity: a few distinct values, each row's as their places in a list
SEVERITY = 2  # the severity's place among the words
_ABSENT = math.nan  # no number (None); a value that is not a plain float is kept in `odd`

# Work RVU, Credited wRVU, Total RVU, Est. Payment, Global, Status, Severity, Findings
RowValues = tuple[object, ...]


class ResultRows:
    """Rows (worksheet row numbers, ascending, each once) and their eight values."""

    def __init__(self) -> None:
        self.rows = array("q")
        self.numbers = array("d")  # NUMBERS per row
        self.words: list[object] = []  # every distinct global period, status and severity
        self.codes = array("I")  # WORDS per row: their places in `words`
        self.findings: list[object] = []  # the findings text of each row
        self.odd: dict[int, object] = {}  # place in `numbers` -> a value that is not a float (or a NaN)
        # the severities ("" for none) in the order the rows first gave them: the copy's cell styles are
        # made in that order, whatever order the rows are held in
        self.seen: list[object] = []
        self._known: dict[object, int] = {}  # word -> its place in `words`

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
        known = self._known
        for word in values[NUMBERS : NUMBERS + WORDS]:
            key = word if type(word) is str else (type(word), word)  # 1 and True are one key
            code = known.get(key)
            if code is None:
                code = known[key] = len(self.words)
                self.words.append(word)
            self.codes.append(code)
        self.findings.append(values[NUMBERS + WORDS])
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
        made.words, made._known = self.words, self._known
        made.codes = array("I", (self.codes[i * WORDS + k] for i in order for k in range(WORDS)))
        made.findings = [self.findings[i] for i in order]
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
        words, place = self.words, index * WORDS
        codes = self.codes[place : place + WORDS]
        return (*found, *(words[code] for code in codes), self.findings[index])

    def severity(self, index: int) -> str | None:
        """The row's worst severity, None when it has no finding."""
        return self.words[self.codes[index * WORDS + SEVERITY]] or None  # type: ignore[return-value]

    def flagged(self) -> Iterator[int]:
        """The rows that have a severity (a finding), in order."""
        severities = {code for code, word in enumerate(self.words) if word}
        marks = self.codes[SEVERITY::WORDS]
        return (row for row, code in zip(self.rows, marks, strict=True) if code in severities)

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
