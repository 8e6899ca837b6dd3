"""Hand-built lines and results for audit unit tests. Every RVU and dollar value here is made up."""

from __future__ import annotations

import datetime as dt

from rvucheck.model import CellRef, ChargeLine, Finding, LineResult


def line(
    row: int,
    hcpcs: str,
    provider: str = "Dr A",
    patient: str = "P1",
    dos: dt.date = dt.date(2026, 10, 5),
    modifiers: tuple[str, ...] = (),
    **kw: object,
) -> ChargeLine:
    return ChargeLine(
        source=CellRef("Charges", row),
        hcpcs=hcpcs,
        modifiers=modifiers,
        dos=dos,
        provider=provider,
        provider_npi=kw.pop("provider_npi", "") or "",  # type: ignore[arg-type]
        patient=patient,
        **kw,  # type: ignore[arg-type]
    )


def result(
    charge: ChargeLine,
    work: float | None = 1.0,
    credited: float | None = None,
    payment: float | None = 100.0,
    findings: tuple[tuple[str, str], ...] = (),
    stake: float | None = None,
    global_days: str = "",
) -> LineResult:
    found = tuple(
        Finding(
            rule=rule, severity=sev, message=f"{rule} made-up", source=charge.source, dollars_at_stake=stake
        )  # type: ignore[arg-type]
        for rule, sev in findings
    )
    return LineResult(
        line=charge,
        work_rvu=work,
        credited_work_rvu=work if credited is None else credited,
        payment=payment,
        global_days=global_days,
        findings=found,
    )
