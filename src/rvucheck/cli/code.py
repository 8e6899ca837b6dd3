"""`rvucheck code CODE`: one code's fee-schedule page (RVUs, indicators in words, payment, notes).

Kept light on imports: this command should start in well under half a second.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from rvucheck.cli.common import date_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("code", help="show one code's fee schedule page")
    parser.add_argument("code", help="HCPCS/CPT code, e.g. 20983")
    parser.add_argument(
        "--modifier",
        "-m",
        action="append",
        default=[],
        help="26, TC or 53 (their own CMS rows), or 50/51/62/66/80/81/82/AS/52/54/55/56 "
        "for an adjusted payment; repeat or comma-separate",
    )
    parser.add_argument(
        "--locality", "-l", help='MAC-LOCALITY (01112-05), a locality name, or "county, state" (Dallas, TX)'
    )
    parser.add_argument("--pos", help="place of service (11 office, 22 outpatient hospital, ...)")
    parser.add_argument("--date", help="date of service YYYY-MM-DD (picks the release in effect)")
    parser.add_argument(
        "--qpp", action="store_true", help="use the qualifying APM participant conversion factor"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also the multiple-procedure and global-package payment rules, each with its CMS source",
    )
    parser.add_argument(
        "--units",
        type=float,
        help="units of the line (anesthesia 00100-01999: the minutes, as on the claim): its price as billed",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rvucheck.refdata import open_reference
    from rvucheck.refdata.code_page import lookup

    on = date_option(args.date)
    modifiers = tuple(m for item in args.modifier for m in item.replace(" ", ",").split(",") if m)
    ref = open_reference(getattr(args, "data_dir", None))
    page = lookup(
        ref,
        args.code,
        modifiers,
        args.locality,
        args.pos,
        on,
        args.qpp,
        explain=args.explain,
        units=args.units,
    )
    if args.json:
        print(json.dumps(page, indent=2))
    else:
        print(render(page))
    return 0


def _money(value: float) -> str:
    return f"${value:,.2f}"


def render(page: dict[str, Any]) -> str:
    code = page["hcpcs"] + (f"-{page['modifier']}" if page["modifier"] else "")
    pay = page["payment"]
    lines = [f"{code}  {page['description']}", f"Release {page['release']}  status {page['status_code']}"]
    lines += [
        "",
        f"{'RVUs':<22}{'non-facility':>14}{'facility':>14}",
        f"{'  work':<22}{page['work_rvu']:>14.2f}{page['work_rvu']:>14.2f}",
        f"{'  practice expense':<22}{page['pe_rvu_nonfacility']:>14.2f}{page['pe_rvu_facility']:>14.2f}",
        f"{'  malpractice':<22}{page['mp_rvu']:>14.2f}{page['mp_rvu']:>14.2f}",
        f"{'  total':<22}{page['total_rvu_nonfacility']:>14.2f}{page['total_rvu_facility']:>14.2f}",
        "",
        f"Conversion factor {page['conversion_factor']:.4f} ({page['conversion_factor_variant']})",
    ]
    where = "national"
    if page["locality"]:
        loc = page["locality"]
        gpci = loc["gpci"]
        where = f"{loc['mac']}-{loc['locality']} {loc['name']}"
        lines.append(
            f"Locality {where} ({loc['state']}): GPCI work {gpci['work']:.3f}, "
            f"PE {gpci['pe']:.3f}, MP {gpci['mp']:.3f}"
        )
    outside = _outside_pfs(page)
    if outside:
        lines.append(f"Payment: {outside}")
    else:
        lines += _payment_lines(pay, where)
    if "setting" in page:
        s = page["setting"]
        lines.append(
            f"POS {s['pos']} {s['name']}: {s['rate'].replace('nonfacility', 'non-facility')} rate "
            f"{_money(s['amount'])}"
        )
    if "adjusted" in page:
        lines += _as_billed(page["adjusted"])
    if page.get("anesthesia"):
        an = page["anesthesia"]
        lines.append(
            f"Anesthesia: {an['base_units']:g} base units (CMS CY{an['base_units_year']} base-unit file) + "
            f"1 time unit per 15 minutes, x {an['basis']} ${an['conversion_factor']:g}: "
            f"60 minutes pay {_money(an['one_hour'])} ({an['source']})"
        )
    if page.get("paid_outside_pfs") and not outside:
        from rvucheck.refdata.code_page import paid_elsewhere_text

        lines.append(f"Paid outside the PFS: {paid_elsewhere_text(page['paid_outside_pfs'])}")
    lines.append(f"Global days {page['global_days']}")
    if page["category"] and not outside:
        cat = page["category"]
        lines.append(
            f"Compared with {cat['name']} codes ({cat['count']:,} with work RVUs): "
            f"{_ordinal(cat['percentile'])} percentile, median {cat['median']:.2f}, "
            f"highest {cat['max']:.2f}"
        )
    if page.get("most_billed_by"):
        lines.append(
            "Most billed by: "
            + ", ".join(f"{x['provider_type']} ({x['share']:.0%})" for x in page["most_billed_by"])
        )
    lines += ["", "Indicators:"]
    for item in page["indicators"].values():
        lines.append(f"  {item['label']}: {item['code'] or '-'}  {item['meaning']}")
    if page.get("payment_rules"):
        lines += ["", "Payment rules beside the day's other lines:"]
        for rule in page["payment_rules"]:
            lines += [f"  {rule['rule']}: {rule['applies']}", f"    source: {rule['source']}"]
    lines += ["", "Notes:"] + [f"  - {note}" for note in page["notes"]]
    lines += _documentation(page.get("documentation") or [])
    return "\n".join(lines)


def _as_billed(adj: dict[str, Any]) -> list[str]:
    mods = f"modifier {'+'.join(adj['modifiers'])}" if adj["modifiers"] else "no modifier"
    paid = _money(adj["payment"]) if adj["payment"] is not None else "not priced"
    unit = "minutes" if adj["basis"] == "anesthesia" else "units"
    count = f", {adj['units']:,g} {unit}" if adj["units"] != 1 else ""
    shown = adj["basis"] != "fee schedule" and adj["payment"] is not None
    basis = f" ({adj['basis']})" if shown else ""
    lines = [f"With {mods}{count}: {paid}{basis}"]
    if adj["work_rvu"] is not None:
        lines[0] += f", credited work RVU {adj['work_rvu']:.2f}"
    if "non_participating" in adj:
        lines.append(
            f"  non-participating {_money(adj['non_participating'])}, "
            f"limiting charge {_money(adj['limiting_charge'])}"
        )
    lines += [f"  {m}: {adj['meanings'][m]}" for m in adj["modifiers"]]
    return lines + [f"  - {step}" for step in adj["explanation"]]


PRICED_STATUS = ("A", "R", "T")  # statuses the PFS prices from RVUs


def _outside_pfs(page: dict[str, Any]) -> str | None:
    """What pays a code the PFS gives no RVUs (status X/E/I, e.g. 80053 lab, J1100 drug), else None."""
    from rvucheck.refdata.code_page import paid_elsewhere_text

    if page["total_rvu_nonfacility"] or page["total_rvu_facility"]:
        return None
    paid = page.get("paid_outside_pfs")
    if paid:
        return f"not paid under the physician fee schedule: {paid_elsewhere_text(paid)}"
    status = page["indicators"].get("status_code")
    if status and status["code"] not in PRICED_STATUS:  # e.g. C contractor priced, I not valid for Medicare
        return f"no national fee-schedule amount (status {status['code']}: {status['meaning']})"
    return None


def _payment_lines(pay: dict[str, Any], where: str) -> list[str]:
    lines: list[str] = []
    na_nf = "  (NA: rarely/never done here)" if pay["nonfacility_na"] else ""
    na_f = "  (NA)" if pay["facility_na"] else ""
    cap = " [OPPS cap]" if pay["opps_capped"]["nonfacility"] else ""
    lines.append(
        f"Payment ({where}): non-facility {_money(pay['nonfacility'])}{cap}{na_nf}, "
        f"facility {_money(pay['facility'])}{na_f}"
    )
    nonpar, limit = pay["non_participating"], pay["limiting_charge"]
    lines.append(
        f"Non-participating (95 %): non-facility {_money(nonpar['nonfacility'])}, facility "
        f"{_money(nonpar['facility'])}; limiting charge (115 % of that): non-facility "
        f"{_money(limit['nonfacility'])}, facility {_money(limit['facility'])} "
        f"({pay['non_participating_source']})"
    )
    return lines


def _documentation(items: list[dict[str, Any]]) -> list[str]:
    """The "Billing & Documentation" section: what the note must show, when, and on what authority."""
    if not items:
        return []
    lines = ["", "Billing & Documentation (what the record must show):"]
    for item in items:
        before = f" [{item['before_billing']} before billing]" if item.get("before_billing") else ""
        lines.append(f"  - {item['trigger']}{before}: {item['text']}")
        time = item.get("time")
        if time:
            lines.append(f"    time: {_time_text(time)}")
        lines.append(f"    source: {item['source']}")
    return lines


def _time_text(time: dict[str, Any]) -> str:
    parts = []
    if time.get("minimum") is not None:
        low, high = time["minimum"], time.get("maximum")
        parts.append((f"{low:g}-{high:g}" if high else f"at least {low:g}") + f" minutes ({time['source']})")
    for add_on in time.get("add_ons") or []:
        parts.append(
            f"{add_on['code']} from {add_on['first_unit_at']:g} minutes in total, "
            f"then each further {add_on['each_further']:g}"
        )
    return "; ".join(parts)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
