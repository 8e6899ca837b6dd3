"""The published layouts of CMS's NCCI files: recognise a file by its header, read its rows as checked values.

Layouts read here (a file is recognised by its header rows, never by its name):

- PTP practitioner edits as CMS publishes them (`ccipra-v###r0-f#.txt`, tab-delimited, and the same in xlsx):
  a copyright line, a "Column1/Column2 Edits" line, a header spread over four lines ("Column 1", "Column 2",
  "*=in existence prior to 1996", "Effective Date", "Deletion Date *=no data", "Modifier 0=not allowed
  1=allowed 9=not applicable", "PTP Edit Rationale"), then one edit per line.
- PTP converted to CSV (`Column 1,Column 2,Deletion Date,Modifier,PTP Edit Rationale`, optionally gzipped):
  the 2024Q3 table in ../shared; it has no effective date and no prior-1996 flag.
- MUE as CMS publishes it (csv and xlsx): a multi-line AMA notice record, a header record (`HCPCS/CPT Code,
  <Setting> Services MUE Values, MUE Adjudication Indicator, MUE Rationale`), mapped by position.
- MUE converted to CSV (`hcpcs_code,mue_units,mue_mai,mue_rationale,mue_service`).
- AOC (add-on code edits) xlsx: AMA notice row, header row `AOC_Edit_Type, Add-On_Code, AOC_DelDT,
  Primary_Code, Primary_Code_DelDT, AOC_Edit_EffDT, AOC_Edit_DelDT, Special_Instruction_Notes`;
  dates are Julian YYYYDDD.

Only the quarter comes from outside the header, because CMS does not print it inside most files: from the xlsx
sheet name, the file name (`v321` = 2026Q2, `Eff_04-01-2026`, `2024-07-01`, `2026Q2`) or a parent folder name.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import io
import re
from collections.abc import Iterator
from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.refdata.periods import periods_named

ENCODING = "latin-1"  # CMS NCCI text files are Latin-1 (the CPT® sign in the notice)
PEEK_RECORDS = 12
CODE_LENGTH = 5

PTP_CONVERTED_HEADER = ["column 1", "column 2", "deletion date", "modifier", "ptp edit rationale"]
MUE_CONVERTED_HEADER = ["hcpcs_code", "mue_units", "mue_mai", "mue_rationale", "mue_service"]
AOC_HEADER = [
    "aoc_edit_type",
    "add-on_code",
    "aoc_deldt",
    "primary_code",
    "primary_code_deldt",
    "aoc_edit_effdt",
    "aoc_edit_deldt",
    "special_instruction_notes",
]
# setting words in the MUE value header -> the service name stored
MUE_SERVICES = {"practitioner": "practitioner", "outpatient": "outpatient_hospital", "dme": "dme_supplier"}


class NcciFileError(InputFileError):
    """A recognised NCCI file has a row that does not fit its layout."""


def file_error(path: Path, line: int, problem: str) -> NcciFileError:
    return NcciFileError(
        f"{path}: line {line}: {problem}; the file does not match CMS's published layout "
        "(re-download it from cms.gov or remove it from the install)"
    )


# ---------------------------------------------------------------------------------------------- raw records


def records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells as text) for every record of a txt/csv/csv.gz/xlsx file."""
    name = path.name.lower()
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        yield from _xlsx_records(path)
        return
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding=ENCODING, newline="") as handle:
        text: io.TextIOBase = handle
        if _is_tab_delimited(path):
            for number, line in enumerate(text, start=1):
                yield number, line.rstrip("\r\n").split("\t")
            return
        reader = csv.reader(text)
        for cells in reader:
            yield reader.line_num, cells


def _is_tab_delimited(path: Path) -> bool:
    return path.name.lower().endswith((".txt", ".txt.gz", ".tsv"))


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_index(0)
    for number, row in enumerate(sheet.iter_rows(), start=1):
        yield number, [_cell_text(value) for value in row]


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y%m%d")
    return "" if value is None else str(value)


def first_sheet_name(path: Path) -> str:
    from python_calamine import CalamineWorkbook

    return str(CalamineWorkbook.from_path(str(path)).sheet_names[0])


def peek(path: Path) -> list[tuple[int, list[str]]]:
    """The first few records, enough to see the header (cheap for text files)."""
    out: list[tuple[int, list[str]]] = []
    try:
        for record in records(path):
            out.append(record)
            if len(out) >= PEEK_RECORDS:
                break
    except (OSError, UnicodeDecodeError, csv.Error, EOFError, ValueError):
        return []
    except Exception:  # calamine raises its own types on files that are not workbooks
        return []
    return out


