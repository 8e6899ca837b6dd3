"""One code's fee-schedule page as data: the `rvucheck code` command, the Excel functions and anyone else
who wants "everything about CODE" use `lookup(...)`; the text rendering lives in cli/code.py.

    from rvucheck.refdata import open_reference
    from rvucheck.refdata.code_page import lookup
    page = lookup(open_reference(), "20983", locality="01112-05", pos="11")
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from rvucheck.errors import UnknownCode
from rvucheck.refdata import documentation, indicators
from rvucheck.refdata.modifiers import check_modifiers, modifier_meaning
from rvucheck.refdata.pricing import nonpar, pricer
from rvucheck.refdata.pricing.anesthesia import SOURCE as ANES_SOURCE
from rvucheck.refdata.pricing.anesthesia import anesthesia_cf, is_anesthesia
from rvucheck.refdata.pricing.citations import payment_rules
from rvucheck.refdata.pricing.places import is_facility_pos, pos_name
from rvucheck.refdata.pricing.price import ASP, FEE_SCHEDULE, price
from rvucheck.refdata.reference import Reference
from rvucheck.refdata.types import Locality, RvuRow

CODE_RE = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")
MODIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")
DELETED_STATUS = {"D", "F", "H"}


def find_row(
    ref: Reference, code: str, modifiers: tuple[str, ...] = (), on: dt.date | None = None
) -> pricer.RowChoice:
    """The rows the one pricer prices the code from when billed with `modifiers` (normalised), or
    UnknownCode with a message, the release asked and close matches."""
    hcpcs = code.strip().upper()
    choice = ref.release_for(on)
    if not CODE_RE.match(hcpcs):
        hint = ""
        if choice.release_id and hcpcs.isalnum():
            starting = sorted(c for c in ref.codes(choice.release_id) if c.startswith(hcpcs))[:5]
            hint = f"; codes starting {hcpcs}: {', '.join(starting)}" if starting else ""
        raise UnknownCode(
            f"{code!r} is not a HCPCS/CPT code: codes have 5 characters (e.g. 99213, 0001F, G0438){hint}"
        )
    if not choice.release_id:
        raise UnknownCode(f"{hcpcs}: {choice.note}")
    rows = pricer.choose_rows(ref, choice.release_id, hcpcs, modifiers)
    row = rows.priced
    if row is not None and row.status_code not in DELETED_STATUS:
        return rows
    close = [c for c in close_matches(hcpcs, ref.codes(choice.release_id)) if c != hcpcs]
    hint = f"; close matches: {', '.join(close)}" if close else ""
    if row is not None:
        status = f"status {row.status_code}: {indicators.meaning('status_code', row.status_code)}"
        raise UnknownCode(f"{hcpcs} is deleted in {choice.release_id} ({status}){hint}")
    elsewhere = ref.known_code(hcpcs)
    if elsewhere:
        raise UnknownCode(
            f"{hcpcs} is not in {choice.release_id} (deleted?); it is listed in {elsewhere}{hint}"
        )
    paid = paid_elsewhere(ref, hcpcs, on)
    if paid and (paid["class"] != "drug" or "asp" in paid):
        raise UnknownCode(f"{hcpcs} is {paid_elsewhere_text(paid)}; it has no RVUs")
    raise UnknownCode(f"{hcpcs} is not a code of the fee schedule {choice.release_id}{hint}")


def split_billed(text: str) -> tuple[str, tuple[str, ...]]:
    """ "99213-25" or "99213 25 59" (a code as a claim line shows it) -> ("99213", ("25", "59"))."""
    parts = [p for p in re.split(r"[-\s,]+", text.strip().upper()) if p]
    if len(parts) > 1 and CODE_RE.match(parts[0]) and all(MODIFIER_RE.match(p) for p in parts[1:]):
        return parts[0], tuple(parts[1:])
    return text, ()


def close_matches(code: str, codes: frozenset[str], n: int = 5) -> list[str]:
    """Neighbouring codes of the same family first (20984 -> 20983, 20985, ...), then look-alikes."""
    family = [c for c in codes if c[:3] == code[:3] and c[3:].isdigit() == code[3:].isdigit()]
    if code.isdigit():
        family.sort(key=lambda c: (not c.isdigit(), abs(int(c) - int(code)) if c.isdigit() else 0, c))
    else:
        family.sort()
    found = family[:n]
    for other in difflib.get_close_matches(code, sorted(codes), n=n, cutoff=0.6):
        if len(found) < n and other not in found:
            found.append(other)
    return found


def lookup(
    ref: Reference,
    code: str,
    modifiers: tuple[str, ...] = (),
    locality: str | None = None,
    pos: str | None = None,
    on: dt.date | None = None,
    qpp: bool = False,
    explain: bool = False,
    units: float | None = None,
) -> dict[str, Any]:
    """Everything about one code, with the keys issue 2 lists for `rvucheck code --json`; `explain`: also
    `payment_rules`, the multiple-procedure and global-package rules with their sources; `units` (for
    anesthesia the minutes): the line as billed with them, under `adjusted`."""
    code, billed = split_billed(code)
    mods = pricer.normalise_modifiers((*billed, *modifiers))
    check_modifiers(mods)
    rows = find_row(ref, code, mods, on)
    row = rows.priced
    assert row is not None  # find_row raises otherwise
    place = ref.locality(locality, on) if locality else None
    fees = {s: ref.fee(row, place, facility=(s == "facility"), qpp=qpp) for s in ("nonfacility", "facility")}
    page: dict[str, Any] = {
        **_rvus(row),
        "conversion_factor": ref.conversion_factor(row.release, qpp),
        "conversion_factor_variant": "QPP" if qpp else "non-QPP",
        "payment": {
            "nonfacility": fees["nonfacility"].amount,
            "facility": fees["facility"].amount,
            "nonfacility_na": fees["nonfacility"].na,
            "facility_na": fees["facility"].na,
            "opps_capped": {s: f.opps_capped for s, f in fees.items()},
            "basis": "locality" if place else "national",
            **_nonpar({s: f.amount for s, f in fees.items()}),
        },
        "locality": _locality(place),
        "category": _category(ref, row),
        "indicators": indicators.decode(row),
        "notes": _notes(ref, row, place, ref.release_for(on).note),
        "documentation": documentation_page(rows.row or row, mods, on),
    }
    facility = bool(pos) and is_facility_pos(pos or "")
    if pos:
        setting = "facility" if facility else "nonfacility"
        page["setting"] = {"pos": pos.zfill(2), "name": pos_name(pos), "rate": setting}
        page["setting"]["amount"] = fees[setting].amount
        page["setting"].update(nonpar.amounts(fees[setting].amount))
    if mods or units is not None:  # the line as billed, priced as every face prices it
        page["adjusted"] = _as_billed(ref, row.hcpcs, mods, units, on, place, facility, qpp)
    anes = _anesthesia(ref, row, place, qpp, on)
    if anes:
        page["anesthesia"] = anes
    if explain:
        drug = ref.drug_price(row.hcpcs, on) is not None
        page["payment_rules"] = payment_rules(rows.row or row, drug)
    top = _top_specialties(ref, row.hcpcs)
    if top:
        page["most_billed_by"] = top
    paid = paid_elsewhere(ref, row.hcpcs, on)
    if paid:
        page["paid_outside_pfs"] = paid
    if not row.total_rvu_nonfacility and not row.total_rvu_facility:
        page["category"] = None  # no RVUs: a percentile among PFS codes would say nothing
    return page


def documentation_page(row: RvuRow, mods: tuple[str, ...], on: dt.date | None) -> list[dict[str, Any]]:
    """What the code's documentation must show when billed with `mods`, each with its source, and for a
    time-based code the minutes it claims on that date (data/time_thresholds.toml)."""
    out: list[dict[str, Any]] = []
    for found in documentation.requirements(row, row.hcpcs, frozenset(mods)):
        item: dict[str, Any] = {
            "id": found.id,
            "trigger": found.trigger,
            "text": found.text,
            "source": found.source,
            "before_billing": found.before_billing or None,
        }
        time = _time_claimed(row.hcpcs, documentation.time_family(found.id), on)
        if time:
            item["time"] = time
        out.append(item)
    return out


def _time_claimed(code: str, family: str, on: dt.date | None) -> dict[str, Any] | None:
    """The minutes a code claims on a date, and the time add-ons billed after it (G2212 / 99417 after
    99215, 99292 after 99291) with the total time their first unit needs."""
    table = documentation.time_table(family, on) if family else None
    tables = sorted(
        (t for t in documentation.time_tables() if code in t.first_unit),
        key=lambda t: t.start,
    )
    if on is None:  # without a date: the newest table of each add-on
        tables = list({t.code: t for t in tables}.values())
    else:
        tables = [t for t in tables if t.start <= on and (t.end is None or on <= t.end)]
    add_ons = [
        {"code": t.code, "first_unit_at": t.first_unit[code], "each_further": t.step, "source": t.source}
        for t in tables
    ]
    if (table is None or code not in table.minimum) and not add_ons:
        return None
    return {
        "minimum": table.minimum.get(code) if table else None,
        "maximum": table.maximum.get(code) if table else None,
        "source": table.source if table and code in table.minimum else None,
        "add_ons": add_ons,
    }


def _as_billed(
    ref: Reference,
    code: str,
    mods: tuple[str, ...],
    units: float | None,
    on: dt.date | None,
    place: Locality | None,
    facility: bool,
    qpp: bool,
) -> dict[str, Any]:
    """The line with its modifiers and units (1 when not given) as the one pricing function prices it:
    the amount (None when it is not priced, `explanation` says why) and how it was reached."""
    found = price(ref, code, mods, 1.0 if units is None else units, on=on, locality=place, facility=facility,
                  qpp=qpp)  # fmt: skip
    line = found.line
    billed: dict[str, Any] = {
        "modifiers": list(mods),
        "meanings": {m: modifier_meaning(m) or "not a CPT or HCPCS modifier" for m in mods},
        "setting": "facility" if facility else "nonfacility",
        "units": 1.0 if units is None else units,
        "payment": found.amount,
        "basis": found.basis or "not priced",
    }
    # drugs are billed on assignment only: no non-participating amount nor limiting charge
    if found.amount is not None and found.basis != ASP:
        billed.update(nonpar.amounts(found.amount))
    billed["work_rvu"] = line.credited_work_rvu if line is not None and found.amount is not None else None
    billed["factor"] = line.factor if line is not None and found.basis == FEE_SCHEDULE else None
    billed["explanation"] = list(found.explanation)
    return billed


def _anesthesia(
    ref: Reference, row: RvuRow, place: Locality | None, qpp: bool, on: dt.date | None
) -> dict[str, Any] | None:
    """Base units (with the CMS file's year), the anesthesia CF and what one hour pays, for 00100-01999."""
    found = ref.anesthesia_base_units(row.hcpcs) if is_anesthesia(row.hcpcs) else None
    cf = anesthesia_cf(place, qpp, row.release)
    if found is None or cf is None:
        return None
    hour = price(ref, row.hcpcs, (), 60, on=on, locality=place, qpp=qpp)
    return {
        "base_units": found[0],
        "base_units_year": found[1],
        "conversion_factor": cf[0],
        "basis": cf[1],
        "one_hour": hour.amount,
        "source": ANES_SOURCE,
    }


def _nonpar(fees: dict[str, float]) -> dict[str, Any]:
    """The non-participating amount and limiting charge of each setting's fee (refdata.pricing.nonpar)."""
    per = {s: nonpar.amounts(amount) for s, amount in fees.items()}
    return {
        "non_participating": {s: a["non_participating"] for s, a in per.items()},
        "limiting_charge": {s: a["limiting_charge"] for s, a in per.items()},
        "non_participating_source": nonpar.SOURCE,
    }


def paid_elsewhere(ref: Reference, hcpcs: str, on: dt.date | None) -> dict[str, Any] | None:
    """The fee schedule that pays a code of a class the PFS does not price (refdata.code_classes), with its
    ASP payment limit for a drug the installed ASP file lists; None for codes the PFS prices."""
    found = ref.code_class(hcpcs)
    if found is None:
        return None
    paid: dict[str, Any] = {"class": found.id, "name": found.name, "paid_by": found.paid_by}
    price = ref.drug_price(hcpcs, on)
    if price is not None:
        paid["asp"] = {
            "limit": price.limit,
            "per": price.dosage,
            "file": price.label,
            "effective": [price.effective_from.isoformat(), price.effective_to.isoformat()],
        }
    return paid


def paid_elsewhere_text(paid: dict[str, Any]) -> str:
    """ "a DMEPOS code (...): Medicare pays it under the DMEPOS fee schedule (...)" for pages and errors."""
    text = (
        f"{paid['name']}: {paid['paid_by']}"
        if paid["class"] == "category_ii"
        else (f"{paid['name']}: Medicare pays it under {paid['paid_by']}, not the physician fee schedule")
    )
    asp = paid.get("asp")
    if asp:
        start, end = asp["effective"]
        text += f"; ASP payment limit ${asp['limit']:,.3f} per {asp['per']} ({asp['file']}, {start} to {end})"
    return text


def _rvus(row: RvuRow) -> dict[str, Any]:
    """The row's own fields as CMS publishes them."""
    names = (
        "description", "release", "status_code", "work_rvu", "pe_rvu_nonfacility", "pe_rvu_facility",
        "mp_rvu", "total_rvu_nonfacility", "total_rvu_facility", "global_days", "pre_op", "intra_op",
        "post_op",
    )  # fmt: skip
    return {"hcpcs": row.hcpcs, "modifier": row.modifier or None, **{n: getattr(row, n) for n in names}}


def _locality(place: Locality | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {
        "mac": place.mac,
        "locality": place.locality,
        "name": place.name,
        "state": place.state,
        "gpci": {"work": place.work_gpci, "pe": place.pe_gpci, "mp": place.mp_gpci},
    }


def _category(ref: Reference, row: RvuRow) -> dict[str, Any] | None:
    stats = ref.category(ref.row(row.release, row.hcpcs) or row)
    if stats is None:
        return None
    return {
        "name": stats.name,
        "percentile": stats.percentile,
        "median": stats.median,
        "max": stats.max,
        "count": stats.count,
    }


def _notes(ref: Reference, row: RvuRow, place: Locality | None, release_note: str | None) -> list[str]:
    """The release note, the billing notes of the indicators, what a locality adds (OPPS cap, anesthesia)."""
    notes = [release_note] if release_note else []
    notes += indicators.billing_notes(row)
    if place is not None and row.status_code == "C":
        cap = ref.opps_cap(row, place)
        if cap:
            notes.append(
                f"Contractor priced; the OPPS cap at this locality is ${cap[0]:,.2f} non-facility, "
                f"${cap[1]:,.2f} facility: the contractor's price cannot exceed it."
            )
    if row.status_code == "J" and place is not None and place.anes_cf:
        notes.append(
            f"Anesthesia: paid as (base units + time units) x the locality's anesthesia CF "
            f"${place.anes_cf:.2f} (non-QPP), not from RVUs."
        )
    return notes


def _top_specialties(ref: Reference, hcpcs: str) -> list[dict[str, Any]] | None:
    """Provider types billing the code most, from the benchmarks datasets when installed."""
    from rvucheck.refdata.benchmarks.lookup import (
        Benchmarks,  # only once a page is found: keeps start-up light
    )

    benchmarks = Benchmarks.open(ref.store)
    if benchmarks is None:
        return None
    found = benchmarks.top_specialties(hcpcs, 3)
    return [
        {
            "provider_type": s.provider_type,
            "specialty_code": s.specialty_code,
            "share": round(s.share, 4),
            "services": s.services,
        }
        for s in found
    ] or None
