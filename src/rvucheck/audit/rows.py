"""Charge lines <-> rows of the history's month tables (patients arrive already keyed).

Only what the cross-month rules read back is stored (docs/audit-history.md): the claim number, the posting
date and the diagnoses are not (written as empty), since no rule reads them from an earlier month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rvucheck.model import CellRef, ChargeLine, LineResult


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def line_row(month: str, result: LineResult) -> tuple[object, ...]:
    line = result.line
    return (
        month,
        line.source.sheet,
        line.source.row,
        line.patient,
        line.hcpcs,
        ",".join(line.modifiers),
        line.units,
        _iso(line.dos),
        None,  # posted: only this month's charge lag uses it
        line.provider,
        line.provider_npi,
        line.specialty,
        line.group,
        line.pos,
        "",  # claim: identifies the encounter, and no rule reads it back
        "",  # diagnoses: the diagnosis rules judge this month's lines only
        result.global_days,
        result.work_rvu,
        result.credited_work_rvu,
        result.payment,
    )


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def charge_line(row: Sequence[object]) -> ChargeLine:
    month, sheet, line_row = str(row[0]), str(row[1]), int(row[2])  # type: ignore[call-overload]
    return ChargeLine(
        source=CellRef(f"{month} {sheet}", line_row),
        patient=str(row[3]),
        hcpcs=str(row[4]),
        modifiers=_split(str(row[5])),
        units=float(row[6]),  # type: ignore[arg-type]
        dos=dt.date.fromisoformat(str(row[7])) if row[7] else None,
        posted=dt.date.fromisoformat(str(row[8])) if row[8] else None,
        provider=str(row[9]),
        provider_npi=str(row[10]),
        specialty=str(row[11]),
        group=str(row[12]),
        pos=str(row[13]),
        claim=str(row[14]),
        diagnoses=_split(str(row[15])),
    )
