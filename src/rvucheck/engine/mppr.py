"""Multiple-procedure ranks of a patient's day, per the PFS Relative Value File's MULT PROC indicator
(RVU25D.pdf, "Multiple Procedure (Modifier 51)") and Claims Processing Manual ch. 12 s. 40.6.

Lines are grouped by patient + date + physician + payment family of the indicator, then:
- surgery (2, 3): endoscopies sharing an endoscopic base code (ENDO BASE; the base code itself when billed
  with one of them) form a family, collapsed first: its highest at 100 %, every other member at its value
  minus the base's ("the base is included"). Each family, each endoscopy alone and each other procedure is
  then one procedure under the standard rule: ranked by value, 100 % then 50 %. 43239 with 45380 (bases
  43235 and 45378) are two families: the lower pays 50 %, not "43239 minus 43235".
- imaging (4), cardiovascular (6), ophthalmology (7): ranked by the technical-component fee (RVU file:
  "rank the procedures by fee schedule amount for the TC"); the pricer reduces the lower ones' TC.
- therapy (5): per patient + date + group (the export's group / billing provider / TIN column, else the
  practice is one group: run note RD10), across disciplines and providers: the unit with the highest
  practice expense is paid in full, every other unit with its practice expense at 50 % (RVU file,
  indicator 5; Claims Processing Manual ch. 5 s. 10.7, therapy MPPR: "full payment is made for the unit
  or procedure with the highest PE payment").
A line's `rank` is its place in that order (1 = paid in full); the pricer is told the rank of its family
and whether it is below its endoscopy family's highest. Pure: prices come from the engine's `Pricer`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rvucheck.engine.context import LineFacts
from rvucheck.engine.linking import GROUP
from rvucheck.model import ChargeLine, Finding

if TYPE_CHECKING:
    from rvucheck.engine.facts import Pricer

# MULT PROC indicators whose lines are ranked together (2 standard surgery, 3 endoscopy share a rank).
MPPR_FAMILY = {"2": "surgery", "3": "surgery", "4": "imaging", "5": "therapy", "6": "cardio", "7": "eye"}
TECHNICAL_FAMILIES = frozenset({"imaging", "cardio", "eye"})
ONE_GROUP_RULE = "RD10"
MPPR_STEPS = (
    "51 multiple procedure",
    "multiple endoscopy",
    "therapy MPPR",
)  # how the pricer's MPPR steps begin
# the line, the rank its pricing uses, and how: "" plain, "endoscopy" below its endoscopy family's highest,
# "first-full" its first unit at rank 1 and the others at the rank (therapy)
Placed = tuple[LineFacts, int, str]


def apply_mppr_ranks(facts: list[LineFacts], pricer: Pricer) -> None:
    """Rank the lines of each patient's day and reprice the lower-ranked ones (the few lines that share a
    day with another procedure of their family)."""
    groups: dict[tuple[str, int, str, str], list[LineFacts]] = defaultdict(list)
    for fact in facts:
        priced = fact.priced
        if priced is None or fact.day < 0 or fact.history or fact.payment is None:
            continue  # a line not priced (units above LN09's limit) is ranked with no other
        family = MPPR_FAMILY.get(priced.mult_proc)
        if family == "therapy":  # per group (TIN), across disciplines and providers
            groups[fact.patient, fact.day, fact.line.group.strip(), family].append(fact)
        elif family is not None:
            groups[fact.patient, fact.day, fact.physician, family].append(fact)
    for key, members in groups.items():
        family = key[3]
        if len(members) < 2 and (family != "therapy" or members[0].line.units <= 1):
            continue
        if family == "surgery":
            order = surgery_order(members, pricer)
        elif family == "therapy":
            order = therapy_order(members)
        else:
            technical = family in TECHNICAL_FAMILIES
            ranked = sorted(members, key=lambda f: (-pricer.full_payment(f, technical), f.position))
            order = [(fact, rank, "") for rank, fact in enumerate(ranked, start=1)]
        for rank, (fact, priced_rank, how) in enumerate(order, start=1):
            if priced_rank == 1 and not how:
                if rank > 1:
                    facts[fact.position] = fact._replace(rank=rank)
                continue
            if fact.release is None:
                continue
            _work, credited, _total, payment, explanation = pricer.reprice(fact, priced_rank, how)
            full = fact.payment or 0.0
            facts[fact.position] = fact._replace(
                rank=rank,
                credited_work_rvu=credited,
                payment=payment,
                explanation=explanation,
                reduction=round(full - payment, 2),
                basis=basis(explanation, full, payment),
            )


def basis(explanation: tuple[str, ...], full: float, payment: float) -> str:
    """Why a lower-ranked line pays less: the pricer's multiple-procedure steps, and by how much."""
    steps = [s for s in explanation if s.startswith(MPPR_STEPS)]
    return f"{'; '.join(steps)} (${full:,.2f} -> ${payment:,.2f}, -${full - payment:,.2f})"


