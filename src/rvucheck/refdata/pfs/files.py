"""Read the files of a CMS PFS release (PPRRVU, GPCI, LOCCO, ANES, OPPSCAP) into plain rows.

Each reader takes a `Table` (the file's lines as cells, whatever its format: csv, fixed-width txt or xlsx)
and returns typed rows. A malformed row raises InputFileError naming the file and line, so the installer
can abort the whole dataset (nothing half-imported). Codes stay strings: `0001F`, `00100`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rvucheck.errors import InputFileError
from rvucheck.refdata.pfs.layouts import NUMERIC_FIELDS, PPRRVU_FIELDS


@dataclass(frozen=True)
class Table:
    """A source file as rows of stripped cells; `line(i)` gives the 1-based line number for messages."""

    name: str  # shown in error messages (file path, or zip!member)
    rows: list[list[str]]
    line_numbers: list[int]

    def fail(self, index: int, what: str) -> InputFileError:
        return InputFileError(
            f"{self.name}: line {self.line_numbers[index]}: {what}; "
            "the file looks damaged, re-download it from cms.gov"
        )


@dataclass(frozen=True)
class GpciRow:
    mac: str
    state: str
    locality: str
    name: str
    work_gpci: float
    pe_gpci: float
    mp_gpci: float
    work_gpci_without_floor: float | None


@dataclass(frozen=True)
class LoccoRow:
    mac: str
    locality: str
    state: str
    area: str
    counties: str


@dataclass(frozen=True)
class AnesRow:
    mac: str
    locality: str
    name: str
    cf_nonqpp: float
    cf_qpp: float | None


@dataclass(frozen=True)
class OppsCapRow:
    hcpcs: str
    modifier: str
    status_code: str
    mac: str
    locality: str
    facility_price: float
    nonfacility_price: float


ZERO_PADDED = {"hcpcs": 5, "global_days": 3, "phys_supervision": 2, "imaging_family": 2}
HCPCS_RE = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")


def number(table: Table, index: int, text: str, what: str) -> float:
    text = text.strip().replace(",", "")
    if text == "":
        return 0.0
    try:
        return float(text)
    except ValueError:
        raise table.fail(index, f"{what} {text!r} is not a number") from None


def header_index(table: Table, first_cell: str, missing: str, limit: int = 20) -> int:
    """Index of the row whose first cell starts with `first_cell` (case-insensitive); a file without it
    is not the file it was taken for, so the run fails naming the file and `missing`."""
    for i, row in enumerate(table.rows[:limit]):
        if row and row[0].strip().upper().startswith(first_cell.upper()):
            return i
    raise InputFileError(f"{table.name}: {missing}")


def pprrvu_rows(table: Table, has_pric_ind: bool) -> list[dict[str, object]]:
    """Data rows of a PPRRVU table whose header row starts with HCPCS (csv/xlsx)."""
    start = header_index(table, "HCPCS", "no HCPCS header row; is this a PPRRVU file?")
    fields = [f for f in PPRRVU_FIELDS if has_pric_ind or f != "pric_ind"]
    rows: list[dict[str, object]] = []
    for i in range(start + 1, len(table.rows)):
        cells = table.rows[i]
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(fields):
            raise table.fail(i, f"{len(cells)} columns where the PPRRVU layout has {len(fields)}")
        rows.append(pprrvu_record(table, i, dict(zip(fields, cells, strict=False))))
    if not rows:
        raise InputFileError(f"{table.name}: no data rows after the header")
    return rows


def pprrvu_record(table: Table, index: int, raw: dict[str, str]) -> dict[str, object]:
    record: dict[str, object] = {}
    for field in PPRRVU_FIELDS:
        text = raw.get(field, "").strip()
        if field in NUMERIC_FIELDS:
            record[field] = number(table, index, text, field.replace("_", " "))
        else:
            record[field] = text
    # A workbook may hold zero-led codes as numbers (00100 -> 100, 000 -> 0, 09 -> 9): pad them back.
    for field, width in ZERO_PADDED.items():
        text = str(record[field])
        if text.isdigit() and len(text) < width:
            record[field] = text.zfill(width)
    hcpcs = str(record["hcpcs"]).upper()
    if not HCPCS_RE.match(hcpcs):
        raise table.fail(index, f"HCPCS {hcpcs!r} is not a 5-character code")
    record["hcpcs"] = hcpcs
    record["modifier"] = str(record["modifier"]).upper()
    if not record["status_code"]:
        raise table.fail(index, f"{hcpcs} has no status code")
    return record


def _pad(text: str, width: int) -> str:
    text = text.strip()
    return text.zfill(width) if text.isdigit() else text


def gpci_rows(table: Table) -> list[GpciRow]:
    start = header_index(table, "Medicare Admi", "no 'Medicare Administrative Contractor' header row")
    header = [c.strip().upper() for c in table.rows[start]]
    without = next((j for j, h in enumerate(header) if "WITHOUT" in h), None)
    work = next((j for j, h in enumerate(header) if "PW GPCI" in h and "WITHOUT" not in h), None)
    pe = next((j for j, h in enumerate(header) if "PE GPCI" in h), None)
    mp = next((j for j, h in enumerate(header) if "MP GPCI" in h), None)
    if work is None or pe is None or mp is None:
        raise InputFileError(f"{table.name}: header lacks the PW/PE/MP GPCI columns")
    rows: list[GpciRow] = []
    for i in range(start + 1, len(table.rows)):
        cells = table.rows[i]
        if not cells or not cells[0].strip().isdigit():
            continue  # blank lines and the footnotes under the table
        if len(cells) <= mp:
            raise table.fail(i, "too few columns for a GPCI row")
        rows.append(
            GpciRow(
                mac=_pad(cells[0], 5),
                state=cells[1].strip(),
                locality=_pad(cells[2], 2),
                name=cells[3].strip(),
                work_gpci=number(table, i, cells[work], "work GPCI"),
                pe_gpci=number(table, i, cells[pe], "PE GPCI"),
                mp_gpci=number(table, i, cells[mp], "MP GPCI"),
                work_gpci_without_floor=(
                    number(table, i, cells[without], "work GPCI") if without is not None else None
                ),
            )
        )
    return rows


def locco_rows(table: Table) -> list[LoccoRow]:
    """County crosswalk; the state is printed only on a state's first row, so it is carried down."""
    start = header_index(table, "Medicare Adm", "no 'Medicare Adminstrative Contractor' header row")
    rows: list[LoccoRow] = []
    state = ""
    for i in range(start + 1, len(table.rows)):
        cells = table.rows[i]
        if not cells or not cells[0].strip():
            continue
        if not cells[0].strip().isdigit():
            continue  # footnotes
        if len(cells) < 5:
            raise table.fail(i, "too few columns for a locality-county row")
        state = cells[2].strip() or state
        rows.append(
            LoccoRow(
                mac=_pad(cells[0], 5),
                locality=_pad(cells[1], 2),
                state=state,
                area=cells[3].strip(),
                counties=cells[4].strip(),
            )
        )
    return rows


