"""The values that flow through rvucheck: reader -> engine -> outputs.

Frozen dataclasses only; no I/O. Everything downstream of the reader speaks in these types.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

# The severity vocabulary, the one place it is spelled out: worst first, the order reports list them in.
Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}  # 0 = worst
# The words a count of each severity is shown under ("Errors 12", "3 warnings").
SEVERITY_LABELS: dict[str, str] = {"error": "Errors", "warning": "Warnings", "info": "Info"}

_Frozen = TypeVar("_Frozen")


def fast_init(cls: type[_Frozen]) -> type[_Frozen]:
    """A frozen, slotted dataclass made quick to construct, with the same signature and behaviour.

    A frozen dataclass's own `__init__` sets every field through `object.__setattr__` (a Python-level call
    per field: ~100 ns each, 2.4 us for a 23-field ChargeLine). Here `__init__` lends the new object,
    for the length of the call, to a mutable twin class with the very same slots, stores the fields as
    plain attribute stores, and gives it back its class: the instance is never seen unfrozen, and
    equality, hashing, repr, pickling and `dataclasses.replace` are the dataclass's own. The twin and the
    `__init__` are generated from `dataclasses.fields`, as the dataclass's own are (one list of fields).
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    params = cls.__dict__.get("__dataclass_params__")
    if not (params and params.frozen and "__slots__" in cls.__dict__):
        raise TypeError(f"{cls.__name__}: fast_init is for @dataclass(frozen=True, slots=True) classes")
    if hasattr(cls, "__post_init__") or any(
        not f.init or f.default_factory is not dataclasses.MISSING for f in fields
    ):
        raise TypeError(f"{cls.__name__}: fast_init takes plain fields only (no factory, no __post_init__)")
    twin = type(f"_{cls.__name__}Draft", (), {"__slots__": cls.__slots__})  # type: ignore[attr-defined]
    names = [f.name for f in fields]
    signature = ", ".join(
        name if f.default is dataclasses.MISSING else f"{name}=_default_{name}"
        for name, f in zip(names, fields, strict=True)
    )
    stores = "".join(f"    self.{name} = {name}\n" for name in names)
    source = (  # a subclass's instance (another layout) is built by the dataclass's own __init__
        f"def __init__(self, {signature}):\n"
        f"    if type(self) is not _cls:\n        return _frozen_init(self, {', '.join(names)})\n"
        f"    _set(self, '__class__', _twin)\n{stores}    _set(self, '__class__', _cls)\n"
    )
    namespace: dict[str, Any] = {"_set": object.__setattr__, "_twin": twin, "_cls": cls}
    namespace["_frozen_init"] = cls.__init__
    namespace.update({f"_default_{f.name}": f.default for f in fields})
    exec(source, namespace)  # generated from the field names, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


@dataclass(frozen=True)
class CellRef:
    """Where a value came from: sheet name and 1-based row/column as Excel shows them."""

    sheet: str
    row: int
    column: int | None = None
    unit: ClassVar[str] = "row"  # what `row` counts, in a message's words

    def a1(self) -> str:
        """`Sheet!C12`-style address (column letters computed without openpyxl)."""
        if self.column is None:
            return f"{self.sheet}!{self.row}"
        col, letters = self.column, ""
        while col:
            col, rem = divmod(col - 1, 26)
            letters = chr(65 + rem) + letters
        return f"{self.sheet}!{letters}{self.row}"

    def place(self) -> str:
        """How a message names the line's place: `row 12` (`segment 57` in an X12 file)."""
        return f"{self.unit} {self.row}"


@dataclass(frozen=True)
class BlankedRef(CellRef):
    """A spreadsheet line's place when cells it does not need to be read (a note, a payer, a charge ...)
    held an Excel error (#N/A, #REF! ...): those cells were read as blank, and the outputs warn about each
    by its cell and error, never a value. `blanked`: (1-based column, error) per such cell."""

    blanked: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class SegmentRef(CellRef):
    """An X12 (837P) line's place: `row` is the number of its SV1 segment in the file (ISA = 1), so every
    output keys and sorts it as a row; only the words say "segment". `sheet` is the file name; `column`
    the 837 element a field came from (read.x12.reader.ELEMENTS), which has no cell to point at."""

    unit: ClassVar[str] = "segment"

    def a1(self) -> str:
        return f"{self.sheet} segment {self.row}"


@fast_init
@dataclass(frozen=True, slots=True)
class ChargeLine:
    """One charge line as read from an export, already normalised.

    `columns` maps a field name (hcpcs, modifiers, units, dos, dx, ...) to the 1-based column it came from,
    so outputs can point at the offending cell.
    """

    source: CellRef
    hcpcs: str
    modifiers: tuple[str, ...] = ()
    units: float = 1.0
    dos: dt.date | None = None
    provider: str = ""
    provider_npi: str = ""
    specialty: str = ""
    group: str = ""
    patient: str = ""
    diagnoses: tuple[str, ...] = ()
    pos: str = ""
    charge: float | None = None
    payer: str = ""
    claim: str = ""
    posted: dt.date | None = None
    birth_date: dt.date | None = None  # the patient's, where the export has it (MCE age edits)
    age: int | None = None  # the patient's age in years as the export gives it (when no birth date)
    # What the export says of the line's documentation, where it has the columns (the TM/DC rules):
    minutes: float | None = None  # documented (total) time of the service, in minutes
    note_status: str = ""  # the note's status as written (signed, unsigned, pending, missing ...)
    signed: dt.date | None = None  # the date the note was signed
    attachment: bool | None = None  # a report / attachment flag: True attached, False not, None unknown
    columns: tuple[tuple[str, int], ...] = ()

    def column_of(self, field_name: str) -> int | None:
        return dict(self.columns).get(field_name)

    @property
    def physician(self) -> str:
        """The identity CMS means by 'same physician': NPI when given, else the provider name."""
        return self.provider_npi or self.provider


