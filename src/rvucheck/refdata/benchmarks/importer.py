"""Install benchmark datasets (kind "benchmarks"): the specialty crosswalk, the by-Provider-and-Service PUF
aggregates, and published E&M level shares. Files are known by their header row.

Dataset ids: "SPECIALTY202510" (crosswalk edition), "PUF2023" (data year), "EMSHARES" (published shares; every
row keeps its own data year and source URL).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sqlite3
from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.refdata.benchmarks import puf, specialty
from rvucheck.refdata.benchmarks.lookup import KIND
from rvucheck.refdata.store import DatasetInfo, Recognized, Store, source_of

EM_SHARES_HEADER = [
    "data_year",
    "em_category",
    "specialty_as_published",
    "cms_specialty_code",
    "cpt",
    "pct_of_category_services",
    "precision",
    "source_url",
    "note",
]
MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_EDITION = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ _-]?(20\d{2})", re.IGNORECASE
)

SCHEMA = {
    "SPECIALTY": """
        CREATE TABLE specialty (code TEXT PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE taxonomy (code TEXT NOT NULL, description TEXT NOT NULL, taxonomy TEXT NOT NULL,
                               taxonomy_description TEXT NOT NULL);
    """,
    "PUF": """
        CREATE TABLE puf (provider_type TEXT NOT NULL, hcpcs TEXT NOT NULL, services REAL NOT NULL,
                          services_facility REAL NOT NULL, bene_day_services REAL NOT NULL,
                          benes INTEGER NOT NULL, providers INTEGER NOT NULL, allowed REAL NOT NULL,
                          payment REAL NOT NULL, PRIMARY KEY (provider_type, hcpcs)) WITHOUT ROWID;
    """,
    "EMSHARES": """
        CREATE TABLE em_share (data_year INTEGER NOT NULL, em_category TEXT NOT NULL,
                               specialty_as_published TEXT NOT NULL, specialty_code TEXT NOT NULL,
                               hcpcs TEXT NOT NULL, pct REAL NOT NULL, precision TEXT NOT NULL,
                               source_url TEXT NOT NULL, note TEXT NOT NULL);
    """,
}


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def recognize(path: Path) -> Recognized | None:
    path = Path(path)
    if not path.is_file() or path.suffix.lower() not in (".csv", ".txt"):
        return None
    header = _header(path)
    lowered = [" ".join(cell.split()).lower() for cell in header]
    if specialty.is_crosswalk(lowered) or specialty.is_codes_list(lowered):
        role = "CROSSWALK" if specialty.is_crosswalk(lowered) else "SPECIALTY_CODES"
        edition = _edition(path)
        dataset_id = f"SPECIALTY{edition[0]}{edition[1]:02d}" if edition else "SPECIALTY"
        return Recognized(KIND, dataset_id, role, path, (("family", "SPECIALTY"),))
    if lowered[: len(EM_SHARES_HEADER)] == EM_SHARES_HEADER:
        return Recognized(KIND, "EMSHARES", "EM_SHARES", path, (("family", "EMSHARES"),))
    if puf.is_puf_header(header):
        year = puf.data_year(path)
        if year is None:
            raise InputFileError(
                f"{path}: a 'by Provider and Service' PUF, but its name does not say the data year; "
                "rename it as CMS names it (e.g. MUP_PHY_R25_P05_V10_D23_Prov_Svc.csv) "
                "or put the year in its name"
            )
        return Recognized(KIND, f"PUF{year}", "PUF", path, (("family", "PUF"), ("year", str(year))))
    return None


def _edition(path: Path) -> tuple[int, int] | None:
    for text in (path.name, path.parent.name):
        if match := _EDITION.search(text):
            return int(match[2]), MONTHS[match[1].lower()]
    return None


def import_group(store: Store, group: list[Recognized]) -> DatasetInfo:
    family = dict(group[0].meta)["family"]
    dataset_id = group[0].dataset_id
    meta: dict[str, object] = {}
    year = None
    effective_from = None
    if family == "PUF":
        year = int(dataset_id[3:])
        effective_from = dt.date(year, 1, 1)
    elif dataset_id != "SPECIALTY" and family == "SPECIALTY":
        year, month = int(dataset_id[9:13]), int(dataset_id[13:15])
        effective_from = dt.date(year, month, 1)
    labels = {
        "SPECIALTY": "Medicare specialty codes and taxonomy crosswalk",
        "PUF": f"Medicare Physician & Other Practitioners by Provider and Service, {year} data (aggregates)",
        "EMSHARES": "Published E&M level shares by specialty (source and data year per row)",
    }
    info = DatasetInfo(
        kind=KIND,
        dataset_id=dataset_id,
        year=year,
        quarter=None,
        effective_from=effective_from,
        effective_to=None,
        label=labels[family],
        contents=tuple(sorted({item.role for item in group})),
        sources=tuple(source_of(item) for item in group),
        meta=meta,
        installed_at="",
    )
    with store.writing(info) as con:
        con.executescript(SCHEMA[family])
        if family == "SPECIALTY":
            _import_specialty(con, group, meta)
        elif family == "PUF":
            _import_puf(con, group, meta)
        else:
            _import_em_shares(con, group, meta)
    return store.installed(KIND, dataset_id)


def _import_specialty(con: sqlite3.Connection, group: list[Recognized], meta: dict[str, object]) -> None:
    names: dict[str, str] = {}
    for item in group:
        if item.role == "CROSSWALK":
            rows = specialty.read_crosswalk(item.path)
            con.executemany("INSERT INTO taxonomy VALUES (?, ?, ?, ?)", rows)
            for code, name in specialty.names_from_crosswalk(rows).items():
                names.setdefault(code, name)
            meta["taxonomy_rows"] = len(rows)
    for item in group:  # the one-row-per-code list, when present, has the final word on names
        if item.role == "SPECIALTY_CODES":
            names.update(specialty.read_codes_list(item.path))
    con.executemany("INSERT INTO specialty VALUES (?, ?)", sorted(names.items()))
    meta["codes"] = len(names)


def _import_puf(con: sqlite3.Connection, group: list[Recognized], meta: dict[str, object]) -> None:
    totals = puf.PufTotals()
    for item in sorted(group, key=lambda i: i.path.name):
        puf.aggregate(item.path, totals)
    con.executemany(
        "INSERT INTO puf VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                ptype,
                hcpcs,
                a.services,
                a.services_facility,
                a.bene_day_services,
                a.benes,
                a.providers,
                round(a.allowed, 2),
                round(a.payment, 2),
            )
            for (ptype, hcpcs), a in totals.aggregates.items()
        ),
    )
    con.execute("CREATE INDEX puf_hcpcs ON puf (hcpcs)")
    meta.update(
        {"rows": totals.rows, "aggregates": len(totals.aggregates), "npi_order_unsorted": totals.unsorted}
    )


def _import_em_shares(con: sqlite3.Connection, group: list[Recognized], meta: dict[str, object]) -> None:
    count = 0
    for item in group:
        with item.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                try:
                    values = (
                        int(row["data_year"]),
                        row["em_category"].strip(),
                        row["specialty_as_published"].strip(),
                        row["cms_specialty_code"].strip().upper(),
                        row["cpt"].strip(),
                        float(row["pct_of_category_services"]),
                        row["precision"].strip(),
                        row["source_url"].strip(),
                        (row.get("note") or "").strip(),
                    )
                except (ValueError, AttributeError):
                    raise InputFileError(
                        f"{item.path}: line {reader.line_num}: data_year or pct_of_category_services "
                        "is not a number; fix the row or remove the file from the install"
                    ) from None
                con.execute("INSERT INTO em_share VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
                count += 1
    meta["rows"] = count
