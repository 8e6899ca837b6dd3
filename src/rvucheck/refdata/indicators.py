"""PFS indicators in words, and billing notes generated from them (never written per code).

Decode tables are package data (data/indicators.toml), condensed from CMS's record-layout documentation.
Places of service (names, facility rate) are in `refdata.pricing.places`, where the pure engine can read them.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from rvucheck.refdata.types import RvuRow

# RvuRow field -> (label shown to the user, decode table)
INDICATOR_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("status_code", "Status code", "status_code"),
    ("pctc_indicator", "PC/TC indicator", "pctc_indicator"),
    ("global_days", "Global surgery days", "global_days"),
    ("mult_proc", "Multiple procedure (51)", "mult_proc"),
    ("bilat_surg", "Bilateral surgery (50)", "bilat_surg"),
    ("asst_surg", "Assistant at surgery (80/81/82/AS)", "asst_surg"),
    ("co_surg", "Co-surgeons (62)", "co_surg"),
    ("team_surg", "Team surgery (66)", "team_surg"),
    ("endo_base", "Endoscopic base code", "endo_base"),
    ("imaging_family", "Diagnostic imaging family", "imaging_family"),
    ("phys_supervision", "Physician supervision of diagnostic procedures", "phys_supervision"),
    ("nonfacility_na", "Non-facility NA indicator", "na_indicator"),
    ("facility_na", "Facility NA indicator", "na_indicator"),
    ("pric_ind", "Pricing indicator (2026)", "pric_ind"),
    ("calc_flag", "Calculation flag", "calc_flag"),
    ("not_used_for_medicare", "Not used for Medicare payment", "not_used_for_medicare"),
)


@cache
def _table(name: str) -> dict[str, Any]:
    text = resources.files("rvucheck.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def meaning(table: str, value: str) -> str:
    decode = _table("indicators.toml").get(table, {})
    if value in decode:
        return str(decode[value])
    if table == "endo_base" and value:
        return f"Endoscopic base code {value}: the family's base procedure"
    if table == "imaging_family" and value.isdigit() and 1 <= int(value) <= 11:
        return "Imaging family (01-11, no longer populated since 2011)"
    if table == "na_indicator" and not value:
        return "Priced in this setting"
    return f"{value or '(blank)'}: not in CMS's documentation of this field"


def decode(row: RvuRow) -> dict[str, dict[str, str]]:
    """Every indicator of a row: {field: {"label", "code", "meaning"}}."""
    out: dict[str, dict[str, str]] = {}
    for field, label, table in INDICATOR_FIELDS:
        value = str(getattr(row, field))
        out[field] = {"label": label, "code": value, "meaning": meaning(table, value)}
    return out


def global_shares(row: RvuRow) -> str | None:
    if row.pre_op + row.intra_op + row.post_op == 0:
        return None
    return (
        f"global package shares: pre-operative {row.pre_op:.0%}, intra-operative {row.intra_op:.0%}, "
        f"post-operative {row.post_op:.0%} (modifiers 56 / 54 = pre + intra / 55)"
    )


GLOBAL_NOTES = {
    "000": [
        "Global 000: pre- and post-operative care on the day of the procedure is included.",
        "An E/M on the same day is separately billable only when significant and separately identifiable, "
        "with modifier 25.",
    ],
    "010": [
        "Global 010: the day of the procedure and 10 days after are included; a same-day E/M needs modifier "
        "25 when significant and separately identifiable.",
        "An unrelated E/M in the 10 days after needs modifier 24; a return to the OR for a complication, 78.",
    ],
    "090": [
        "Global 090: an E/M the day before or the day of surgery that led to the decision for surgery needs "
        "modifier 57.",
        "Post-operative visits for 90 days are included; an unrelated E/M in that window needs modifier 24; "
        "a staged/related procedure 58, an unrelated procedure 79, a return to the OR 78.",
    ],
    "ZZZ": [
        "ZZZ add-on code: bill it with its primary procedure, on the same claim; it is never billed alone "
        "and takes no multiple-procedure reduction."
    ],
    "MMM": ["MMM maternity code: the global obstetric package rules apply, not the surgical global period."],
    "YYY": ["YYY: the contractor sets the global period for this code; ask your MAC."],
    "XXX": ["XXX: the global surgery concept does not apply; no post-operative period."],
}


def billing_notes(row: RvuRow) -> list[str]:
    notes = list(GLOBAL_NOTES.get(row.global_days, []))
    shares = global_shares(row)
    if shares:
        notes.append(shares[0].upper() + shares[1:] + ".")
    notes += _pctc_notes(row)
    notes += _surgery_notes(row)
    if row.status_code != "A":
        notes.append(f"Status {row.status_code}: {meaning('status_code', row.status_code)}.")
    if row.nonfacility_na.strip() == "NA":
        notes.append(
            "Non-facility NA: CMS set no non-facility PE; the non-facility amount shown is the facility one."
        )
    if row.facility_na.strip() == "NA":
        notes.append("Facility NA: CMS set no facility PE for this code.")
    if row.phys_supervision not in ("09", ""):
        notes.append(
            f"Supervision {row.phys_supervision}: {meaning('phys_supervision', row.phys_supervision)}."
        )
    return notes


def _pctc_notes(row: RvuRow) -> list[str]:
    pctc = row.pctc_indicator
    if pctc == "1" and not row.modifier:
        return [
            "PC/TC 1: bill -26 for the interpretation only, -TC for the equipment/staff part only, or no "
            "modifier for both (global) when you own the equipment and read it."
        ]
    if pctc in ("2", "3", "4"):
        return [f"PC/TC {pctc}: {meaning('pctc_indicator', pctc)}."]
    if pctc == "5":
        return ["PC/TC 5: incident-to service; not payable to the physician for hospital patients."]
    return []


def _surgery_notes(row: RvuRow) -> list[str]:
    notes = []
    if row.mult_proc == "2":
        notes.append(
            "Multiple procedures: rank by fee; the highest at 100%, the 2nd-5th at 50% with modifier 51."
        )
    elif row.mult_proc == "3" and row.endo_base:
        notes.append(
            f"Multiple endoscopy: family of base code {row.endo_base}; the base's value is subtracted "
            "from the second and later endoscopies of the same family."
        )
    elif row.mult_proc in ("4", "6", "7"):
        notes.append(f"Multiple procedure {row.mult_proc}: {meaning('mult_proc', row.mult_proc)}.")
    if row.bilat_surg in ("1", "2", "3", "0") and row.global_days in ("000", "010", "090"):
        notes.append(f"Bilateral {row.bilat_surg}: {meaning('bilat_surg', row.bilat_surg)}.")
    if row.asst_surg in ("0", "1", "2"):
        notes.append(f"Assistant {row.asst_surg}: {meaning('asst_surg', row.asst_surg)}.")
    if row.co_surg in ("1", "2"):
        notes.append(f"Co-surgeons {row.co_surg}: {meaning('co_surg', row.co_surg)}.")
    if row.team_surg in ("1", "2"):
        notes.append(f"Team surgery {row.team_surg}: {meaning('team_surg', row.team_surg)}.")
    return notes
