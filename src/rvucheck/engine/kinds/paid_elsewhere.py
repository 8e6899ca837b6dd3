"""Codes Medicare pays outside the physician fee schedule, or takes as quality data: which fee schedule pays
them (the code classes of the reference data), priced where the reference has that fee schedule (ASP)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import Hit, Kind, params_schema
from rvucheck.refdata.pricing.drugs import drug_payment
from rvucheck.refdata.types import CodeClass

CLASS_IDS: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string", "pattern": "^[a-z_]+$"},
    "description": "code class ids of the reference data's code classes (category_ii, dmepos, drug, ...)",
}

CODE_CLASS_PARAMS = params_schema(
    {
        "classes": CLASS_IDS,
        "statuses": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": "^[A-Z]?$"},
            "description": 'PFS statuses of the line\'s row that count ("" = not in the PFS file)',
        },
    },
    required=("classes",),
)


def code_class(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A code of one of `classes` (a fee schedule other than the PFS pays it, or it is quality data) whose
    PFS status is one of `statuses` ("" = in no installed PFS release; all statuses when not given)."""
    wanted = frozenset(params["classes"])
    statuses = frozenset(params.get("statuses", ())) or None
    memo = _memo(ctx)
    for fact in ctx.run_facts:
        found = memo.get((fact.code, (fact.priced or fact.row) is not None), _UNKNOWN)
        if found is _UNKNOWN:
            found = _class(ctx, fact)
        if found is None or found.id not in wanted:
            continue
        row = fact.priced or fact.row
        status = row.status_code if row else ""
        if statuses is not None and status not in statuses:
            continue
        if not status and ctx.ref.known_code(fact.code) is not None:
            continue  # listed in another release: deleted or not yet in effect (CV03, CV04)
        values = {"class_name": found.name, "paid_by": found.paid_by, "price": _price(ctx, fact)}
        yield Hit(fact.position, "hcpcs", values, 0.0)


def in_classes(ctx: Context, fact: LineFacts, class_ids: frozenset[str]) -> bool:
    """Whether the line's code belongs to one of the code classes (rules leave those codes to ST09/ST10)."""
    if not class_ids:
        return False
    found = _class(ctx, fact)
    return found is not None and found.id in class_ids


_UNKNOWN: Any = object()  # not looked up yet (None is an answer: in no class)


def _memo(ctx: Context) -> dict[tuple[str, bool], CodeClass | None]:
    """The run's classes by (code, listed in the PFS): `_class`'s answers."""
    memo: dict[tuple[str, bool], CodeClass | None] = ctx.memo.setdefault("code_class", {})
    return memo


def _class(ctx: Context, fact: LineFacts) -> CodeClass | None:
    """The code's class; a code the PFS does not list belongs to a class priced from a file (drugs: ASP)
    only when that file lists it (J9999 is more likely a typo than a drug)."""
    memo = _memo(ctx)
    listed = (fact.priced or fact.row) is not None
    key = (fact.code, listed)
    if key not in memo:
        found = ctx.ref.code_class(fact.code)
        if found is not None and found.priced_by == "asp" and not listed:
            found = found if ctx.ref.drug_price(fact.code, fact.line.dos) is not None else None
        memo[key] = found
    return memo[key]


def _price(ctx: Context, fact: LineFacts) -> str:
    """ "; ASP payment limit ..." for a drug the reference prices, else ""."""
    price = ctx.ref.drug_price(fact.code, fact.line.dos)
    if price is None:
        return ""
    units = fact.line.units
    paid = drug_payment(price, fact.mods, units if units > 0 else 0.0, fact.line.dos).payment
    text = (
        f"; ASP payment limit ${price.limit:,.3f} per {price.dosage or 'billing unit'} "
        f"({price.label}) x {units:g} units = ${paid:,.2f}"
    )
    dos = fact.line.dos
    if dos is not None and not (price.effective_from <= dos <= price.effective_to):
        text += f" (that file is for {price.effective_from} to {price.effective_to}, not {dos})"
    return text


KINDS = (Kind("code_class", code_class, ("class_name", "paid_by", "price"), CODE_CLASS_PARAMS),)
