"""Rows of each NCCI layout as checked tuples, ready for the store. A row that does not fit raises
`NcciFileError` naming the file and line, so an import never finishes with part of a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from rvucheck.refdata.ncci.formats import (
    AOC_HEADER,
    MUE_SERVICES,
    check_code,
    file_error,
    julian,
    normalised,
    records,
    yyyymmdd,
)

# (column1, column2, prior_1996, effective, deletion, modifier, rationale); dates as YYYYMMDD ints
PtpRow = tuple[str, str, int, int | None, int | None, str, str]
# (service, hcpcs, units, mai, rationale)
MueRow = tuple[str, str, int, str, str]
# (addon, addon_deletion, primary, primary_deletion, edit_type, effective, deletion, note)
AocRow = tuple[str, int | None, str, int | None, str, int | None, int | None, str]

MODIFIER_INDICATORS = frozenset({"0", "1", "9"})
MAI_DIGITS = frozenset({"1", "2", "3"})
AOC_TYPES = frozenset({"1", "2", "3"})
CONTRACTOR_DEFINED = "CCCCC"  # AOC primary "Contractor Defined Primary Codes"


def _fast_code(path: Path, line: int, code: str, what: str) -> str:
    # the common case costs one len() and one isalnum(); only odd values go through the full check
    if len(code) == 5 and code.isalnum() and code.isupper() | code.isdigit():
        return code
    return check_code(path, line, code, what)


def _modifier(path: Path, line: int, text: str) -> str:
    text = text.strip()
    if text not in MODIFIER_INDICATORS:
        raise file_error(path, line, f"modifier indicator {text!r} is not 0, 1 or 9")
    return text


def ptp_rows(path: Path, layout: str) -> Iterator[PtpRow]:
    if layout == "ptp_converted":
        yield from _ptp_converted(path)
    else:
        yield from _ptp_cms(path)


def _ptp_cms(path: Path) -> Iterator[PtpRow]:
    in_data = False
    seen_edit = False
    for line, cells in records(path):
        first = cells[0].strip() if cells else ""
        if not in_data:
            in_data = normalised(cells[:1]) in (["column 1"], ["column1"])
            continue
        if not first:
            blank = not any(cell.strip() for cell in cells)
            if blank or not seen_edit:
                continue  # blank line, or a continuation of the header ("prior to 1996", "*=no data", ...)
            raise file_error(path, line, "column 1 is empty")
        seen_edit = True
        if len(cells) < 7:
            raise file_error(path, line, f"{len(cells)} columns where the PTP layout has 7")
        prior = cells[2].strip()
        if prior not in ("", "*"):
            raise file_error(path, line, f"'in existence prior to 1996' is {prior!r}, expected '*' or blank")
        yield (
            _fast_code(path, line, first, "column 1 code"),
            _fast_code(path, line, cells[1].strip(), "column 2 code"),
            1 if prior == "*" else 0,
            yyyymmdd(path, line, cells[3], "effective date"),
            yyyymmdd(path, line, cells[4], "deletion date"),
            _modifier(path, line, cells[5]),
            cells[6].strip(),
        )
    if not in_data:
        raise file_error(path, 1, "no 'Column 1 / Column 2' header row")


def _ptp_converted(path: Path) -> Iterator[PtpRow]:
    rows = records(path)
    next(rows)  # header, already recognised
    for line, cells in rows:
        if not cells:
            continue
        if len(cells) != 5:
            raise file_error(path, line, f"{len(cells)} columns where the converted PTP layout has 5")
        column1, column2, deletion, modifier, rationale = cells
        yield (
            _fast_code(path, line, column1, "column 1 code"),
            _fast_code(path, line, column2, "column 2 code"),
            0,
            None,  # the converted table has no effective date: the edit counts from the quarter's start
            yyyymmdd(path, line, deletion, "deletion date"),
            _modifier(path, line, modifier),
            rationale.strip(),
        )


def _units(path: Path, line: int, text: str) -> int:
    text = text.strip()
    if not text.isdigit():
        raise file_error(path, line, f"MUE value {text!r} is not a whole number")
    return int(text)


def _mai(path: Path, line: int, text: str) -> str:
    digit = text.strip()[:1]  # "3 Date of Service Edit: Clinical" -> "3"
    if digit not in MAI_DIGITS:
        raise file_error(path, line, f"MUE adjudication indicator {text!r} does not start with 1, 2 or 3")
    return digit


def mue_rows(path: Path, layout: str, service: str) -> Iterator[MueRow]:
    in_data = False
    for line, cells in records(path):
        if not in_data:
            norm = normalised(cells)
            if layout == "mue_converted":
                in_data = True
            else:
                in_data = len(norm) >= 4 and "mue values" in norm[1] and "adjudication indicator" in norm[2]
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < 4 or any(cell.strip() for cell in cells[5 if layout == "mue_converted" else 4 :]):
            raise file_error(path, line, f"{len(cells)} columns where the MUE layout has 4")
        row_service = service
        if layout == "mue_converted":
            row_service = converted_service(path, line, cells[4] if len(cells) > 4 else "")
        yield (
            row_service,
            _fast_code(path, line, cells[0].strip(), "HCPCS/CPT code"),
            _units(path, line, cells[1]),
            _mai(path, line, cells[2]),
            cells[3].strip(),
        )


def converted_service(path: Path, line: int, text: str) -> str:
    lowered = text.lower()
    for word, name in MUE_SERVICES.items():
        if word in lowered:
            return name
    raise file_error(
        path, line, f"MUE service {text!r} is not Practitioner, Outpatient Hospital or DME Supplier"
    )


def aoc_rows(path: Path) -> Iterator[AocRow]:
    in_data = False
    for line, cells in records(path):
        if not in_data:
            in_data = normalised(cells)[:8] == AOC_HEADER
            continue
        if not any(cell.strip() for cell in cells):
            continue
        cells = [*cells, *[""] * (8 - len(cells))]
        edit_type = cells[0].strip()
        if edit_type not in AOC_TYPES:
            raise file_error(path, line, f"AOC edit type {edit_type!r} is not 1, 2 or 3")
        primary = cells[3].strip().upper()
        if primary != CONTRACTOR_DEFINED:
            primary = check_code(path, line, primary, "primary code")
        yield (
            check_code(path, line, cells[1], "add-on code"),
            julian(path, line, cells[2], "add-on code deletion date"),
            primary,
            julian(path, line, cells[4], "primary code deletion date"),
            edit_type,
            julian(path, line, cells[5], "edit effective date"),
            julian(path, line, cells[6], "edit deletion date"),
            cells[7].strip(),
        )
    if not in_data:
        raise file_error(path, 1, "no AOC header row")
