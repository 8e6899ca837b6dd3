"""One charge row -> a ChargeLine, or an UnreadableLine naming the cell and the reason (hot path)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from operator import itemgetter

from rvucheck.model import BlankedRef, CellRef, ChargeLine, UnreadableLine
from rvucheck.read.cells import (
    EXCEL_ERRORS,
    BadValue,
    clean_text,
    has_control,
    normalize_pos,
    parse_age,
    parse_date,
    parse_flag,
    parse_minutes,
    parse_money,
    parse_units,
    split_diagnoses,
    split_modifiers,
)
from rvucheck.read.headers import normalize_header
from rvucheck.read.sources import SheetGrid

CODE_SHAPE = re.compile(r"^[0-9A-Z]{5}$")
NO_DOCUMENTATION: tuple[float | None, str, dt.date | None, bool | None] = (None, "", None, None)
# The fields a line cannot be checked without: a value of theirs that cannot be read makes the line
# unreadable (build below). Any other field's unreadable value is read as absent, an Excel error too.
CRITICAL = ("hcpcs", "units", "dos", "modifiers")

# The order LineBuilder.build passes a line's values in: ChargeLine's own, checked here so a new or moved
# field fails at import, not as a shifted value.
LINE_FIELDS = (
    "source", "hcpcs", "modifiers", "units", "dos", "provider", "provider_npi", "specialty", "group",
    "patient", "diagnoses", "pos", "charge", "payer", "claim", "posted", "birth_date", "age",
    "minutes", "note_status", "signed", "attachment", "columns",
)  # fmt: skip
if tuple(field.name for field in dataclasses.fields(ChargeLine)) != LINE_FIELDS:
    raise ImportError("read.rows.LINE_FIELDS no longer matches model.ChargeLine's fields: update build()")


class LineBuilder:
    """Turns one row into a ChargeLine, or an UnreadableLine naming the cell and the reason.

    Hot path (100k rows): field indexes are resolved once, rows are padded to the mapped width, and every
    normaliser is cached, so a row costs a few dict lookups and one dataclass construction."""

    TEXT_FIELDS = ("provider", "provider_npi", "specialty", "group", "patient", "payer", "claim")
    DOCUMENT_FIELDS = ("minutes", "note_status", "signed", "attachment")

    def __init__(
        self,
        grid: SheetGrid,
        single: dict[str, int],
        multi: dict[str, tuple[int, ...]],
        columns: tuple[tuple[str, int], ...],
        header_cells: list[str],
    ) -> None:
        self.sheet = grid.name
        self.date1904 = grid.date1904
        self.formulas = grid.formulas_without_value
        self.errors = grid.error_cells
        self.single = single
        self.multi = multi
        self.columns = columns
        self.code_column = single["hcpcs"] + 1
        self.header_code = normalize_header(header_cells[single["hcpcs"]]) if header_cells else ""
        self.mapped = sorted(set(single.values()) | {i for cols in multi.values() for i in cols})
        self.critical = {single[n] for n in CRITICAL if n in single} | {
            i for n in CRITICAL for i in multi.get(n, ())
        }
        # a field without a column reads from index `width` (past every cell of the sheet): rows are padded
        # in place with blanks up to it
        self.width = max((len(row) for row in grid.rows), default=0)
        self.index = {
            name: single.get(name, self.width)
            for name in (*self.TEXT_FIELDS, "units", "dos", "posted", "pos", "charge", "birth_date", "age")
        }
        self.index.update({name: single.get(name, self.width) for name in self.DOCUMENT_FIELDS})
        self.documents = any(name in single for name in self.DOCUMENT_FIELDS)
        self.modifier_indexes = multi.get("modifiers", ())
        self.diagnosis_indexes = multi.get("diagnoses", ())
        # the mapped cells of a row in one C call (an Excel error in any of them makes the line unreadable)
        self.mapped_values: Callable[[list[object]], tuple[object, ...]] = (
            itemgetter(*self.mapped) if len(self.mapped) > 1 else lambda row: (row[self.mapped[0]],)
        )
        self.text_indexes = tuple(self.index[name] for name in self.TEXT_FIELDS)
        # a row's cells for the fields below, each in one C call (not a dict lookup and a subscript each)
        self.values = itemgetter(*(self.index[name] for name in ("units", "dos", "posted", "pos", "charge")))
        self.texts = itemgetter(*self.text_indexes)
        self.control_rows: list[int] = []  # rows whose text had control characters (read as "?")

    def _ref(self, row_number: int, name: str) -> CellRef:
        if name in self.single:
            return CellRef(self.sheet, row_number, self.single[name] + 1)
        if name in self.multi:
            return CellRef(self.sheet, row_number, self.multi[name][0] + 1)
        return CellRef(self.sheet, row_number, self.code_column)

    def build(
        self, row: list[object], row_number: int, code: str, code_modifiers: tuple[str, ...]
    ) -> ChargeLine | UnreadableLine:
        if self.formulas:
            for mapped_index in self.mapped:
                if (row_number, mapped_index + 1) in self.formulas:
                    ref = CellRef(self.sheet, row_number, mapped_index + 1)
                    return UnreadableLine(
                        ref,
                        f"{ref.a1()} holds a formula with no saved result (the file was written by a program "
                        "that does not calculate); open and save it in Excel, then run again",
                    )
        if len(row) <= self.width:
            row.extend([""] * (self.width + 1 - len(row)))
        blanked: tuple[tuple[int, str], ...] = ()
        if self.errors or not EXCEL_ERRORS.isdisjoint(self.mapped_values(row)):
            found = self._failed_formulas(row, row_number)
            if isinstance(found, UnreadableLine):
                return found
            blanked = found
            if blanked:  # read as blank, in a copy of the row (rare)
                lost = {column - 1 for column, _error in blanked}
                row = [("" if i in lost else value) for i, value in enumerate(row)]
        code_ref = (
            BlankedRef(self.sheet, row_number, self.code_column, blanked)
            if blanked
            else CellRef(self.sheet, row_number, self.code_column)
        )
        if not code:
            return UnreadableLine(code_ref, f"no procedure code in {code_ref.a1()}")
        if not CODE_SHAPE.match(code) and normalize_header(code) == self.header_code:
            return UnreadableLine(
                code_ref, "repeats the column headers (a page header in the export), not a charge line"
            )
        index = self.index
        units_cell, dos_cell, posted_cell, pos_cell, charge_cell = self.values(row)
        try:
            units = parse_units(units_cell)
        except BadValue as exc:
            ref = self._ref(row_number, "units")
            return UnreadableLine(ref, f"{ref.a1()}: {exc}")
        try:
            dos = parse_date(dos_cell, self.date1904)
        except BadValue as exc:
            ref = self._ref(row_number, "dos")
            return UnreadableLine(ref, f"date of service in {ref.a1()}: {exc}")
        try:
            posted = parse_date(posted_cell, self.date1904)
        except BadValue:
            posted = None  # a posting date only feeds the audit's charge lag; not a reason to skip the line
        birth_date, age = self._age_of(row, index)
        modifiers = code_modifiers
        for column in self.modifier_indexes:
            value = row[column]
            if value != "" and value is not None:
                try:
                    modifiers += split_modifiers(value)
                except BadValue as exc:
                    ref = CellRef(self.sheet, row_number, column + 1)
                    return UnreadableLine(ref, f"{ref.a1()}: {exc}")
        diagnoses: tuple[str, ...] = ()
        for column in self.diagnosis_indexes:
            value = row[column]
            if value != "" and value is not None:
                diagnoses += split_diagnoses(value)
        provider, npi, specialty, group, patient, payer, claim = map(clean_text, self.texts(row))
        if not npi and len(provider) == 10 and provider.isdigit():
            npi = provider
        if "?" in f"{code}{provider}{npi}{specialty}{group}{patient}{payer}{claim}":  # rare: look closer
            self._note_control(row, row_number)
        documented = self._documentation(row, index) if self.documents else NO_DOCUMENTATION
        # positionally, in ChargeLine's field order (LINE_FIELDS): keywords cost twice as much (slotted class)
        return ChargeLine(
            code_ref,  # source
            code,  # hcpcs
            modifiers if len(set(modifiers)) == len(modifiers) else tuple(dict.fromkeys(modifiers)),
            units,
            dos,
            provider,
            npi,  # provider_npi
            specialty,
            group,
            patient,
            diagnoses if len(set(diagnoses)) == len(diagnoses) else tuple(dict.fromkeys(diagnoses)),
            normalize_pos(pos_cell),
            parse_money(charge_cell),
            payer,
            claim,
            posted,
            birth_date,
            age,
            *documented,  # minutes, note_status, signed, attachment
            self.columns,
        )

    def _documentation(
        self, row: list[object], index: dict[str, int]
    ) -> tuple[float | None, str, dt.date | None, bool | None]:
        """What the export says of the line's note: time, status, signature date, attachment flag. None of
        them is a reason to skip a line: a value that cannot be read is taken as absent (not judged)."""
        try:
            signed = parse_date(row[index["signed"]], self.date1904)
        except BadValue:
            signed = None
        return (
            parse_minutes(row[index["minutes"]]),
            clean_text(row[index["note_status"]]),
            signed,
            parse_flag(row[index["attachment"]]),
        )

    def _age_of(self, row: list[object], index: dict[str, int]) -> tuple[dt.date | None, int | None]:
        """The patient's date of birth and age in years, where the export has them. Neither is a reason to
        skip a line: a value that is not a date (or a whole number of years, 0-124) is read as absent."""
        birth, years = row[index["birth_date"]], row[index["age"]]
        if birth in ("", None) and years in ("", None):
            return None, None
        try:
            birth_date = parse_date(birth, self.date1904)
        except BadValue:
            birth_date = None
        return birth_date, parse_age(years)

    def _note_control(self, row: list[object], row_number: int) -> None:
        """Whether the row's code or text cells held control characters (read as "?", noted once)."""
        cells = (row[self.code_column - 1], *(row[i] for i in self.text_indexes))
        if any(has_control(cell) for cell in cells):
            self.control_rows.append(row_number)

    def _failed_formulas(
        self, row: list[object], row_number: int
    ) -> UnreadableLine | tuple[tuple[int, str], ...]:
        """Mapped cells holding an Excel error (#REF!, #N/A ...): calamine reads one as blank, a CSV as
        text; either way the value is lost. In a CRITICAL field's cell (a blank would be read as one unit,
        no modifier, no date) the line is unreadable; any other such cell is read as blank: its (column,
        error)."""
        blanked = []
        for mapped_index in self.mapped:
            error = self.errors.get((row_number, mapped_index + 1)) if self.errors else None
            if error is None:
                value = row[mapped_index]
                error = value if isinstance(value, str) and value in EXCEL_ERRORS else None
            if error is None:
                continue
            if mapped_index not in self.critical:
                blanked.append((mapped_index + 1, error))
                continue
            ref = CellRef(self.sheet, row_number, mapped_index + 1)
            return UnreadableLine(
                ref, f"{ref.a1()} holds the Excel error {error} (a formula that failed); fix it in the "
                "export, then run again",
            )  # fmt: skip
        return tuple(blanked)
