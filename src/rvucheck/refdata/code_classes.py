"""Which fee schedule pays a code the physician fee schedule does not price (package data
data/code_classes.toml): CPT Category II quality-data codes, Category III, ambulance, DMEPOS, Part B drugs,
clinical lab. One table for the rules that report them and for the MUE table a line is held to.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from rvucheck.refdata.types import CodeClass

PRACTITIONER = "practitioner"
DME_SUPPLIER = "dme_supplier"


@cache
def _data() -> dict[str, object]:
    text = resources.files("rvucheck.data").joinpath("code_classes.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def code_classes() -> tuple[CodeClass, ...]:
    entries = _data()["class"]
    assert isinstance(entries, list)
    return tuple(
        CodeClass(
            id=e["id"],
            name=e["name"],
            patterns=tuple(re.compile(p) for p in e["patterns"]),
            paid_by=e["paid_by"],
            source=e["source"],
            mue_table=e.get("mue_table", PRACTITIONER),
            priced_by=e.get("priced_by", ""),
        )
        for e in entries
    )


@cache
def class_of(code: str) -> CodeClass | None:
    """The class of a code (None for codes the PFS prices: CPT Category I outside the lab range, most
    HCPCS Level II G codes, ...)."""
    code = code.strip().upper()
    return next((c for c in code_classes() if any(p.fullmatch(code) for p in c.patterns)), None)


@cache
def dme_supplier_specialties() -> frozenset[str]:
    section = _data()["dme_supplier_specialties"]
    assert isinstance(section, dict)
    return frozenset(section["codes"])


def mue_tables(code: str, specialty: str = "") -> tuple[str, ...]:
    """The NCCI MUE tables a line is held to, first match answering: a DME supplier's line uses the DME
    supplier table only; a DMEPOS code billed by anyone else uses it where it lists the code and the
    practitioner table otherwise; every other line uses the practitioner table."""
    if specialty.strip().upper() in dme_supplier_specialties():
        return (DME_SUPPLIER,)
    found = class_of(code)
    if found is not None and found.mue_table != PRACTITIONER:
        return (found.mue_table, PRACTITIONER)
    return (PRACTITIONER,)
