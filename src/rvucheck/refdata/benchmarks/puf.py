"""CMS "Medicare Physician & Other Practitioners - by Provider and Service" PUF, streamed into per
(provider type, HCPCS) aggregates.

The file has one row per rendering NPI x HCPCS x place of service (about 10 million rows, several GB), so it
is read once with the csv module, row by row, into a dictionary keyed by (provider type, HCPCS): memory
depends on the number of distinct keys (a few hundred thousand), not on the file size.

Columns are found by their published names (Rndrng_NPI, Rndrng_Prvdr_Type, HCPCS_Cd, Place_Of_Srvc, Tot_Benes,
Tot_Srvcs, Tot_Bene_Day_Srvcs, Avg_Mdcr_Alowd_Amt, Avg_Mdcr_Pymt_Amt, ...), so column order and the columns
added or dropped between releases (Rndrng_Prvdr_Gndr, RUCA) do not matter.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rvucheck.errors import InputFileError

REQUIRED = ("Rndrng_NPI", "Rndrng_Prvdr_Type", "HCPCS_Cd", "Tot_Benes", "Tot_Srvcs")
OPTIONAL = ("Place_Of_Srvc", "Tot_Bene_Day_Srvcs", "Avg_Mdcr_Alowd_Amt", "Avg_Mdcr_Pymt_Amt")
ENCODING = "utf-8-sig"
_DATA_YEAR = (
    re.compile(r"_D(\d{2})_", re.IGNORECASE),  # MUP_PHY_R25_P05_V10_D23_Prov_Svc.csv: data year 2023
    re.compile(r"(?<!\d)(20\d{2})(?!\d)"),
)


class PufFileError(InputFileError):
    pass


def is_puf_header(header: list[str]) -> bool:
    return all(name in header for name in REQUIRED)


def data_year(path: Path) -> int | None:
    """The PUF's data year, from its CMS file name (…_D23_…) or a year in its name or folder."""
    for text in (path.name, path.parent.name):
        for pattern in _DATA_YEAR:
            if match := pattern.search(text):
                value = int(match[1])
                return 2000 + value if value < 100 else value
    return None


@dataclass
class Aggregate:
    """Totals of one (provider type, HCPCS) over every NPI and place of service."""

    services: float = 0.0
    services_facility: float = 0.0  # Place_Of_Srvc "F"
    bene_day_services: float = 0.0
    benes: int = 0  # sum of per-row beneficiary counts (a beneficiary seen by two NPIs counts twice)
    providers: int = 0  # distinct NPIs (the PUF is sorted by NPI; see `PufTotals.unsorted`)
    allowed: float = 0.0  # sum of Avg_Mdcr_Alowd_Amt x Tot_Srvcs
    payment: float = 0.0
    last_npi: str = field(default="", repr=False)


@dataclass
class PufTotals:
    rows: int = 0
    unsorted: bool = False  # NPIs not in ascending order: provider counts may count an NPI twice
    aggregates: dict[tuple[str, str], Aggregate] = field(default_factory=dict)


def _number(path: Path, line: int, text: str, column: str, required: bool) -> float:
    text = text.strip()
    if not text:
        if required:
            raise PufFileError(
                f"{path}: line {line}: {column} is empty; the PUF file is damaged, download it again"
            )
        return 0.0
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise PufFileError(
            f"{path}: line {line}: {column} {text!r} is not a number; "
            "the PUF file is damaged, download it again"
        ) from None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, int], list[str]]]:
    with path.open(encoding=ENCODING, errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if not is_puf_header(header):
            raise PufFileError(
                f"{path}: not a 'by Provider and Service' PUF (no {', '.join(REQUIRED)} header)"
            )
        index = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
        width = len(header)
        for cells in reader:
            if not cells:
                continue
            if len(cells) != width:
                raise PufFileError(
                    f"{path}: line {reader.line_num}: {len(cells)} columns where the header has {width}; "
                    "the PUF file is damaged or cut short, download it again"
                )
            yield reader.line_num, index, cells


def aggregate(path: Path, totals: PufTotals | None = None) -> PufTotals:
    """Stream one PUF file into `totals` (a new one by default)."""
    totals = totals or PufTotals()
    aggregates = totals.aggregates
    previous_npi = ""
    for line, index, cells in _rows(path):
        npi = cells[index["Rndrng_NPI"]]
        key = (cells[index["Rndrng_Prvdr_Type"]].strip(), cells[index["HCPCS_Cd"]].strip().upper())
        services, benes, bene_days, allowed, payment, facility = _values(path, line, index, cells)
        entry = aggregates.get(key)
        if entry is None:
            entry = aggregates[key] = Aggregate()
        entry.services += services
        entry.benes += benes
        entry.bene_day_services += bene_days
        entry.allowed += services * allowed
        entry.payment += services * payment
        if facility:
            entry.services_facility += services
        if entry.last_npi != npi:  # rows of one NPI are contiguous in CMS's file (sorted by NPI)
            entry.providers += 1
            entry.last_npi = npi
        if npi < previous_npi:
            totals.unsorted = True
        previous_npi = npi
        totals.rows += 1
    return totals


def _values(
    path: Path, line: int, index: dict[str, int], cells: list[str]
) -> tuple[float, int, float, float, float, bool]:
    """(services, benes, bene-day services, average allowed, average payment, facility) of one row."""
    optional = [cells[index[name]] if name in index else "0" for name in OPTIONAL[1:]]
    try:  # the fast path: every number parses
        numbers = (float(cells[index["Tot_Srvcs"]]), int(cells[index["Tot_Benes"]]), *map(float, optional))
    except ValueError:
        numbers = (
            _number(path, line, cells[index["Tot_Srvcs"]], "Tot_Srvcs", True),
            int(_number(path, line, cells[index["Tot_Benes"]], "Tot_Benes", True)),
            *(
                _number(path, line, text, name, False)
                for text, name in zip(optional, OPTIONAL[1:], strict=True)
            ),
        )
    facility = "Place_Of_Srvc" in index and cells[index["Place_Of_Srvc"]].strip().upper() == "F"
    services, benes, bene_days, allowed, payment = numbers
    return services, int(benes), bene_days, allowed, payment, facility