def normalised(cells: list[str]) -> list[str]:
    return [" ".join(cell.split()).lower() for cell in cells]


# ---------------------------------------------------------------------------------------------- layouts


def detect_layout(path: Path) -> tuple[str, str] | None:
    """(layout, detail) for an NCCI file: ("ptp_cms", ""), ("ptp_converted", ""), ("mue_cms", service),
    ("mue_converted", ""), ("aoc", ""); None when the file is not one of them."""
    head = peek(path)
    for _, cells in head:
        norm = normalised(cells)
        if norm[:2] in (["column 1", "column 2"], ["column1", "column2"]) and len(norm) >= 7:
            return "ptp_cms", ""
        if norm[:5] == PTP_CONVERTED_HEADER:
            return "ptp_converted", ""
        if norm[:5] == MUE_CONVERTED_HEADER:
            return "mue_converted", ""
        if norm[:8] == AOC_HEADER:
            return "aoc", ""
        if len(norm) >= 4 and "mue values" in norm[1] and "adjudication indicator" in norm[2]:
            service = next((name for word, name in MUE_SERVICES.items() if word in norm[1]), None)
            if service:
                return "mue_cms", service
    return None


# ---------------------------------------------------------------------------------------------- quarter

# folder names are matched strictly: temporary folders have random names that could look like a quarter
_FOLDER_YQ = re.compile(r"(?<![0-9A-Za-z])(?:NCCI|MUE|AOC|PTP)?_?(20\d{2})Q([1-4])(?![0-9])")


def quarter_from_text(text: str) -> tuple[int, int] | None:
    """(year, quarter) of the first period the text names (refdata/periods.py lists the shapes)."""
    found = periods_named(text)
    return (found[0][0], (found[0][1] - 1) // 3 + 1) if found else None


def quarter_of(path: Path) -> tuple[int, int] | None:
    """The NCCI quarter a file belongs to, from its sheet name, its name, or the folders it sits in."""
    texts: list[str] = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        # an unreadable workbook has no sheet name; fall back to the file name
        with contextlib.suppress(Exception):
            texts.append(first_sheet_name(path))
    texts.append(path.name)
    for text in texts:
        found = quarter_from_text(text)
        if found and 1 <= found[1] <= 4:
            return found
    for parent in path.resolve().parents[:3]:
        if match := _FOLDER_YQ.search(parent.name):
            return int(match[1]), int(match[2])
        if found := quarter_from_zip_stem(parent.name):
            return found
    return None


def quarter_from_zip_stem(name: str) -> tuple[int, int] | None:
    """CMS zip names (the installer unpacks a zip into a folder named after it): ccipra-v321r0-f1,
    MCR_MUE_PractitionerServices_Eff_04-01-2026, AOC_V2026Q2-MCR."""
    if re.match(r"(ccipra|ccioph|mcr_mue|aoc)", name, re.IGNORECASE):
        return quarter_from_text(name)
    return None


# ---------------------------------------------------------------------------------------------- values


def check_code(path: Path, line: int, code: str, what: str) -> str:
    code = code.strip().upper()
    if len(code) != CODE_LENGTH or not code.isalnum():
        raise file_error(path, line, f"{what} {code!r} is not a 5-character HCPCS/CPT code")
    return code


def yyyymmdd(path: Path, line: int, text: str, what: str) -> int | None:
    """A YYYYMMDD date as an int (None for '*' or blank = no date)."""
    text = text.strip()
    if text in ("", "*"):
        return None
    try:
        dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise file_error(path, line, f"{what} {text!r} is not a YYYYMMDD date") from None
    if len(text) != 8:
        raise file_error(path, line, f"{what} {text!r} is not a YYYYMMDD date")
    return int(text)


def julian(path: Path, line: int, text: str, what: str) -> int | None:
    """A Julian YYYYDDD date (AOC files) as a YYYYMMDD int, None when blank."""
    text = text.strip()
    if not text:
        return None
    if len(text) != 7 or not text.isdigit() or not 1 <= int(text[4:]) <= 366:
        raise file_error(path, line, f"{what} {text!r} is not a Julian YYYYDDD date")
    day = dt.date(int(text[:4]), 1, 1) + dt.timedelta(days=int(text[4:]) - 1)
    return day.year * 10000 + day.month * 100 + day.day


def date_int(on: dt.date) -> int:
    return on.year * 10000 + on.month * 100 + on.day


def int_date(value: int | None) -> dt.date | None:
    if value is None:
        return None
    return dt.date(value // 10000, value // 100 % 100, value % 100)
