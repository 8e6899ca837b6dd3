"""The multiple-procedure and global-package payment rules a code is subject to, each with its CMS source:
what `rvucheck code CODE --explain` prints. The percentages are the ones `adjustments` applies; the
texts name where CMS publishes them (the PFS Relative Value File documentation, RVU25D.pdf / RVU26*.pdf,
"Multiple Procedure (Modifier 51)", and Medicare Claims Processing Manual, Pub. 100-04, ch. 12).

Which section numbers were confirmed in a stored copy of the manual (docs/payment-rules.md, "Sources"):
ch. 5 s. 10.7 (therapy MPPR), ch. 12 s. 50 / 50.G and 140.3.2 (anesthesia), ch. 17 s. 20 and s. 40 (drugs,
discarded amounts). Ch. 12 s. 40.6 (multiple surgery and endoscopy) and s. 40.4 (modifier 78) are cited
from memory: no stored copy of their table of contents was found.
"""

from __future__ import annotations

from rvucheck.refdata.pricing.anesthesia import is_anesthesia
from rvucheck.refdata.types import RvuRow

RVU_DOC = "PFS Relative Value File documentation (RVU25D.pdf), MULT PROC indicator {}"
CPM_THERAPY = (
    "Medicare Claims Processing Manual ch. 5 s. 10.7 (multiple procedure payment reductions for outpatient "
    "rehabilitation services: multiple units as well as multiple procedures)"
)
CPM_MULTIPLE = "Medicare Claims Processing Manual ch. 12 s. 40.6"
MULTIPLE: dict[str, str] = {
    "1": "ranked by fee with the day's procedures of indicator 1-3: 100%, 50%, then 25% (pre-1995 rule)",
    "2": "ranked by fee with the day's procedures of indicator 1-3: 100%, then 50% each (6th+ by report)",
    "3": (
        "multiple endoscopy: with an endoscopy of the same family (ENDO BASE {base}), the highest pays "
        "100% and each other its fee minus the base's (the base itself is included); the family is then "
        "ranked with the day's other procedures as one procedure (100%, then 50%)"
    ),
    "4": (
        "diagnostic imaging: ranked by the technical-component fee; the 2nd and later pay the TC at 50% "
        "and, read by the same physician, the PC at 95%"
    ),
    "5": (
        "therapy: per patient per day per group (TIN), across disciplines and providers, the unit with the "
        "highest practice expense is paid in full and every other unit with its PE at 50% (work and "
        "malpractice in full)"
    ),
    "6": (
        "diagnostic cardiovascular: ranked by the TC fee; the 2nd and later pay the TC at 75% "
        "(a global-test-only code: only its technical part)"
    ),
    "7": "diagnostic ophthalmology: ranked by the TC fee; the 2nd and later pay the TC at 80%",
}
GLOBAL_SHARES = (
    "54 / 55 / 56 pay the pre+intra / post / pre share; 78 (unplanned return to the operating room) pays "
    "the intra-operative share {intra:.0%}",
    "RVU file PRE OP / INTRA OP / POST OP percentages; Claims Processing Manual ch. 12 s. 40.4 "
    "(modifier 78: the intra-operative share)",
)


ANESTHESIA = {
    "rule": "anesthesia (base units + time units) x the anesthesia conversion factor",
    "applies": (
        "the minutes in the units field, one time unit per 15 minutes to one decimal (none for AD nor "
        "01995/01996); AA/QZ 100%, QK/QX/QY 50%; a line without a plausible time is not priced (AN01, AN02)"
    ),
    "source": (
        "Medicare Claims Processing Manual ch. 12 s. 50 (s. 50.G anesthesia time) and s. 140.3.2; "
        "42 CFR 414.46; CMS anesthesia base units (CY2022 file) and the ANES conversion factors"
    ),
}
DRUG = {
    "rule": "Part B drug: ASP payment allowance limit x units",
    "applies": (
        "the limit per billing unit of the ASP quarter of the date (106% of ASP) times the units; JW "
        "(discarded amount, its own line) paid alike, JZ none discarded"
    ),
    "source": (
        "Social Security Act s. 1847A; Medicare Claims Processing Manual ch. 17 s. 20 (payment allowance "
        "limit) and s. 40 (discarded drugs and biologicals)"
    ),
}


def payment_rules(row: RvuRow, drug: bool = False) -> list[dict[str, str]]:
    """The payment rules for lines of `row`'s code beside others of the day, each with its source;
    `drug`: the code is a Part B drug priced from the ASP file."""
    rules = [dict(ANESTHESIA)] if is_anesthesia(row.hcpcs) else []
    if drug:
        rules.append(dict(DRUG))
    text = MULTIPLE.get(row.mult_proc)
    if text is not None:
        rules.append(
            {
                "rule": f"multiple procedures (MULT PROC {row.mult_proc})",
                "applies": text.format(base=row.endo_base or row.hcpcs),
                "source": f"{RVU_DOC.format(row.mult_proc)}; "
                + (CPM_THERAPY if row.mult_proc == "5" else CPM_MULTIPLE),
            }
        )
    if row.pre_op + row.intra_op + row.post_op > 0:
        rules.append(
            {
                "rule": "global package split and modifier 78",
                "applies": GLOBAL_SHARES[0].format(intra=row.intra_op),
                "source": GLOBAL_SHARES[1],
            }
        )
    return rules
