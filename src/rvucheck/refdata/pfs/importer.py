"""Import the files of one CMS PFS release into the store (one SQLite file per release).

`recognize(path)` and `import_group(store, group)` are the installer contract (see store.Recognized).
Everything is parsed and cross-checked before the dataset file is written, so a malformed file aborts
the release with one line naming file and line, and leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path
from typing import Any

from rvucheck.errors import InputFileError
from rvucheck.refdata.calendar import effective_dates
from rvucheck.refdata.pfs import files
from rvucheck.refdata.pfs.layouts import (
    NUMERIC_FIELDS,
    PPRRVU_FIELDS,
    PPRRVU_TXT,
    anes_txt_rows,
    csv_rows,
    fixed_width_cells,
    gpci_txt_rows,
    locco_txt_rows,
    read_lines,
    xlsx_rows,
)
from rvucheck.refdata.pfs.recognize import release_of, sniff
from rvucheck.refdata.releases import conversion_factors
from rvucheck.refdata.store import DatasetInfo, Recognized, Store, source_name, source_of

SCHEMA = f"""
CREATE TABLE rvu ({", ".join(f"{f} {'REAL' if f in NUMERIC_FIELDS else 'TEXT'}" for f in PPRRVU_FIELDS)},
                  PRIMARY KEY (hcpcs, modifier));
CREATE TABLE gpci (mac TEXT, state TEXT, locality TEXT, name TEXT, work_gpci REAL, pe_gpci REAL,
                   mp_gpci REAL, work_gpci_without_floor REAL, PRIMARY KEY (mac, locality));
CREATE TABLE locco (mac TEXT, locality TEXT, state TEXT, area TEXT, counties TEXT);
CREATE TABLE anes (mac TEXT, locality TEXT, name TEXT, cf_nonqpp REAL, cf_qpp REAL,
                   PRIMARY KEY (mac, locality));
CREATE TABLE oppscap (hcpcs TEXT, modifier TEXT, status_code TEXT, mac TEXT, locality TEXT,
                      facility_price REAL, nonfacility_price REAL,
                      PRIMARY KEY (hcpcs, modifier, mac, locality));
