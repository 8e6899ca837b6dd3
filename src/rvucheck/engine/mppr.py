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
- therapy (5): ranked by payment; the pricer halves the practice expense of the lower ones.
A line's `rank` is its place in that order (1 = paid in full); the pricer is told the rank of its family
and whether it is below its endoscopy family's highest. Pure: prices come from the engine's `Pricer`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rvucheck.engine.context import LineFacts

if TYPE_CHECKING:
    from rvucheck.engine.facts import Pricer

# MULT PROC indicators whose lines are ranked together (2 standard surgery, 3 endoscopy share a rank).
MPPR_FAMILY = {"2": "surgery", "3": "surgery", "4": "imaging", "5": "therapy", "6": "cardio", "7": "eye"}
TECHNICAL_FAMILIES = frozenset({"imaging", "cardio", "eye"})
MPPR_STEPS = ("51 multiple procedure", "multiple endoscopy")  # how the pricer's MPPR steps begin
Placed = tuple[LineFacts, int, bool]  # the line, the rank its pricing uses, below its endoscopy family's top


def apply_mppr_ranks(facts: list[LineFacts], pricer: Pricer) -> None:
    """Rank the lines of each patient's day and reprice the lower-ranked ones (the few lines that share a
    day with another procedure of their family)."""
    groups: dict[tuple[str, int, str, str], list[LineFacts]] = defaultdict(list)
    for fact in facts:
        priced = fact.priced
        if priced is None or fact.day < 0 or fact.history:
            continue
        family = MPPR_FAMILY.get(priced.mult_proc)
        if family is not None:
            groups[fact.patient, fact.day, fact.physician, family].append(fact)
    for key, members in groups.items():
        if len(members) < 2:
            continue
        family = key[3]
        if family == "surgery":
            order = surgery_order(members, pricer)
        else:
            technical = family in TECHNICAL_FAMILIES
            ranked = sorted(members, key=lambda f: (-pricer.full_payment(f, technical), f.position))
            order = [(fact, rank, False) for rank, fact in enumerate(ranked, start=1)]
        for rank, (fact, priced_rank, endoscopy) in enumerate(order, start=1):
            if priced_rank == 1 and not endoscopy:
                if rank > 1:
                    facts[fact.position] = fact._replace(rank=rank)
                continue
            if fact.release is None:
                continue
            _work, credited, _total, payment, explanation = pricer.reprice(fact, priced_rank, endoscopy)
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
        value += sum(pricer.reprice(f, 1, True)[3] for f in family[1:])
        valued.append((-value, family[0].position, family))
    valued.sort(key=lambda v: (v[0], v[1]))
    order: list[Placed] = []
    for rank, (_value, _first, family) in enumerate(valued, start=1):
        order.append((family[0], rank, False))
        order.extend((f, rank, True) for f in family[1:])
    return order
