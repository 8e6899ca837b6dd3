"""NCCI kinds: procedure-to-procedure pairs, medically unlikely edits, add-on code edits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from rvucheck.engine.context import Context, LineFacts
from rvucheck.engine.kinds.base import LINKS_LINES, Hit, Kind, modifier_list, params_schema
from rvucheck.refdata.types import Mue, PtpEdit

CONTRACTOR_DEFINED = "CCCCC"


NCCI_PTP_PARAMS = params_schema(
    {
        "modifier_indicator": {"enum": ["0", "1"]},
        "distinct_modifiers": modifier_list(),
        "anatomic_modifiers": modifier_list(),
        "em_modifiers": modifier_list(
            description="bypass when on an E/M column 2 code billed with a procedure (24, 25)"
        ),
        "major_surgery_modifiers": modifier_list(
            description="bypass when on an E/M column 2 code and column 1 has a 090 global period (57)"
        ),
        "procedure_modifiers": modifier_list(
            description="bypass when on a procedure (non-E/M) column 2 code (58, 78, 79)"
        ),
        "lab_modifiers": modifier_list(description="bypass when on a clinical laboratory column 2 code (91)"),
    },
    required=("modifier_indicator",),
)


def ncci_ptp(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """A column 2 code billed with its column 1 code (same patient, date, provider) and not bypassed.

    Modifier indicator 0: never bypassed. 1: bypassed only by an NCCI-associated modifier used where NCCI
    allows it: on a procedure column 2 code 59/XE/XP/XS/XU on either line or different anatomic modifiers
    on the two lines; on an E/M column 2 code (which 59/X never set apart) only 24/25 (`em_modifiers`),
    or 57 when column 1 is a 090-day major procedure (`major_surgery_modifiers`); on a procedure column 2
    code 58/78/79 (`procedure_modifiers`); 91 on a repeated clinical laboratory test (`lab_modifiers`).
    9 edits never apply.
    """
    indicator = params["modifier_indicator"]
    bypass = _Bypass(
        distinct=frozenset(params.get("distinct_modifiers", ())),
        anatomic=frozenset(params.get("anatomic_modifiers", ())),
        em=frozenset(params.get("em_modifiers", ())),
        major=frozenset(params.get("major_surgery_modifiers", ())),
        procedure=frozenset(params.get("procedure_modifiers", ())),
        lab=frozenset(params.get("lab_modifiers", ())),
    )
    for group, edits in ctx.ptp_groups:
        billed = frozenset(f.code for f in group)
        for edit in edits:
            if edit.modifier_indicator != indicator:
                continue
            firsts = [f for f in group if f.code == edit.column1]
            for second in (f for f in group if f.code == edit.column2 and not f.history):
                first = firsts[0]
                if indicator == "1" and any(bypass.applies(first, second) for first in firsts):
                    continue
                values = {
                    "column1": edit.column1,
                    "column2": edit.column2,
                    "modifier_indicator": edit.modifier_indicator,
                    "rationale": edit.rationale,
                    "column1_row": first.line.source.row,
                    "advice": _advice(second, edit, _single(ctx, edit, billed)),
                }
                yield Hit(second.position, "hcpcs" if indicator == "0" else "modifiers", values, 1.0)


EM_ADVICE = (
    "if the visit was significant and separately identifiable, put 25 on the E/M (57 for the decision for "
    "major surgery; 59/XE/XP/XS/XU never set an E/M apart); otherwise remove the E/M line"
)
DISTINCT_ADVICE = (
    "if the services were distinct (other site, session or encounter), add the most specific modifier "
    "(XS/XE/XP/XU before 59, or anatomic modifiers); otherwise "
)
NEVER_ADVICE = "no modifier bypasses this edit: "
# What the column 1 code is to the column 2 code, by the edit's rationale (CMS's PTP file), where that makes
# the column 1 code the one code for both; other rationales (standards of practice, misuse, CPT/CMS
# instruction) say only that the column 2 code is not paid with it.
INCLUDES = {
    "HCPCS/CPT procedure code definition": "its definition includes {column2}",
    "More extensive procedure": "the more extensive procedure, it includes {column2}",
    "CPT Separate procedure definition": "{column2} is a separate procedure, included in it at one session",
}
MUTUALLY_EXCLUSIVE = "Mutually exclusive procedures"


def _single(ctx: Context, edit: PtpEdit, billed: frozenset[str]) -> tuple[str, str] | None:
    return ctx.ref.single_code(edit.column1, edit.column2, billed)


def _advice(second: LineFacts, edit: PtpEdit, single: tuple[str, str] | None) -> str:
    """The fix by pair type (an E/M column 2 code is set apart by 25/57/24 on it, a procedure by 59/X) and
    the one code to bill where one code describes both: a combination's own code (data/single_codes.toml),
    else the column 1 code when the edit's rationale says it includes the column 2 code."""
    if edit.modifier_indicator == "1" and second.em:
        return EM_ADVICE
    if single:
        code, why = single
        alone = f"bill {code} alone ({why}) instead of these lines"
    elif edit.rationale in INCLUDES:
        reason = INCLUDES[edit.rationale].format(column2=edit.column2)
        alone = f"bill {edit.column1} alone ({reason}) and remove the {edit.column2} line"
    elif edit.rationale == MUTUALLY_EXCLUSIVE:
        alone = "bill only the one that was done (mutually exclusive: not done together at one session)"
    else:
        alone = f"remove the {edit.column2} line"
    return (NEVER_ADVICE if edit.modifier_indicator == "0" else DISTINCT_ADVICE) + alone


