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
from rvucheck.read.headers import field_of_header
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
    start = 1 if _is_header(rows[0]) else 0
    out: list[list[str]] = [["findings"]] if start else []
    checked: list[ChargeLine] = []
    problems: dict[int, str] = {}
    for index, cells in enumerate(rows[start:], start=start + 1):
        if all(c is None or c == "" for c in cells):
            continue
        try:
            checked.append(make_line(index, cells, BLOCK_PATIENT))
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


def _is_header(cells: Sequence[object]) -> bool:
    first = cells[0] if cells else None
    # The reader's header vocabulary: a block whose first cell the reader takes for the code column.
    return isinstance(first, str) and field_of_header(first) == "hcpcs"
