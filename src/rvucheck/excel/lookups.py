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
from rvucheck.read.cells import parse_units
from rvucheck.refdata.pricing import pricer
from rvucheck.refdata.pricing.price import price
from rvucheck.refdata.types import Locality, RvuRow

if TYPE_CHECKING:
    from rvucheck.refdata.reference import Reference


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


@lru_cache(maxsize=65536)
def rows_for(data_dir: str, code: str, modifiers: tuple[str, ...], on: dt.date | None) -> pricer.RowChoice:
    """The rows of the code billed with those (normalised) modifiers, as the one pricer chooses them;
    #N/A when the release does not list the code."""
    ref = reference_for(data_dir)
    release = ref.release_for(on)
    if not release.release_id:  # e.g. a 2024 date with only 2025/2026 installed
        raise CellError(f"rvucheck: {release.note or f'no fee schedule installed for {on}'}"[:255])
    choice = pricer.choose_rows(ref, release.release_id, code, modifiers)
    if choice.priced is None:
        raise CellError(NOT_AVAILABLE)
    return choice


@lru_cache(maxsize=1024)
def locality_for(data_dir: str, query: str) -> Locality | None:
    """None (national: every GPCI 1.0) for a blank locality. An unknown or ambiguous one answers with the
    reference's one-line message (it says what to type), not a bare #N/A."""
    if not query or query.lower() in ("national", "nat", "us", "usa"):
        return None
    return reference_for(data_dir).locality(query)


def line_row(code: object, modifier: object, date: object) -> tuple[pricer.RowChoice, tuple[str, ...]]:
    """The rows a line prices from, and its modifiers: those of the argument and any typed with the code
    ("71046-26"), normalised."""
    hcpcs, with_code = code_and_modifiers(code)
    modifiers = pricer.normalise_modifiers((*with_code, *modifiers_of(modifier)))
    return rows_for(data_dir_key(), hcpcs, modifiers, date_of(date)), modifiers


def priced_row(code: object, modifier: object, date: object) -> RvuRow:
    """The row whose published values a line shows (RVUs, global days, status, descriptor)."""
    choice, _mods = line_row(code, modifier, date)
    assert choice.priced is not None  # rows_for answers #N/A otherwise
    return choice.priced


# ---------------------------------------------------------------------------------------------------------
# The functions (one code each; `each_cell` spills them over a range of codes)


@each_cell
@excel_safe
def rvu(code: object, component: object = None, modifier: object = None, date: object = None) -> Any:
    return _rvu(data_dir_key(), code, hashable(component), hashable(modifier), hashable(date))


@lru_cache(maxsize=65536)
def _rvu(data_dir: str, code: object, component: object, modifier: object, date: object) -> float:
    return float(getattr(priced_row(code, modifier, date), component_of(component)))


@each_cell
@excel_safe
def payment(
    code: object,
    modifier: object = None,
    locality: object = None,
    pos_or_setting: object = None,
    date: object = None,
    qpp: object = None,
    units: object = None,
) -> Any:
    args = (code, modifier, locality, pos_or_setting, date, qpp, units)
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
    units: object,
) -> float:
    """The line's price from the one pricing function (fee schedule, anesthesia or ASP); a line it does
    not price shows why (anesthesia without time, units above 9,999) or #N/A (a code it does not know)."""
    hcpcs, with_code = code_and_modifiers(code)
    modifiers = pricer.normalise_modifiers((*with_code, *modifiers_of(modifier)))
    on, ref = date_of(date), reference_for(data_dir)
    release = ref.release_for(on)
    if not release.release_id:  # e.g. a 2024 date with only 2025/2026 installed
        raise CellError(f"rvucheck: {release.note or f'no fee schedule installed for {on}'}"[:255])
    found = price(
        ref,
        hcpcs,
        modifiers,
        parse_units(units),
        on=on,
        locality=locality_for(data_dir, locality_text(locality)),
        facility=facility_of(pos_or_setting),
        qpp=flag_of(qpp),
        release=release,
    )
    if found.amount is None:
        raise CellError(f"rvucheck: {found.why_not}"[:255] if found.why_not else NOT_AVAILABLE)
    return found.amount


@each_cell
@excel_safe
def global_days(code: object, modifier: object = None, date: object = None) -> Any:
    return priced_row(code, modifier, hashable(date)).global_days


@each_cell
@excel_safe
def description(code: object, modifier: object = None, date: object = None) -> Any:
    return priced_row(code, modifier, hashable(date)).description


def status_meaning(status_code: str) -> str:
    from rvucheck.refdata.indicators import meaning  # the decode table `rvucheck code` shows

    return meaning("status_code", status_code.strip().upper())


@each_cell
@excel_safe
def status(code: object, modifier: object = None, date: object = None) -> Any:
    row = priced_row(code, modifier, hashable(date))
    return f"{row.status_code}: {status_meaning(row.status_code)}"


@each_cell
@excel_safe
def percentile(code: object, date: object = None) -> Any:
    stats = reference_for(data_dir_key()).category(priced_row(code, None, hashable(date)))
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