def is_lab(code: str) -> bool:
    """CPT Pathology and Laboratory codes (80047-89398) and PLA codes (0001U...)."""
    return len(code) == 5 and ((code.isdigit() and code[0] == "8") or (code[:4].isdigit() and code[4] == "U"))


class _Bypass(NamedTuple):
    distinct: frozenset[str]
    anatomic: frozenset[str]
    em: frozenset[str]
    major: frozenset[str]
    procedure: frozenset[str]
    lab: frozenset[str]

    def applies(self, first: LineFacts, second: LineFacts) -> bool:
        mods = second.mods
        if second.em:
            # 59/XE/XP/XS/XU and anatomic modifiers never set an E/M apart, on either line (NCCI Policy
            # Manual ch. I, §E; CPT Appendix A): only 25, 57 and 24 on the E/M do.
            if first.em:  # 24/25/57 set an E/M apart from a procedure, never from another E/M
                return False
            # 25 says the E/M is separate from the procedure; 57 is the decision for major surgery only
            # (Claims Processing Manual ch. 12, §30.6.6.C: not with a 000/010 procedure).
            return bool(mods & self.em) or bool(mods & self.major and first.global_days == "090")
        # 59/X on an E/M column 1 line is itself an error (EM01) and sets nothing apart.
        if (mods if first.em else first.mods | mods) & self.distinct:
            return True
        first_sites, second_sites = first.mods & self.anatomic, mods & self.anatomic
        if second_sites and first_sites and not first_sites & second_sites:
            return True
        if mods & self.procedure:
            return True
        return bool(mods & self.lab and is_lab(second.code))


MAI_MEANINGS_DEFAULT = {
    "1": "line edit: each claim line is judged on its own and the whole line is denied",
    "2": "date of service edit based on policy: an absolute limit, all the day's lines of the code are "
    "denied and appeals do not succeed",
    "3": "date of service edit based on clinical data: all the day's lines of the code are denied, "
    "appealable with documentation of medical necessity",
}


MUE_PARAMS = params_schema(
    {
        "mai": {"type": "array", "minItems": 1, "items": {"enum": ["1", "2", "3"]}},
        "mai_meanings": {
            "type": "object",
            "propertyNames": {"enum": ["1", "2", "3"]},
            "additionalProperties": {"type": "string"},
        },
    },
    required=("mai",),
)


