"""Install NCCI files (PTP, MUE, AOC) into the store as one dataset per quarter ("ncci-2026Q2.sqlite").

`recognize(path)` says whether a file is an NCCI file, which component and which quarter; `import_group`
writes every recognised file of one quarter atomically (several PTP parts f1..f4 form one table). Installing
a quarter's MUE after its PTP keeps the PTP already installed: components not in the new group are carried
over from the installed dataset.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from rvucheck.refdata.ncci.formats import NcciFileError, detect_layout, peek, quarter_of
from rvucheck.refdata.ncci.rows import PtpRow, aoc_rows, converted_service, mue_rows, ptp_rows
from rvucheck.refdata.store import DatasetInfo, Recognized, Store, source_name, source_of

KIND = "ncci"
COMPONENTS = ("PTP", "MUE", "AOC")
SUFFIXES = (".txt", ".csv", ".gz", ".xlsx", ".tsv")
# when one quarter's PTP comes in several formats (the txt and the xlsx of the same parts), read one format
PTP_FORMAT_PREFERENCE = {".txt": 0, ".tsv": 0, ".gz": 1, ".csv": 1, ".xlsx": 2}

SCHEMA = {
    "PTP": """
        CREATE TABLE ptp_rationale (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
        CREATE TABLE ptp (column1 TEXT NOT NULL, column2 TEXT NOT NULL, prior_1996 INTEGER NOT NULL,
                          effective INTEGER, deletion INTEGER, modifier TEXT NOT NULL,
                          rationale_id INTEGER NOT NULL);
    """,
    "MUE": """
        CREATE TABLE mue (service TEXT NOT NULL, hcpcs TEXT NOT NULL, units INTEGER NOT NULL,
                          mai TEXT NOT NULL, rationale TEXT NOT NULL,
                          PRIMARY KEY (service, hcpcs)) WITHOUT ROWID;
    """,
    "AOC": """
        CREATE TABLE aoc (addon TEXT NOT NULL, addon_deletion INTEGER, primary_code TEXT NOT NULL,
                          primary_deletion INTEGER, edit_type TEXT NOT NULL, effective INTEGER,
                          deletion INTEGER, note TEXT NOT NULL);
    """,
}
INDEXES = {
    "PTP": "CREATE INDEX ptp_pair ON ptp (column1, column2);",
    "MUE": "",
    "AOC": "CREATE INDEX aoc_addon ON aoc (addon);",
}
TABLES = {"PTP": ("ptp_rationale", "ptp"), "MUE": ("mue",), "AOC": ("aoc",)}
ROLE_OF_LAYOUT = {
    "ptp_cms": "PTP",
    "ptp_converted": "PTP",
    "mue_cms": "MUE",
    "mue_converted": "MUE",
    "aoc": "AOC",
}


def recognize(path: Path) -> Recognized | None:
    """An NCCI PTP/MUE/AOC file, known by its header rows; None for any other file."""
    path = Path(path)
    if not path.is_file() or not path.name.lower().endswith(SUFFIXES):
        return None
    found = detect_layout(path)
    if found is None:
        return None
    layout, service = found
    role = ROLE_OF_LAYOUT[layout]
    if role == "PTP" and path.name.lower().startswith("ccioph"):
        return None  # outpatient-hospital PTP: same layout, but rvucheck checks practitioner claims
    if layout == "mue_converted":
        service = _converted_mue_service(path)
    quarter = quarter_of(path)
    if quarter is None:
        raise NcciFileError(
            f"{path}: an NCCI {role} file, but neither its sheet, its name nor its folder says which "
            "quarter; rename it (e.g. MUE_2026Q2.csv) or put it in a folder named like 2026Q2"
        )
    year, number = quarter
    return Recognized(
        kind=KIND,
        dataset_id=f"{year}Q{number}",
        role=role,
        path=path,
        meta=(("layout", layout), ("service", service)),
    )


def _converted_mue_service(path: Path) -> str:
    for line, cells in peek(path)[1:]:
        if len(cells) >= 5:
            return converted_service(path, line, cells[4])
    return "practitioner"


def import_group(store: Store, group: list[Recognized]) -> DatasetInfo:
    """Import one quarter's recognised NCCI files into `ncci-<quarter>.sqlite` (all or nothing)."""
    if not group:
        raise ValueError("import_group needs at least one recognised file")
    dataset_id = group[0].dataset_id
    if any(item.dataset_id != dataset_id or item.kind != KIND for item in group):
        raise ValueError("import_group: all files of a group must belong to one NCCI quarter")
    previous = next((info for info in store.datasets(KIND) if info.dataset_id == dataset_id), None)
    roles = {item.role for item in group}
    carried = [c for c in (previous.contents if previous else ()) if c not in roles]
    contents = sorted(roles | set(carried), key=COMPONENTS.index)
    # meta is filled while importing: the store writes the catalog row only after the import succeeded
    meta: dict[str, object] = {"rows": {}}
    sources = [s for s in (previous.sources if previous else ()) if s.get("role") in carried]
    if previous:
        old_meta = previous.meta
        meta.update({k: v for k, v in old_meta.items() if k.split("_")[0].upper() in carried})
        old_rows = old_meta.get("rows", {})
        if isinstance(old_rows, dict):
            meta["rows"] = {s["file"]: old_rows[s["file"]] for s in sources if s["file"] in old_rows}
    sources += [source_of(item) for item in group]
    year, quarter = int(dataset_id[:4]), int(dataset_id[5])
    info = DatasetInfo(
        kind=KIND,
        dataset_id=dataset_id,
        year=year,
        quarter=quarter,
        effective_from=dt.date(year, 3 * (quarter - 1) + 1, 1),
        effective_to=None,  # a quarter's edits answer until a newer quarter is installed
        label=f"NCCI {dataset_id} ({', '.join(contents)})",
        contents=tuple(contents),
        sources=tuple(sources),
        meta=meta,
        installed_at="",
    )
    old_path = store.dataset_path(KIND, dataset_id)
    with store.writing(info) as con:
        for component in contents:
            con.executescript(SCHEMA[component])
        for component in carried:
            _carry_over(con, old_path, component)
        if "PTP" in roles:
            _import_ptp(con, [item for item in group if item.role == "PTP"], meta)
        if "MUE" in roles:
            _import_mue(con, [item for item in group if item.role == "MUE"], meta)
        if "AOC" in roles:
            _import_aoc(con, [item for item in group if item.role == "AOC"], meta)
        for component in roles:
            if INDEXES[component]:
                con.executescript(INDEXES[component])
    return store.installed(KIND, dataset_id)


def _carry_over(con: sqlite3.Connection, old_path: Path, component: str) -> None:
    con.execute("ATTACH DATABASE ? AS old", (f"file:{old_path}?mode=ro",))
    try:
        for table in TABLES[component]:
            con.execute(f"INSERT INTO {table} SELECT * FROM old.{table}")
        con.commit()
    finally:
        con.execute("DETACH DATABASE old")
    if INDEXES[component]:
        con.executescript(INDEXES[component])


def _count(meta: dict[str, object], item: Recognized, rows: int | str) -> None:
    """Rows read from each file (or why a file was not read), kept in the catalog meta."""
    counts = meta["rows"]
    assert isinstance(counts, dict)
    counts[source_name(item)] = rows


def _layout(item: Recognized) -> str:
    return dict(item.meta)["layout"]


def _ptp_format(item: Recognized) -> int:
    return PTP_FORMAT_PREFERENCE.get(item.path.suffix.lower(), 3)


def _import_ptp(con: sqlite3.Connection, items: list[Recognized], meta: dict[str, object]) -> None:
    best = min(_ptp_format(item) for item in items)
    chosen = sorted((item for item in items if _ptp_format(item) == best), key=lambda item: item.path.name)
    rationale_ids: dict[str, int] = {}
    total = 0
    for item in chosen:
        count = _insert_ptp(con, ptp_rows(item.path, _layout(item)), rationale_ids)
        _count(meta, item, count)
        total += count
    for item in items:
        if item not in chosen:
            _count(meta, item, "not read: the same parts were read from another format")
    con.executemany("INSERT INTO ptp_rationale VALUES (?, ?)", ((i, t) for t, i in rationale_ids.items()))
    meta["ptp_rows"] = total
    meta["ptp_effective_dates"] = all(_layout(item) == "ptp_cms" for item in chosen)


def _insert_ptp(con: sqlite3.Connection, rows: Iterable[PtpRow], rationale_ids: dict[str, int]) -> int:
    count = 0

    def with_ids() -> Iterator[tuple[object, ...]]:
        nonlocal count
        for column1, column2, prior, effective, deletion, modifier, rationale in rows:
            rationale_id = rationale_ids.get(rationale)
            if rationale_id is None:
                rationale_id = rationale_ids[rationale] = len(rationale_ids) + 1
            count += 1
            yield column1, column2, prior, effective, deletion, modifier, rationale_id

    con.executemany("INSERT INTO ptp VALUES (?, ?, ?, ?, ?, ?, ?)", with_ids())
    return count


def _import_mue(con: sqlite3.Connection, items: list[Recognized], meta: dict[str, object]) -> None:
    by_service: dict[str, tuple[Recognized, list[tuple[str, str, int, str, str]]]] = {}
    for item in sorted(items, key=lambda i: (_layout(i), i.path.name)):
        details = dict(item.meta)
        rows = list(mue_rows(item.path, details["layout"], details["service"]))
        seen = {(service, hcpcs) for service, hcpcs, *_ in rows}
        if len(seen) != len(rows):
            raise NcciFileError(f"{item.path}: a HCPCS code is listed twice; the MUE file is damaged")
        for service in {row[0] for row in rows}:
            service_rows = [row for row in rows if row[0] == service]
            if service in by_service:
                _same_or_fail(by_service[service], item, service_rows)
                _count(meta, item, f"same {service} MUEs as another file")
                continue
            by_service[service] = (item, service_rows)
            con.executemany("INSERT INTO mue VALUES (?, ?, ?, ?, ?)", service_rows)
            _count(meta, item, len(service_rows))
    meta["mue_services"] = sorted(by_service)


def _same_or_fail(
    first: tuple[Recognized, list[tuple[str, str, int, str, str]]],
    item: Recognized,
    rows: list[tuple[str, str, int, str, str]],
) -> None:
    first_item, first_rows = first
    if sorted(first_rows) != sorted(rows):
        differ = sorted(set(first_rows) ^ set(rows))[:1]
        raise NcciFileError(
            f"{item.path}: its MUEs differ from {first_item.path.name} for the same quarter and setting "
            f"(first difference: {differ[0][1] if differ else 'row count'}); install only one of them"
        )


def _import_aoc(con: sqlite3.Connection, items: list[Recognized], meta: dict[str, object]) -> None:
    first, *others = sorted(items, key=lambda i: i.path.name)
    rows = list(aoc_rows(first.path))
    con.executemany("INSERT INTO aoc VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    _count(meta, first, len(rows))
    for other in others:
        if sorted(aoc_rows(other.path)) != sorted(rows):
            raise NcciFileError(
                f"{other.path}: differs from {first.path.name} for the same quarter; install one"
            )
        _count(meta, other, "same AOC edits as another file")
    meta["aoc_rows"] = len(rows)


__all__ = ["import_group", "recognize"]
