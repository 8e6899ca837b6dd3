"""Column layouts of the CMS PFS files, and turning a csv / fixed-width txt / xlsx file into a `Table`.

Fixed-width positions are from CMS's record layout (RVU25D.pdf, "DATA RECORD", 1-based inclusive).
The 2026 layout adds PRIC IND; CMS's 2026 txt documentation was not available here, so its position is
taken as the first byte of the 2025 layout's filler (121-127), which the csv column order supports.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

# PPRRVU csv/xlsx column order (2026 layout; the 2025 layout lacks pric_ind).
PPRRVU_FIELDS: tuple[str, ...] = (
    "hcpcs",
    "modifier",
    "description",
    "status_code",
    "not_used_for_medicare",
    "work_rvu",
    "pe_rvu_nonfacility",
    "nonfacility_na",
    "pe_rvu_facility",
    "facility_na",
    "mp_rvu",
    "total_rvu_nonfacility",
    "total_rvu_facility",
    "pctc_indicator",
    "global_days",
    "pre_op",
    "intra_op",
    "post_op",
    "mult_proc",
    "bilat_surg",
    "asst_surg",
    "co_surg",
    "team_surg",
    "pric_ind",
    "endo_base",
    "conversion_factor",
    "phys_supervision",
    "calc_flag",
    "imaging_family",
    "opps_pe_nonfacility",
    "opps_pe_facility",
    "opps_mp",
)

NUMERIC_FIELDS = frozenset(
    {
        "work_rvu",
        "pe_rvu_nonfacility",
        "pe_rvu_facility",
        "mp_rvu",
        "total_rvu_nonfacility",
        "total_rvu_facility",
        "pre_op",
        "intra_op",
        "post_op",
        "conversion_factor",
        "opps_pe_nonfacility",
        "opps_pe_facility",
        "opps_mp",
    }
)

# PPRRVU fixed-width data record (RVU25D.pdf); (field, first, last) 1-based inclusive.
PPRRVU_TXT: tuple[tuple[str, int, int], ...] = (
    ("hcpcs", 1, 5),
    ("modifier", 6, 7),
    ("description", 8, 57),
    ("status_code", 58, 58),
    ("not_used_for_medicare", 59, 59),
    ("work_rvu", 60, 65),
    ("pe_rvu_nonfacility", 67, 72),
    ("nonfacility_na", 73, 74),
    ("pe_rvu_facility", 76, 81),
    ("facility_na", 82, 83),
    ("mp_rvu", 85, 89),
    ("total_rvu_nonfacility", 91, 96),
    ("total_rvu_facility", 97, 102),
    ("pctc_indicator", 103, 103),
    ("global_days", 104, 106),
    ("pre_op", 107, 109),
    ("intra_op", 110, 112),
    ("post_op", 113, 115),
    ("mult_proc", 116, 116),
    ("bilat_surg", 117, 117),
    ("asst_surg", 118, 118),
    ("co_surg", 119, 119),
    ("team_surg", 120, 120),
    ("pric_ind", 121, 121),
    ("endo_base", 128, 132),
    ("conversion_factor", 133, 140),
    ("phys_supervision", 142, 143),
    ("calc_flag", 144, 144),
    ("imaging_family", 146, 147),
    ("opps_pe_nonfacility", 152, 157),
    ("opps_pe_facility", 159, 164),
    ("opps_mp", 166, 171),
)


DOS_EOF = "\x1a"


def decode(data: bytes) -> str:
    """A CMS text file as text. CMS files are Latin-1/ASCII; a UTF-8 BOM from a re-save is dropped. Older
    files (PPRRVU22_JAN.csv, PPRRVU23_JAN.csv) end with a DOS end-of-file mark, 0x1A, alone or followed by
    the empty cells of its row: nothing after it is part of the file, so the text ends there. A 0x1A with
    data after it is left in place, for the row's reader to report."""
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("latin-1")
    head, mark, tail = text.partition(DOS_EOF)
    if mark and not tail.strip(" ,;\t\r\n" + DOS_EOF):
        return head
    return text


def read_lines(data: bytes) -> list[str]:
    return decode(data).splitlines()