def mue(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """Units above the code's MUE: per line for MAI 1, per patient, date and provider for MAI 2 and 3.

    Over the MUE the whole claim line is denied (MAI 1), or every line of the code that date (MAI 2/3:
    the units of all of them are summed), not only the excess units: each such line is reported.
    """
    mais = frozenset(params["mai"])
    meanings = {**MAI_MEANINGS_DEFAULT, **params.get("mai_meanings", {})}
    for mai in sorted(mais):
        entries = ctx.run_mues.get(mai, [])
        if mai == "1":
            for fact, edit in entries:
                if fact.line.units > edit.units:
                    yield _mue_hit(fact, edit, meanings, fact.line.units, 1)
            continue
        # Date-of-service edits: units summed per patient, date, provider and code. An undated line forms
        # no day with any other (its own units still cannot exceed the day's limit).
        alone = ctx.run_alone
        per_day: defaultdict[tuple[str, int, str, str], list[tuple[LineFacts, Mue]]] = defaultdict(list)
        for entry in entries:
            fact, edit = entry
            if alone[fact.position]:  # most lines are their patient's only line that day
                if fact.line.units > edit.units:
                    yield _mue_hit(fact, edit, meanings, fact.line.units, 1)
            else:
                per_day[fact.patient, fact.day, fact.physician, fact.code].append(entry)
        for group in per_day.values():
            billed = sum(f.line.units for f, _ in group)
            if billed > group[0][1].units:
                for fact, edit in group:
                    yield _mue_hit(fact, edit, meanings, billed, len(group))


def _mue_hit(fact: LineFacts, edit: Mue, meanings: Mapping[str, str], billed: float, lines: int) -> Hit:
    values = {
        "mue": edit.units,
        "mai": edit.mai,
        "mai_meaning": meanings.get(edit.mai, edit.mai),
        "billed": int(billed) if float(billed).is_integer() else billed,
        "lines": lines,
        "rationale": edit.rationale,
    }
    return Hit(fact.position, "units", values, 1.0)


ADDON_PRIMARY_PARAMS = params_schema({"zzz_fallback": {"type": "boolean"}})


def addon_primary(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """An add-on code without an eligible primary code the same day by the same physician.

    Eligible primaries come from the NCCI add-on code edits; where CMS leaves them to contractors
    (type 2/3, "CCCCC"), any other service counts. Codes missing from the AOC file fall back on the PFS
    global days: a ZZZ code needs some other non-ZZZ service that day (`zzz_fallback`).
    """
    fallback = bool(params.get("zzz_fallback", True))
    quarters = ctx.quarters
    # Most codes are not add-ons: remember per (code, quarter) and skip them with one dict lookup.
    not_addon: set[tuple[str, str]] = set()
    for fact in ctx.run_facts:
        key = (fact.code, quarters[fact.day])
        if key in not_addon or not fact.linked:  # without the patient's day no primary can be looked for
            continue
        primaries = ctx.aoc_primaries(fact) if fact.code else None
        if primaries is None and not (fallback and fact.global_days == "ZZZ"):
            if fact.row is None or fact.row.global_days != "ZZZ":
                not_addon.add(key)
            continue
        if primaries is None and not (fallback and fact.global_days == "ZZZ"):
            continue
        # The AOC edit pays an add-on with a primary billed by the same practitioner (NPI), not by a
        # colleague of the same group and specialty.
        others = [
            o
            for o in ctx.same_day_physician(fact)
            if o.position != fact.position and o.physician == fact.physician
        ]
        if primaries is None or CONTRACTOR_DEFINED in primaries or not primaries:
            ok = any(o.global_days != "ZZZ" and o.code != fact.code for o in others)
            listed = "any primary service"
        else:
            ok = any(o.code in primaries for o in others)
            listed = ", ".join(sorted(primaries)[:8]) + (" ..." if len(primaries) > 8 else "")
        if not ok:
            yield Hit(fact.position, "hcpcs", {"primaries": listed}, 1.0)


KINDS = (
    Kind(
        "ncci_ptp",
        ncci_ptp,
        ("column1", "column2", "modifier_indicator", "rationale", "column1_row", "advice"),
        NCCI_PTP_PARAMS,
        needs=LINKS_LINES,
    ),
    Kind(
        "mue",
        mue,
        ("mue", "mai", "mai_meaning", "billed", "lines", "rationale"),
        MUE_PARAMS,
        links=LINKS_LINES,
        links_if=lambda params: bool(set(params["mai"]) - {"1"}),  # MAI 1 is a per-line edit
    ),
    Kind("addon_primary", addon_primary, ("primaries",), ADDON_PRIMARY_PARAMS, needs=LINKS_LINES),
)
