"""Lab tests under a national coverage determination (NCD manual 190.12-190.34), judged by their diagnoses
with CMS's lab NCD ICD-10 edit spreadsheet (`ReferenceData.lab_ncds`, `lab_dx_resolution`).

A test on an NCD's list whose line lists no covered diagnosis will be denied as not reasonable and
necessary (or, with a diagnosis the NCD never covers, as never covered). Who pays follows the ABN modifiers:
GA (a signed ABN on file: the beneficiary is liable), GZ (no ABN: denied automatically, the provider is
liable), none (the provider is liable). GX (a voluntary ABN, for services Medicare excludes by statute)
does not shift the liability of a medical-necessity denial, so a line with GX is judged as one without an
ABN modifier. Lines without a diagnosis are left to DX01; without the spreadsheet no test is on a list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import Hit, Kind, params_schema
from rvucheck.model import ChargeLine
from rvucheck.refdata.types import ReferenceData

COVERED, NEVER = 1, 2
ABN_MODIFIERS = ("GA", "GZ")
LAB_NCD_PARAMS = params_schema(
    {
        "found": {"enum": ["not_covered", "never_covered", "any"], "description": "the diagnoses reported"},
        "abn": {"enum": ["none", *ABN_MODIFIERS], "description": "the ABN modifier the line carries"},
    },
    required=("found", "abn"),
)
FIELDS = ("ncd", "ncd_title", "dx_codes", "why")


def lab_ncd(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A test on a lab NCD's list whose diagnoses include none the NCD covers."""
    found, abn = params["found"], params["abn"]
    stake = 0.0 if abn == "GA" else 1.0  # GA: the beneficiary pays; otherwise the practice is not paid
    for position, carried, kind, values in _problems(ctx):
        if carried == abn and found in (kind, "any"):
            yield Hit(position, "diagnoses", values, stake)


Problem = tuple[int, str, str, dict[str, str]]  # line, ABN modifier carried, kind, message values


def _problems(ctx: Context) -> list[Problem]:
    """Every NCD test line of the run without a covered diagnosis (computed once for the LB rules)."""
    if "lab_ncd" not in ctx.memo:
        ref = ctx.ref
        lists: dict[str, bool] = {}  # code -> on some NCD's list (most codes are not lab tests)
        found: list[Problem] = []
        for fact in ctx.run_facts:
            listed = lists.get(fact.code)
            if listed is None:
                listed = lists[fact.code] = bool(ref.lab_ncds(fact.code, None))  # at any date
            if listed and fact.line.diagnoses:
                found += _judge(ref, fact, fact.line)
        ctx.memo["lab_ncd"] = found
    problems: list[Problem] = ctx.memo["lab_ncd"]
    return problems


def _judge(ref: ReferenceData, fact: LineFacts, line: ChargeLine) -> list[Problem]:
    codes = [code.strip().upper() for code in line.diagnoses if code.strip()]
    if not codes:
        return []
    carried = next((m for m in ABN_MODIFIERS if m in line.modifiers), "none")
    for ncd, title in ref.lab_ncds(fact.code, line.dos):
        resolutions = [ref.lab_dx_resolution(ncd, code, line.dos) for code in codes]
        if COVERED in resolutions:
            continue
        never = [code for code, r in zip(codes, resolutions, strict=True) if r == NEVER]
        why = "never covered for this test" if never else "do not support its medical necessity"
        values = {"ncd": ncd, "ncd_title": title, "dx_codes": ", ".join(never or codes), "why": why}
        return [(fact.position, carried, "never_covered" if never else "not_covered", values)]
    return []


KINDS = (Kind("lab_ncd", lab_ncd, FIELDS, LAB_NCD_PARAMS),)