_LINE_FIELDS = tuple(f.name for f in dataclasses.fields(ChargeLine))
_line_values = operator.attrgetter(*_LINE_FIELDS)


def replace_line(line: ChargeLine, **changes: object) -> ChargeLine:
    """`dataclasses.replace` for a ChargeLine, at three times its speed (the audit keys every line)."""
    values = list(_line_values(line))
    for name, value in changes.items():
        values[_LINE_FIELDS.index(name)] = value
    return ChargeLine(*values)


@dataclass(frozen=True)
class UnreadableLine:
    """A row the reader could not turn into a ChargeLine; reported, never dropped."""

    source: CellRef
    reason: str


@dataclass(frozen=True)
class SheetLayout:
    """Where the charges sit in the export, as the reader found them: what the outputs need to write next
    to them (the annotated copy's columns, its filter, the totals rows it marks, the summary's counts)."""

    sheet: str
    header_row: int  # worksheet row number of the header
    headers: tuple[str, ...] = ()  # header text per column, as written
    columns_of: tuple[tuple[str, tuple[int, ...]], ...] = ()  # field -> every 1-based column it was read from
    totals_rows: tuple[int, ...] = ()  # rows of totals/subtotals (reported, not checked)
    blank_rows: int = 0  # blank rows skipped below the header
    hidden_rows: tuple[int, ...] = ()  # hidden rows that were read and checked like the others
    last_row: int = 0  # last worksheet row that was looked at
    kind: str = "xlsx"  # "xlsx", "xlsm", "xls", "ods" or "csv"
    date1904: bool = False

    def columns(self, field_name: str) -> tuple[int, ...]:
        return dict(self.columns_of).get(field_name, ())

    @property
    def fields(self) -> frozenset[str]:
        """The fields a column was found for (a field is mapped iff it is in its lines' `columns`)."""
        return frozenset(name for name, _columns in self.columns_of)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    source: CellRef
    fix: str = ""
    ref: str = ""
    field: str = ""  # the ChargeLine field at fault (hcpcs, modifiers, units, diagnoses, dos, pos, ...)
    dollars_at_stake: float | None = None
    wrvu_at_stake: float | None = None


@dataclass(frozen=True)
class DocRequirement:
    """What a line's documentation must show, generated from its code's indicators, family and modifiers
    (refdata.documentation): `before_billing` is "attachment" or "report" when the line should not go out
    without one, "" when the note itself is enough."""

    id: str
    text: str
    source: str
    trigger: str  # why the line has it, in words ("global 090", "modifier 22")
    before_billing: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class LineResult:
    """Computed values for one checked line."""

    line: ChargeLine
    work_rvu: float | None = None
    credited_work_rvu: float | None = None
    total_rvu: float | None = None
    payment: float | None = None
    global_days: str = ""
    status_code: str = ""
    release: str = ""
    findings: tuple[Finding, ...] = ()
    rank: int = 1  # multiple-procedure rank in the patient's day (1 = paid in full)
    reduction: float = 0.0  # dollars the multiple-procedure rule took off the payment
    basis: str = ""  # which multiple-procedure rule cut the line, by how much and why
    documentation: tuple[DocRequirement, ...] = ()  # what the line's documentation must show

    @property
    def dollars_at_stake(self) -> float:
        """What the line can lose: its findings' dollars summed, capped at the line's est. payment (or at the
        largest single figure when the line has no price), so rules firing together do not count it twice."""
        figures = [f.dollars_at_stake for f in self.findings if f.dollars_at_stake]
        if not figures:
            return 0.0
        cap = self.payment if self.payment is not None else max(figures)
        return min(sum(figures), max(cap, 0.0))

    @property
    def worst_severity(self) -> Severity | None:
        if not self.findings:
            return None
        return min(self.findings, key=lambda f: SEVERITY_RANK[f.severity]).severity


@dataclass(frozen=True)
class Report:
    results: tuple[LineResult, ...]
    unreadable: tuple[UnreadableLine, ...] = ()
    run_findings: tuple[Finding, ...] = ()  # findings not tied to one line (stale data, release notes)
    release: str = ""
    ncci_quarter: str = ""
    notes: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        out = [f for r in self.results for f in r.findings]
        return out + list(self.run_findings)

    def counts_by_severity(self) -> dict[str, int]:
        findings = self.findings
        counts = Counter(f.severity for f in findings)
        # The engine reports each unreadable row as an RD01 finding; count rows only once.
        reported = {f.source for f in findings if f.rule == "RD01"}
        counts["error"] += sum(1 for u in self.unreadable if u.source not in reported)
        return {s: counts.get(s, 0) for s in SEVERITIES}

    def flatten(self, keys: list[str]) -> list[list[object]]:
        """Findings as rows of the named attributes (keeps test assertions short)."""
        return [[getattr(f, k) for k in keys] for f in self.findings]


@dataclass(frozen=True)
class PackageContents:
    """What a workbook package holds beyond cell values, as its parts show (read.package finds it while the
    input is validated): features named for a person ("slicers", "shapes or text boxes", ...) that a copy
    written with openpyxl would drop, whether it has images, whether any text has formatting runs."""

    features: tuple[str, ...] = ()
    images: bool = False
    rich_text: bool = False