def endoscopy_family(fact: LineFacts, bases: set[str]) -> str:
    """The endoscopic base of the line's family, or a key of its own when it is in none."""
    row = fact.priced
    assert row is not None
    if row.mult_proc == "3" and row.endo_base:
        return row.endo_base
    return row.hcpcs if row.hcpcs in bases else f"#{fact.position}"


def surgery_order(members: list[LineFacts], pricer: Pricer) -> list[Placed]:
    """The day's procedures in payment order, each endoscopy family collapsed and ranked as one."""
    bases = {
        f.priced.endo_base for f in members if f.priced and f.priced.mult_proc == "3" and f.priced.endo_base
    }
    families: dict[str, list[LineFacts]] = defaultdict(list)
    for fact in members:
        families[endoscopy_family(fact, bases)].append(fact)
    valued = []
    for family in families.values():
        family.sort(key=lambda f: (-pricer.full_payment(f), f.position))
        value = pricer.full_payment(family[0])
        value += sum(pricer.reprice(f, 1, "endoscopy")[3] for f in family[1:])
        valued.append((-value, family[0].position, family))
    valued.sort(key=lambda v: (v[0], v[1]))
    order: list[Placed] = []
    for rank, (_value, _first, family) in enumerate(valued, start=1):
        order.append((family[0], rank, ""))
        order.extend((f, rank, "endoscopy") for f in family[1:])
    return order


def therapy_order(members: list[LineFacts]) -> list[Placed]:
    """Therapy lines by practice-expense RVU per unit (the payment GPCI and CF are the run's): the first
    line's first unit in full, every other unit with half its practice expense."""
    ranked = sorted(members, key=lambda f: (-_pe_rvu(f), f.position))
    first = ranked[0]
    order: list[Placed] = [(first, 2, "first-full") if first.line.units > 1 else (first, 1, "")]
    return order + [(fact, 2, "") for fact in ranked[1:]]


def _pe_rvu(fact: LineFacts) -> float:
    row = fact.priced
    assert row is not None
    return row.pe_rvu_facility if fact.facility else row.pe_rvu_nonfacility


def one_group_note(facts: list[LineFacts], absent: frozenset[str], lines: list[ChargeLine]) -> list[Finding]:
    """RD10, once: the export has no group / billing-provider / TIN column and the therapy MPPR cut a line,
    so every provider's therapy of a patient's day was taken as one group's."""
    if GROUP not in absent or not lines:
        return []
    therapy = any(f.reduction and f.priced and f.priced.mult_proc == "5" for f in facts[: len(lines)])
    if not therapy:
        return []
    return [
        Finding(
            ONE_GROUP_RULE,
            "info",
            "no group / billing provider / TIN column: the therapy multiple-procedure reduction (PE of "
            "every unit after the day's highest at 50%) took all providers' therapy of a patient's day as "
            "one group's; map the group column to apply it per group: --map group=HEADER",
            lines[0].source,
            fix="If the export holds several groups' (TINs') charges, map the group or billing-provider "
            "column (--map group=HEADER) and run the check again.",
        )
    ]