"""
ROLE_ORDER = ("PPRRVU", "GPCI", "LOCCO", "ANES", "OPPSCAP")
TABLE = {"PPRRVU": "rvu", "GPCI": "gpci", "LOCCO": "locco", "ANES": "anes", "OPPSCAP": "oppscap"}
CONTENT_NAME = {"PPRRVU": "RVU", "GPCI": "GPCI", "LOCCO": "LOCCO", "ANES": "ANES", "OPPSCAP": "OPPSCAP"}


def recognize(path: Path) -> Recognized | None:
    sniffed = sniff(path)
    if sniffed is None:
        return None
    meta = [("format", sniffed.fmt)]
    if sniffed.year:
        meta.append(("year", str(sniffed.year)))
    if sniffed.released:
        meta.append(("released", sniffed.released))
    if sniffed.title:
        meta.append(("title", sniffed.title))
    return Recognized("pfs", release_of(path, sniffed), sniffed.role, path, tuple(meta))


def load_table(item: Recognized) -> files.Table:
    fmt = dict(item.meta).get("format", "csv")
    name = source_name(item)
    if fmt == "xlsx":
        rows, numbers = xlsx_rows(item.path)
        return files.Table(name, rows, numbers)
    data = item.path.read_bytes()
    if fmt == "csv":
        rows, numbers = csv_rows(data)
        return files.Table(name, rows, numbers)
    lines = read_lines(data)
    if item.role == "PPRRVU":
        numbers = [i + 1 for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("HDR")]
        cells = [fixed_width_cells(lines[n - 1], PPRRVU_TXT) for n in numbers]
        header = [["HCPCS", "MOD"]]
        return files.Table(name, header + [[c[f] for f in PPRRVU_FIELDS] for c in cells], [0, *numbers])
    convert = {"GPCI": gpci_txt_rows, "LOCCO": locco_txt_rows, "ANES": anes_txt_rows}[item.role]
    rows = convert(lines)
    offset = len(rows) - len(lines)  # the txt converters prepend a synthesised header row
    return files.Table(name, rows, [0] * offset + list(range(1, len(lines) + 1)))


def parse(item: Recognized) -> list[Any]:
    """Rows of one recognised file (dicts for PPRRVU, dataclasses for the others)."""
    table = load_table(item)
    if item.role == "PPRRVU":
        has_pric = _has_pric_ind(table)
        return files.pprrvu_rows(table, has_pric)
    reader: dict[str, Callable[[files.Table], list[Any]]] = {
        "GPCI": files.gpci_rows,
        "LOCCO": files.locco_rows,
        "ANES": files.anes_rows,
        "OPPSCAP": files.oppscap_rows,
    }
    rows = reader[item.role](table)
    if not rows:
        raise InputFileError(f"{table.name}: no data rows found in this {item.role} file")
    return rows


def _has_pric_ind(table: files.Table) -> bool:
    if table.rows and table.rows[0][:2] == ["HCPCS", "MOD"] and len(table.rows[0]) == 2:
        return True  # fixed-width: the layout always reads the PRIC IND byte
    stacked = " ".join(" ".join(r) for r in table.rows[:12]).upper()
    return "PRIC" in stacked


def import_group(store: Store, group: list[Recognized]) -> DatasetInfo:
    dataset_id = group[0].dataset_id
    by_role: dict[str, list[tuple[Recognized, list]]] = {}
    for item in sorted(group, key=lambda g: (ROLE_ORDER.index(g.role), _format_rank(g), str(g.path))):
        by_role.setdefault(item.role, []).append((item, parse(item)))
    year = _year_of(dataset_id)
    cfs, cf_notes = _conversion_factors(by_role.get("PPRRVU", []), year)
    for role, parsed in by_role.items():
        _check_same(role, parsed)
    start, end, quarter = effective_dates(dataset_id)
    # Files of a release installed on their own (e.g. a GPCI correction) join what is installed of it.
    previous = next((d for d in store.datasets("pfs") if d.dataset_id == dataset_id), None)
    kept = [r for r in ROLE_ORDER if r not in by_role and previous and CONTENT_NAME[r] in previous.contents]
    old_meta: dict[str, Any] = dict(previous.meta) if previous and "PPRRVU" in kept else {}
    released = next((dict(i.meta).get("released") for i, _ in by_role.get("PPRRVU", [])), None)
    roles = [r for r in ROLE_ORDER if r in by_role or r in kept]
    info = DatasetInfo(
        kind="pfs",
        dataset_id=dataset_id,
        year=year,
        quarter=quarter,
        effective_from=start,
        effective_to=end,
        label=next((dict(i.meta).get("title", "") for i, _ in by_role.get("PPRRVU", [])), "")
        or (previous.label if previous and old_meta else f"CY{year} PFS files ({', '.join(roles)})"),
        contents=tuple(CONTENT_NAME[r] for r in roles),
        sources=tuple({**source_of(i), "format": dict(i.meta)["format"]} for i in group)
        + tuple(s for s in (previous.sources if previous else ()) if s.get("role") in kept),
        meta={
            "conversion_factors": old_meta.get("conversion_factors", cfs),
            "notes": (old_meta.get("notes") or cf_notes) + _companion_note(roles, year),
            "released": old_meta.get("released", released),
        },
        installed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    with store.writing(info) as con:
        _write(con, by_role)
        if kept:
            _copy_tables(con, store.dataset_path("pfs", dataset_id), kept)
    return info


def _copy_tables(con: sqlite3.Connection, old_file: Path, roles: list[str]) -> None:
    con.execute("ATTACH DATABASE ? AS old", (str(old_file),))
    for role in roles:
        table = TABLE[role]
        con.execute(f"INSERT INTO {table} SELECT * FROM old.{table}")
    con.commit()
    con.execute("DETACH DATABASE old")


def _companion_note(roles: list[str], year: int) -> list[str]:
    if "PPRRVU" in roles:
        return []
    return [
        f"no PPRRVU file: its {', '.join(roles)} serve the CY{year} releases that lack their own "
        "(CMS sets GPCIs, localities and anesthesia CFs once a year; the localities did not change in 2026)"
    ]


def _format_rank(item: Recognized) -> int:
    # csv first: it is the file the others are checked against; nonQPP first: it is the common variant.
    fmt = {"csv": 0, "xlsx": 1, "txt": 2}.get(dict(item.meta).get("format", ""), 3)
    return fmt


def _year_of(dataset_id: str) -> int:
    return 2000 + int(dataset_id[3:5])


def _conversion_factors(pprrvu: list, year: int) -> tuple[dict[str, float], list[str]]:
    """CF per variant: read from the installed PPRRVU files; the variant a file is, is told by the year's
    published CFs (the files do not say QPP or nonQPP in their header)."""
    known = conversion_factors(year)
    found: dict[str, float] = {}
    notes: list[str] = []
    for item, rows in pprrvu:
        values = {float(r["conversion_factor"]) for r in rows if float(r["conversion_factor"]) > 0}
        if len(values) != 1:
            raise InputFileError(
                f"{source_name(item)}: expected one conversion factor, found {sorted(values)}"
            )
        cf = values.pop()
        variant = _variant(item, cf, known)
        if variant in found and found[variant] != cf:
            raise InputFileError(
                f"{source_name(item)}: a second {variant} PPRRVU file with another CF "
                f"({cf} vs {found[variant]})"
            )
        found[variant] = cf
    for variant in ("nonqpp", "qpp"):
        if variant not in found and variant in known and pprrvu:
            found[variant] = known[variant]
            if known.get("qpp") != known.get("nonqpp"):  # before 2026 there was one CF for everyone
                notes.append(
                    f"{variant} CF {known[variant]} from the CY{year} final rule "
                    f"(no {variant} file installed)"
                )
    return found, notes


def _variant(item: Recognized, cf: float, known: dict[str, float]) -> str:
    """QPP or nonQPP: told by the year's published CFs; for a year not in the package's list, by CMS's
    file name (PPRRVU2026_Jan_QPP / _nonQPP), the only place the files say it."""
    if known.get("qpp") != known.get("nonqpp") and cf in (known.get("qpp"), known.get("nonqpp")):
        return "qpp" if cf == known.get("qpp") else "nonqpp"
    name = Path(source_name(item)).name.upper()
    return "qpp" if "QPP" in name and "NONQPP" not in name and "NON-QPP" not in name else "nonqpp"


def _check_same(role: str, parsed: list) -> None:
    """The same table in several formats (csv, txt, xlsx; QPP and nonQPP RVUs) must agree."""
    if len(parsed) < 2:
        return
    first_item, first_rows = parsed[0]
    base = _comparable(role, first_rows)
    for item, rows in parsed[1:]:
        if _comparable(role, rows) != base:
            raise InputFileError(
                f"{source_name(item)}: its {role} values differ from "
                f"{source_name(first_item)}; install one of them"
            )


def _comparable(role: str, rows: list) -> object:
    if role == "PPRRVU":
        # Every field but the description (the txt layout cuts it at 50 characters) and the CF (QPP/nonQPP).
        keep = [f for f in PPRRVU_FIELDS if f not in ("description", "conversion_factor")]
        return {(r["hcpcs"], r["modifier"]): tuple(r[f] for f in keep) for r in rows}
    if role == "LOCCO":
        # Only the keys: the txt variant cuts long county lists at 200 characters and spells some areas
        # differently, so the csv (imported first) is the one kept.
        return {(r.mac, r.locality) for r in rows}
    if role == "GPCI":
        return {(r.mac, r.locality, r.work_gpci, r.pe_gpci, r.mp_gpci) for r in rows}
    if role == "ANES":
        return {(r.mac, r.locality, r.cf_nonqpp, r.cf_qpp) for r in rows}
    return {astuple(r) for r in rows}


def _write(con: sqlite3.Connection, by_role: dict[str, list]) -> None:
    con.executescript(SCHEMA)
    if "PPRRVU" in by_role:
        rows = by_role["PPRRVU"][0][1]
        marks = ",".join("?" * len(PPRRVU_FIELDS))
        con.executemany(
            f"INSERT OR REPLACE INTO rvu VALUES ({marks})", [[r[f] for f in PPRRVU_FIELDS] for r in rows]
        )
    for role, table in (("GPCI", "gpci"), ("ANES", "anes"), ("OPPSCAP", "oppscap"), ("LOCCO", "locco")):
        if role in by_role:
            rows = by_role[role][0][1]
            marks = ",".join("?" * len(astuple(rows[0])))
            verb = "INSERT" if role == "LOCCO" else "INSERT OR REPLACE"
            con.executemany(f"{verb} INTO {table} VALUES ({marks})", [astuple(r) for r in rows])