def anes_rows(table: Table) -> list[AnesRow]:
    start = header_index(table, "Contractor", "no 'Contractor' header row")
    header = [c.strip().upper() for c in table.rows[start]]
    qpp = next((j for j, h in enumerate(header) if h.startswith("QUALIFYING")), None)
    nonqpp = next((j for j, h in enumerate(header) if "NON-QUALIFYING" in h), None)
    if nonqpp is None:
        nonqpp = next(j for j, h in enumerate(header) if "ANES CF" in h)
    rows: list[AnesRow] = []
    for i in range(start + 1, len(table.rows)):
        cells = table.rows[i]
        if not cells or not cells[0].strip().isdigit():
            continue
        if len(cells) <= max(nonqpp, qpp or 0):
            raise table.fail(i, "too few columns for an anesthesia CF row")
        rows.append(
            AnesRow(
                mac=_pad(cells[0], 5),
                locality=_pad(cells[1], 2),
                name=cells[2].strip(),
                cf_nonqpp=number(table, i, cells[nonqpp], "anesthesia CF"),
                cf_qpp=number(table, i, cells[qpp], "anesthesia CF") if qpp is not None else None,
            )
        )
    return rows


def oppscap_rows(table: Table) -> list[OppsCapRow]:
    start = header_index(table, "HCPCS", "no HCPCS header row; is this an OPPSCAP file?")
    rows: list[OppsCapRow] = []
    for i in range(start + 1, len(table.rows)):
        cells = table.rows[i]
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < 7:
            raise table.fail(i, "too few columns for an OPPS cap row")
        hcpcs = cells[0].strip().upper()
        if not HCPCS_RE.match(hcpcs):
            raise table.fail(i, f"HCPCS {hcpcs!r} is not a 5-character code")
        rows.append(
            OppsCapRow(
                hcpcs=hcpcs,
                modifier=cells[1].strip().upper(),
                status_code=cells[2].strip(),
                mac=_pad(cells[3], 5),
                locality=_pad(cells[4], 2),
                facility_price=number(table, i, cells[5], "facility price"),
                nonfacility_price=number(table, i, cells[6], "non-facility price"),
            )
        )
    return rows
