"""The fee-schedule answers behind the Excel functions: raw cell values in, cell values out.

`rvucheck.excel.udfs` only adds the xlwings decorators to these. The CMS data is opened once per
process (and data dir); each answer is cached on its arguments, because a sheet asks the same few
hundred questions again and again (a recalculation re-asks all of them).
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rvucheck.excel.args import (
    NOT_AVAILABLE,
    CellError,
    code_and_modifiers,
    component_of,
    date_of,
    each_cell,
    excel_safe,
    facility_of,
    flag_of,
    locality_text,
    modifiers_of,
)
from rvucheck.refdata.types import Locality, RvuRow

if TYPE_CHECKING:
    from rvucheck.refdata.reference import Reference

ROW_MODIFIERS = ("26", "TC", "53")  # modifiers CMS prices with a row of their own in the PPRRVU file


def data_dir_key() -> str:
    """The data dir in effect ($RVUCHECK_DATA or the default): part of every cache key, so a test or a
    user switching data dirs never sees answers from the other one."""
    return os.environ.get("RVUCHECK_DATA", "")


@lru_cache(maxsize=4)
def reference_for(data_dir: str) -> Reference:
    """The installed reference data, opened once per process and data dir."""
    from rvucheck.refdata import open_reference

    return open_reference(data_dir or None)


def hashable(value: object) -> object:
    """Ranges arrive as lists; the caches need tuples."""
    if isinstance(value, list | tuple):
        return tuple(hashable(v) for v in value)
    return value


def row_modifier_of(modifiers: tuple[str, ...]) -> str:
    return next((m for m in modifiers if m in ROW_MODIFIERS), "")


@lru_cache(maxsize=65536)
def row_for(data_dir: str, code: str, row_modifier: str, on: dt.date | None) -> RvuRow:
    """The PPRRVU row of the code, or its 26/TC/53 row when asked for and published; #N/A when not listed."""
    ref = reference_for(data_dir)
    choice = ref.release_for(on)
    if not choice.release_id:  # e.g. a 2024 date with only 2025/2026 installed
        raise CellError(f"rvucheck: {choice.note or f'no fee schedule installed for {on}'}"[:255])
    row = ref.rvu(code, row_modifier, on=on) if row_modifier else None
    if row is None:
        row = ref.rvu(code, "", on=on)
    if row is None:
        raise CellError(NOT_AVAILABLE)
    return row


@lru_cache(maxsize=1024)
def locality_for(data_dir: str, query: str) -> Locality | None:
    """None (national: every GPCI 1.0) for a blank locality. An unknown or ambiguous one answers with the
    reference's one-line message (it says what to type), not a bare #N/A."""
    if not query or query.lower() in ("national", "nat", "us", "usa"):
        return None
    return reference_for(data_dir).locality(query)


def line_row(code: object, modifier: object, date: object) -> tuple[RvuRow, tuple[str, ...]]:
    """The row a line prices from; its modifiers are those of the argument and any typed with the code
    ("71046-26")."""
    hcpcs, with_code = code_and_modifiers(code)
    modifiers = (*with_code, *modifiers_of(modifier))
    return row_for(data_dir_key(), hcpcs, row_modifier_of(modifiers), date_of(date)), modifiers


# ---------------------------------------------------------------------------------------------------------
# The functions (one code each; `each_cell` spills them over a range of codes)


@each_cell
@excel_safe
def rvu(code: object, component: object = None, modifier: object = None, date: object = None) -> Any:
    return _rvu(data_dir_key(), code, hashable(component), hashable(modifier), hashable(date))


@lru_cache(maxsize=65536)
def _rvu(data_dir: str, code: object, component: object, modifier: object, date: object) -> float:
    row, _mods = line_row(code, modifier, date)
    return float(getattr(row, component_of(component)))


@each_cell
@excel_safe
def payment(
    code: object,
    modifier: object = None,
    locality: object = None,
    pos_or_setting: object = None,
    date: object = None,
    qpp: object = None,
) -> Any:
    args = (code, modifier, locality, pos_or_setting, date, qpp)
    return _payment(data_dir_key(), *(hashable(a) for a in args))


@lru_cache(maxsize=65536)
def _payment(
    data_dir: str,
    code: object,
    modifier: object,
    locality: object,
    pos_or_setting: object,
    date: object,
    qpp: object,
) -> float:
    row, modifiers = line_row(code, modifier, date)
    where = locality_for(data_dir, locality_text(locality))
    facility, is_qpp = facility_of(pos_or_setting), flag_of(qpp)
    ref = reference_for(data_dir)
    payment_modifiers = tuple(m for m in modifiers if m not in ROW_MODIFIERS)
    if not payment_modifiers:
        return float(ref.payment(row, where, facility=facility, qpp=is_qpp))
    adjusted = ref.adjusted(row, payment_modifiers, 1, where, facility, is_qpp)
    return float(adjusted.payment)


@each_cell
@excel_safe
def global_days(code: object, modifier: object = None, date: object = None) -> Any:
    row, _mods = line_row(code, modifier, hashable(date))
    return row.global_days


@each_cell
@excel_safe
def description(code: object, modifier: object = None, date: object = None) -> Any:
    row, _mods = line_row(code, modifier, hashable(date))
    return row.description


def status_meaning(status_code: str) -> str:
    from rvucheck.refdata.indicators import meaning  # the decode table `rvucheck code` shows

    return meaning("status_code", status_code.strip().upper())


@each_cell
@excel_safe
def status(code: object, modifier: object = None, date: object = None) -> Any:
    row, _mods = line_row(code, modifier, hashable(date))
    return f"{row.status_code}: {status_meaning(row.status_code)}"


@each_cell
@excel_safe
def percentile(code: object, date: object = None) -> Any:
    row, _mods = line_row(code, None, hashable(date))
    stats = reference_for(data_dir_key()).category(row)
    if stats is None:
        raise CellError(NOT_AVAILABLE)  # not in a CPT category that is ranked (e.g. status not priced)
    return stats.percentile


@excel_safe
def info(code: object, modifier: object = None, locality: object = None, date: object = None) -> Any:
    """`rvucheck code` as a two-row table: field names, then values (nested fields as dotted names)."""
    args = (code, modifier, locality, date)
    return _info(data_dir_key(), *(hashable(a) for a in args))


@lru_cache(maxsize=1024)
def _info(data_dir: str, code: object, modifier: object, locality: object, date: object) -> list[list[Any]]:
    from rvucheck.refdata.code_page import lookup  # the builder of `rvucheck code --json`

    hcpcs, with_code = code_and_modifiers(code)
    page = lookup(
        reference_for(data_dir),
        hcpcs,
        (*with_code, *modifiers_of(modifier)),
        locality=locality_text(locality) or None,
        on=date_of(date),
    )
    fields = flatten(page)
    return [list(fields), [cell_value(v) for v in fields.values()]]


def flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested keys as dotted names; a decoded indicator ({label, code, meaning}) as "code: meaning"."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict) and {"code", "meaning"} <= set(item):
            out[name] = f"{item['code']}: {item['meaning']}" if item["code"] else item["meaning"]
        elif isinstance(item, dict):
            out.update(flatten(item, f"{name}."))
        else:
            out[name] = item
    return out


def cell_value(value: Any) -> Any:
    """A value a cell can hold: lists joined, None blank, booleans kept (Excel has TRUE/FALSE)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(cell_value(v)) for v in value)
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)
