"""What reading a charge export gives (read_charges, a chunk of rows, an 837P file): its lines, its
unreadable lines and the sheet's layout."""

from __future__ import annotations

from dataclasses import dataclass, field

from rvucheck.model import ChargeLine, SheetLayout, UnreadableLine
from rvucheck.read.sources import Grid


@dataclass(frozen=True)
class ReadResult:
    lines: list[ChargeLine]
    unreadable: list[UnreadableLine]
    sheet: str
    header_row: int  # worksheet row number of the header
    mapping: dict[str, int]  # field -> 1-based column (first column of modifiers/diagnoses)
    totals_rows: list[int]
    blank_rows: int = 0
    hidden_rows: list[int] = field(default_factory=list)  # hidden rows that were read (and checked)
    headers: list[str] = field(default_factory=list)  # header text per column, as written
    columns_of: dict[str, tuple[int, ...]] = field(default_factory=dict)  # every 1-based column of a field
    last_row: int = 0  # last worksheet row that was looked at
    kind: str = "xlsx"
    date1904: bool = False
    # The sheet's values as read (merged values not filled down), kept only when asked: the report
    # workbook written for a CSV or a workbook a copy would damage holds them, and must not read it again.
    grid: Grid | None = None
    evidence: dict[str, str] = field(default_factory=dict)  # field -> why its column was chosen
    wide: bool = False  # one row per claim, one line per filled HCPCS_CD_k (read/assign.py)

    @property
    def fields(self) -> frozenset[str]:
        """The fields a column was found for: exactly those in every line's `ChargeLine.columns`."""
        return frozenset(self.columns_of)

    control_rows: list[int] = field(default_factory=list)  # rows whose control characters were read as "?"

    @property
    def rows_read(self) -> int:
        """Non-blank, non-total rows below the header: each is either checked or reported unreadable."""
        return len(self.lines) + len(self.unreadable)

    @property
    def layout(self) -> SheetLayout:
        """The plain layout value the outputs take (they never see the reader's own type)."""
        return SheetLayout(
            self.sheet, self.header_row, tuple(self.headers), tuple(self.columns_of.items()),
            tuple(self.totals_rows), self.blank_rows, tuple(self.hidden_rows), self.last_row, self.kind,
            self.date1904,
        )  # fmt: skip
