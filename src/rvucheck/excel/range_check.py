"""RVU_CHECK / RVU_CHECK_RANGE: charge lines typed in a sheet -> the rules engine -> findings as cell text.

The same engine, rules and settings as `rvucheck check` (settings from an rvucheck config found next to the
current directory, else the defaults). A block is checked as one batch so that same-day rules (NCCI pairs,
MUE per day, E/M with a procedure) see every line of the block.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from rvucheck.excel.args import BAD_VALUE, CellError, code_and_modifiers, date_of, excel_safe, modifiers_of
from rvucheck.excel.lookups import data_dir_key, hashable, reference_for
from rvucheck.model import CellRef, ChargeLine, Finding, Report
from rvucheck.read.cells import BadValue, clean_text, normalize_pos, parse_units, split_diagnoses
from rvucheck.read.headers import ColumnMap, canonical_field, field_of_header, map_headers, normalize_header
from rvucheck.session import Session
from rvucheck.settings import find_config, load_settings

BLOCK_COLUMNS = ("code", "modifiers", "units", "date", "diagnoses", "pos", "patient", "provider")
SHEET = "RVU_CHECK"  # the CellRef sheet of lines built here (findings are shown next to the line anyway)
# A block is the lines a user put together to be checked together (one encounter): a line without a patient
# cell is that block's patient. The engine otherwise links a blank patient with no one (engine.linking).
BLOCK_PATIENT = "(this block)"


@lru_cache(maxsize=4)
def session_for(data_dir: str, config: Path | None) -> Session:
    """One Session per data dir and config file, kept for the process (rule files are YAML: parsing them
    per call is slow); its reference data is the one the lookup functions use."""
    settings = load_settings(config)
    return Session.open(data_dir or None, settings, reference=reference_for(data_dir))


def run_engine(lines: Sequence[ChargeLine]) -> Report:
    return session_for(data_dir_key(), find_config(Path.cwd())).check(lines)


def findings_text(findings: Sequence[Finding]) -> str:
    """'NCCI-PTP-001: message; MUE-001: message' (rule ids first so a filter on the column works)."""
    return "; ".join(f"{f.rule}: {f.message}" for f in findings)


def make_line(row_number: int, cells: Sequence[object], blank_patient: str = "") -> ChargeLine:
    """One ChargeLine from the cells of a block row (columns in BLOCK_COLUMNS order; missing ones blank);
    `blank_patient` stands for a blank patient cell."""
    padded = [*cells, *([None] * (len(BLOCK_COLUMNS) - len(cells)))]
    code, modifiers, units, date, diagnoses, pos, patient, provider = padded[: len(BLOCK_COLUMNS)]
    hcpcs, with_code = code_and_modifiers(code)  # "99213-25" typed in the code cell
    return ChargeLine(
        source=CellRef(SHEET, row_number),
        hcpcs=hcpcs,
        modifiers=(*with_code, *modifiers_of(modifiers)),
        units=parse_units(units),
        dos=date_of(date),
        diagnoses=split_diagnoses(diagnoses),
        pos=normalize_pos(pos),
        patient=clean_text(patient) or blank_patient,
        provider=clean_text(provider),
    )


@excel_safe
def check_line(
    code: object,
    modifiers: object = None,
    units: object = None,
    date: object = None,
    diagnoses: object = None,
    pos: object = None,
) -> Any:
    cells = (code, modifiers, units, date, diagnoses, pos)
    return _check_line(data_dir_key(), *(hashable(c) for c in cells))


@lru_cache(maxsize=4096)
def _check_line(data_dir: str, *cells: object) -> str:
    line = make_line(1, cells)
    report = run_engine([line])
    return findings_text(report.results[0].findings) if report.results else ""


@excel_safe
def check_block(lines: object) -> Any:
    rows = _rows_of(lines)
    if not rows:
        raise CellError(BAD_VALUE)
    columns = saved_columns()
    start = 1 if _is_header(rows[0], columns) else 0
    order = _block_order(rows[0], columns) if start else None
    out: list[list[str]] = [["findings"]] if start else []
    checked: list[ChargeLine] = []
    problems: dict[int, str] = {}
    for index, cells in enumerate(rows[start:], start=start + 1):
        if all(c is None or c == "" for c in cells):
            continue
        try:
            checked.append(make_line(index, _in_block_order(cells, order) if order else cells, BLOCK_PATIENT))
        except (CellError, BadValue) as exc:
            problems[index] = f"unreadable line: {exc}" if isinstance(exc, BadValue) else exc.value
    by_row: dict[int, str] = {}
    if checked:
        report = run_engine(checked)
        by_row = {r.line.source.row: findings_text(r.findings) for r in report.results}
    for index in range(start + 1, len(rows) + 1):
        out.append([problems.get(index, by_row.get(index, ""))])
    return out


def _rows_of(lines: object) -> list[list[object]]:
    if not isinstance(lines, list | tuple):
        return [[lines]]
    return [list(r) if isinstance(r, list | tuple) else [r] for r in lines]


def saved_columns() -> dict[str, tuple[str, ...]]:
    """[columns] of the rvucheck config beside the workbook's folder (`rvucheck columns FILE --save`)."""
    return session_for(data_dir_key(), find_config(Path.cwd())).settings.columns


def _is_header(cells: Sequence[object], columns: dict[str, tuple[str, ...]] | None = None) -> bool:
    first = cells[0] if cells else None
    # The reader's header vocabulary: a block whose first cell the reader takes for the code column, or a
    # row whose words name a code column and another field (any order), or the code column [columns] names.
    if isinstance(first, str) and field_of_header(first) == "hcpcs":
        return True
    if not any(isinstance(c, str) and c.strip() for c in cells):
        return False
    mapped = _header_map(cells, columns or {})
    return "hcpcs" in mapped.single and mapped.score() >= 2


# BLOCK_COLUMNS -> the reader's field names
_FIELDS = {"code": "hcpcs", "date": "dos"}


def _header_map(cells: Sequence[object], columns: dict[str, tuple[str, ...]]) -> ColumnMap:
    """The header row read as the reader reads one, [columns] naming the columns it lists (those present)."""
    texts = {normalize_header(c) for c in cells if isinstance(c, str)}
    overrides = {
        canonical_field(name): list(headers)
        for name, headers in columns.items()
        if all(normalize_header(h) in texts for h in headers)
    }
    return map_headers(list(cells), overrides or None)


def _block_order(
    header: Sequence[object], columns: dict[str, tuple[str, ...]]
) -> list[tuple[int, ...]] | None:
    """For each of BLOCK_COLUMNS, the block's columns holding it, when the header names at least two
    fields (then the header decides, as in `rvucheck check`); None keeps the documented column order."""
    mapped = _header_map(header, columns)
    found = {**{f: (i,) for f, i in mapped.single.items()}, **mapped.multi}
    order = [found.get(_FIELDS.get(name, name), ()) for name in BLOCK_COLUMNS]
    return order if sum(1 for cols in order if cols) >= 2 else None


def _in_block_order(cells: Sequence[object], order: list[tuple[int, ...]]) -> list[object]:
    out: list[object] = []
    for indexes in order:
        values = [cells[i] for i in indexes if i < len(cells) and cells[i] not in (None, "")]
        out.append(values[0] if len(values) == 1 else " ".join(str(v) for v in values) if values else None)
    return out