def csv_rows(data: bytes) -> tuple[list[list[str]], list[int]]:
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    numbers: list[int] = []
    for row in reader:
        rows.append(row)
        numbers.append(reader.line_num)
    return rows, numbers


def xlsx_rows(path: Path, limit: int | None = None) -> tuple[list[list[str]], list[int]]:
    """First sheet of a workbook as text cells (numbers rendered the way CMS's csv prints them)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_index(0)
    rows = [[_cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False, nrows=limit)]
    return rows, list(range(1, len(rows) + 1))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


def fixed_width_cells(line: str, layout: tuple[tuple[str, int, int], ...]) -> dict[str, str]:
    return {field: line[first - 1 : last].strip() for field, first, last in layout}


GPCI_TXT_RE = re.compile(
    r"^(\d{5})\s+([A-Z]{2})\s+(\d{2})\s+(.*?)\s+(\d+\.\d+)\s+(\d+\.\d+)\s+(\d+\.\d+)(?:\s+(\d+\.\d+))?\s*$"
)
ANES_TXT_RE = re.compile(r"^\s*(\d{5})\s+(\d{2})\s+(.*?)\s+(\d{3,5})(?:\s+(\d{3,5}))?\s*$")
LOCCO_TXT_RE = re.compile(r"^\s*(\d{5})\s+(\d{2})\s+(.*?)\s*$")


def gpci_txt_rows(lines: list[str]) -> list[list[str]]:
    """GPCI .txt/.prn: one synthesised csv-like header, then the data lines as cells."""
    rows: list[list[str]] = []
    for line in lines:
        m = GPCI_TXT_RE.match(line)
        if m is None:
            rows.append([line.strip()])
            continue
        mac, state, loc, name, a, b, c, d = m.groups()
        if d is None:  # work (with floor), PE, MP
            rows.append([mac, state, loc, name, a, b, c])
        else:  # work without floor, work with floor, PE, MP
            rows.append([mac, state, loc, name, b, c, d, a])
    with_without = any(len(r) == 8 for r in rows)
    header = [
        "Medicare Administrative Contractor",
        "State",
        "Locality Number",
        "Locality Name",
        "PW GPCI (with 1.0 Floor)",
        "PE GPCI",
        "MP GPCI",
    ]
    if with_without:
        header.append("PW GPCI (without 1.0 Floor)")
    return [header, *rows]


def locco_txt_rows(lines: list[str]) -> list[list[str]]:
    """LOCCO .txt: columns sit at fixed offsets, found on the first row that fills all three."""
    rows: list[list[str]] = [
        ["Medicare Adminstrative Contractor", "Locality Number", "State", "Area", "Counties"]
    ]
    starts: list[int] = []
    for line in lines:
        m = LOCCO_TXT_RE.match(line)
        if m and len(re.split(r"\s{2,}", m.group(3).strip())) == 3:
            rest = m.start(3)
            later = [rest + x.start() for x in re.finditer(r"(?<=\s\s)\S", line[rest:])]
            starts = [rest, *later[:2]]
            break
    for line in lines:
        m = LOCCO_TXT_RE.match(line)
        if m is None or len(starts) != 3:
            rows.append([line.strip()])
            continue
        state, area, counties = (line[starts[0] : starts[1]], line[starts[1] : starts[2]], line[starts[2] :])
        rows.append([m.group(1), m.group(2), state.strip(), area.strip(), counties.strip()])
    return rows


def anes_txt_rows(lines: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    two_columns = False
    for line in lines:
        m = ANES_TXT_RE.match(line)
        if m is None:
            rows.append([line.strip()])
            continue
        mac, loc, name, first, second = m.groups()
        # CMS prints the CF without its decimal point: 1931 = 19.31.
        if second is None:
            rows.append([mac, loc, name, f"{int(first) / 100:.2f}"])
        else:  # 2026 layout: QPP then non-QPP, as in the csv
            two_columns = True
            rows.append([mac, loc, name, f"{int(first) / 100:.2f}", f"{int(second) / 100:.2f}"])
    header = ["Contractor", "Locality", "Locality Name"]
    header += ["Qualifying APM Anes CF", "Non-Qualifying APM Anes CF"] if two_columns else ["Anes CF"]
    return [header, *rows]
