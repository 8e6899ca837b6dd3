"""One encounter's charge lines by specialty, with the coding problems a coder would catch mixed in."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace

from rvucheck.testing.synthetic.catalog import (
    DX,
    HOSPITAL_INITIAL,
    HOSPITAL_SUBSEQUENT,
    NON_BILLABLE_DX,
    OFFICE_EST,
    OFFICE_EST_APP,
    OFFICE_NEW,
    Provider,
)

PROBLEMS = (
    "missing_25",  # E&M with a minor procedure the same day, no 25
    "em_in_global",  # E&M by the surgeon inside a 090-day post-op window, no 24
    "ncci_no_59",  # an NCCI PTP pair billed without 59/X{EPSU}
    "mue_exceeded",  # units above the MUE
    "bilateral_misuse",  # 50 on a code whose bilateral indicator does not allow it, or 50 with 2 units
    "missing_dx",  # no diagnosis
    "invalid_dx",  # a category header / non-billable ICD-10-CM code
    "duplicate_line",  # the same line twice
    "new_patient_established",  # 99202-99205 for a patient this provider has seen before
    "pc_modifier_invalid",  # 26 on a code with no professional component
)
MINOR_PROCEDURES = {"20610": "knee", "17110": "wart", "69210": "cerumen", "11102": "skin"}
GLOBAL_PROCEDURES = frozenset({*MINOR_PROCEDURES, "11042", "97597", "17000", "20611"})


@dataclass(frozen=True)
class Item:
    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    diagnoses: tuple[str, ...] = ()
    problem: str = ""


@dataclass
class Encounter:
    provider: Provider
    patient: int
    day: dt.date
    pos: str
    items: list[Item] = field(default_factory=list)


def _pick(rng: random.Random, mix: dict[str, float]) -> str:
    return rng.choices(list(mix), list(mix.values()))[0]


def _dx(rng: random.Random, *families: str, count: int = 1) -> tuple[str, ...]:
    pool = [code for family in families for code in DX[family]]
    return tuple(dict.fromkeys(rng.sample(pool, min(count, len(pool)))))


def _office_em(provider: Provider, is_new: bool, rng: random.Random) -> str:
    if is_new:
        return _pick(rng, OFFICE_NEW)
    return _pick(rng, OFFICE_EST_APP if provider.kind == "app" else OFFICE_EST)


def build_encounter(
    provider: Provider,
    patient: int,
    day: dt.date,
    is_new: bool,
    established: bool,
    rng: random.Random,
    problem_rate: float,
) -> Encounter:
    kind = provider.kind
    builder = {
        "fm": _primary_care,
        "app": _primary_care,
        "im": _internal,
        "ortho": _ortho,
        "cards": _cards,
        "derm": _derm,
        "rad": _radiology,
    }[kind]
    encounter = Encounter(provider, patient, day, "11")
    builder(encounter, is_new, rng)
    if rng.random() < problem_rate:
        _inject(encounter, established, rng)
    return encounter


def _with_procedure(
    encounter: Encounter, em: str, dx: tuple[str, ...], code: str, rng: random.Random
) -> None:
    family = MINOR_PROCEDURES.get(code, "knee")
    proc_dx = _dx(rng, family)
    encounter.items.append(Item(em, ("25",), 1, dx))
    modifiers: tuple[str, ...] = (rng.choice(("RT", "LT")),) if code == "20610" else ()
    encounter.items.append(Item(code, modifiers, 1, proc_dx))


def _primary_care(encounter: Encounter, is_new: bool, rng: random.Random) -> None:
    em = _office_em(encounter.provider, is_new, rng)
    dx = _dx(rng, "chronic", "acute", count=rng.randint(1, 3))
    if rng.random() < 0.12:
        _with_procedure(encounter, em, dx, rng.choice(("20610", "17110", "69210", "11102")), rng)
        return
    encounter.items.append(Item(em, (), 1, dx))
    if not is_new and encounter.provider.kind == "fm" and rng.random() < 0.3:
        encounter.items.append(Item("G2211", (), 1, dx[:1]))
    if rng.random() < 0.05 and em != "99211":  # NCCI bundles a nurse visit into the ECG
        encounter.items.append(Item("93000", (), 1, _dx(rng, "cardiac")))


def _internal(encounter: Encounter, is_new: bool, rng: random.Random) -> None:
    if rng.random() < 0.6:
        _primary_care(encounter, is_new, rng)
        return
    encounter.pos = "21"
    dx = _dx(rng, "inpatient", "chronic", count=rng.randint(1, 3))
    roll = rng.random()
    code = (
        _pick(rng, HOSPITAL_INITIAL)
        if roll < 0.25
        else "99238"
        if roll < 0.32
        else _pick(rng, HOSPITAL_SUBSEQUENT)
    )
    encounter.items.append(Item(code, (), 1, dx))


def _ortho(encounter: Encounter, is_new: bool, rng: random.Random) -> None:
    roll = rng.random()
    dx = _dx(rng, "knee", "shoulder")
    if roll < 0.03:
        encounter.pos = "22"
        encounter.items.append(Item("20983", (), 1, _dx(rng, "bone")))
        return
    em = _office_em(encounter.provider, is_new, rng)
    if roll < 0.35:
        _with_procedure(encounter, em, dx, "20610", rng)
    elif roll < 0.45:
        encounter.items.append(Item("20610", (rng.choice(("RT", "LT")),), 1, dx))
    else:
        encounter.items.append(Item(em, (), 1, dx))
    if rng.random() < 0.25:
        encounter.items.append(Item("73562", (rng.choice(("RT", "LT")),), 1, _dx(rng, "knee")))


def _cards(encounter: Encounter, is_new: bool, rng: random.Random) -> None:
    dx = _dx(rng, "cardiac", count=rng.randint(1, 2))
    if rng.random() < 0.3:
        encounter.pos = "21"
        encounter.items.append(
            Item(_pick(rng, HOSPITAL_SUBSEQUENT if not is_new else HOSPITAL_INITIAL), (), 1, dx)
        )
        encounter.items.append(Item(rng.choice(("93306", "93010")), ("26",), 1, dx[:1]))
        if encounter.items[-1].code == "93010":
            encounter.items[-1] = replace(encounter.items[-1], modifiers=())
        return
    encounter.items.append(Item(_office_em(encounter.provider, is_new, rng), (), 1, dx))
    if rng.random() < 0.4:
        encounter.items.append(Item("93000", (), 1, dx[:1]))
    if rng.random() < 0.12:
        encounter.items.append(Item("93306", (), 1, dx[:1]))


def _derm(encounter: Encounter, is_new: bool, rng: random.Random) -> None:
    em = _office_em(encounter.provider, is_new, rng)
    roll = rng.random()
    dx = _dx(rng, "skin")
    if roll < 0.45:
        encounter.items.append(Item(em, (), 1, dx))
        return
    if rng.random() < 0.5:
        encounter.items.append(Item(em, ("25",), 1, dx))
    if roll < 0.65:
        encounter.items.append(Item("11102", (), 1, dx[:1]))
        if rng.random() < 0.4:
            encounter.items.append(Item("11103", (), rng.randint(1, 2), dx[:1]))
    elif roll < 0.85:
        encounter.items.append(Item("17000", (), 1, ("L57.0",)))
        encounter.items.append(Item("17003", (), rng.randint(1, 6), ("L57.0",)))
    elif roll < 0.93:
        encounter.items.append(Item("17110", (), 1, _dx(rng, "wart")))
    else:
        wound = _dx(rng, "wound")
        encounter.items.append(Item("11042", (), 1, wound))
        if rng.random() < 0.5:
            encounter.items.append(Item("11045", (), rng.randint(1, 3), wound))


def _radiology(encounter: Encounter, is_new: bool, rng: random.Random) -> None:
    encounter.pos = rng.choice(("22", "22", "21", "23"))
    code = rng.choices(("71046", "71045", "74177", "70450", "72148", "73562"), (30, 15, 15, 15, 15, 10))[0]
    modifiers: tuple[str, ...] = ("26", rng.choice(("RT", "LT"))) if code == "73562" else ("26",)
    dx = _dx(rng, "knee") if code == "73562" else _dx(rng, "imaging")
    encounter.items.append(Item(code, modifiers, 1, dx))


def _inject(encounter: Encounter, established: bool, rng: random.Random) -> None:
    """Turn a clean encounter into one with a coding problem (labelled on the line at fault)."""
    items = encounter.items
    em_index = next((i for i, it in enumerate(items) if it.code.startswith("992")), None)
    problem = rng.choice(_problem_choices(encounter, established, em_index))
    _plant(problem, encounter, em_index, rng)
    if em_index is not None and any(it.code in GLOBAL_PROCEDURES for it in items[em_index + 1 :]):
        # a coder who adds a minor procedure also adds 25 to the visit: only the planted problem remains
        em = items[em_index]
        if "25" not in em.modifiers and em.problem != "missing_25":
            items[em_index] = replace(em, modifiers=("25", *em.modifiers))


def _problem_choices(encounter: Encounter, established: bool, em_index: int | None) -> list[str]:
    """The problems this encounter can carry, weighted by repetition (missing 25 is the common one)."""
    items = encounter.items
    kind = encounter.provider.kind
    choices = ["missing_dx", "invalid_dx", "duplicate_line"]
    if (
        em_index is not None
        and any(it.code in MINOR_PROCEDURES for it in items)
        and "25" in items[em_index].modifiers
    ):
        choices += ["missing_25"] * 6
    if kind in ("derm", "fm"):
        choices += ["ncci_no_59", "mue_exceeded"]
    if kind in ("rad", "ortho", "fm"):
        choices += ["bilateral_misuse"]
    if kind in ("ortho", "rad"):
        choices += ["mue_exceeded"]
    if established and em_index is not None and encounter.pos == "11" and items[em_index].code[3] == "1":
        choices += ["new_patient_established"]
    if kind in ("fm", "im", "app", "ortho"):
        choices += ["pc_modifier_invalid"]
    return choices


def _plant(problem: str, encounter: Encounter, em_index: int | None, rng: random.Random) -> None:
    """Put `problem` on the visit line (or the first line) or add the line that carries it."""
    items = encounter.items
    kind = encounter.provider.kind
    target = em_index if em_index is not None else 0
    first = items[target]
    if problem == "missing_25":
        items[target] = replace(
            first, modifiers=tuple(m for m in first.modifiers if m != "25"), problem=problem
        )
    elif problem == "missing_dx":
        items[target] = replace(first, diagnoses=(), problem=problem)
    elif problem == "invalid_dx":
        items[target] = replace(
            first, diagnoses=(rng.choice(NON_BILLABLE_DX), *first.diagnoses[1:]), problem=problem
        )
    elif problem == "duplicate_line":
        items[target] = replace(first, problem=problem)
    elif problem == "new_patient_established":
        new_code = {"99211": "99202", "99212": "99202", "99213": "99203", "99214": "99204", "99215": "99205"}
        items[target] = replace(first, code=new_code.get(first.code, "99203"), problem=problem)
    elif problem == "pc_modifier_invalid":
        items[target] = replace(first, modifiers=(*first.modifiers, "26"), problem=problem)
    elif problem == "ncci_no_59":
        if kind == "derm":
            wound = _dx(rng, "wound")
            items += [Item("11042", (), 1, wound), Item("97597", (), 1, wound, problem)]
        else:
            items += [Item("17110", (), 1, _dx(rng, "wart")), Item("11102", (), 1, _dx(rng, "skin"), problem)]
    elif problem == "mue_exceeded":
        code, units = {"derm": ("17110", 2), "fm": ("17110", 2), "ortho": ("20610", 3), "rad": ("71046", 3)}[
            kind
        ]
        modifiers = ("26",) if kind == "rad" else ()
        family = {"17110": "wart", "20610": "knee", "71046": "imaging"}[code]
        items.append(Item(code, modifiers, units, _dx(rng, family), problem))
    elif problem == "bilateral_misuse":
        if kind == "fm":
            items.append(Item("69210", ("50",), 1, _dx(rng, "cerumen"), problem))
        elif kind == "ortho":
            items.append(Item("20610", ("50",), 2, _dx(rng, "knee"), problem))
        else:
            items.append(Item("73562", ("26", "50"), 1, _dx(rng, "knee"), problem))


def postop_items(surgery: Encounter, year: int, month: int, rate: float) -> list[Encounter]:
    """Follow-up visits of a 090-day surgery that fall in (year, month). Decided per surgery, not per month,
    so the months before and after agree on them."""
    local = random.Random(f"postop:{surgery.patient}:{surgery.day.isoformat()}:{surgery.provider.npi}")
    visits = []
    problem_visit = local.randrange(3) if local.random() < max(0.3, rate * 4) else -1
    for number, days_after in enumerate(
        (local.randint(10, 16), local.randint(38, 46), local.randint(75, 85))
    ):
        day = surgery.day + dt.timedelta(days=days_after)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        if (day.year, day.month) != (year, month):
            continue
        dx = ("Z47.1",) if surgery.items[0].code == "27447" else surgery.items[0].diagnoses
        if number == problem_visit:
            item = Item("99213", (), 1, dx, "em_in_global")
        else:
            item = Item("99024", (), 1, dx)
        visits.append(Encounter(surgery.provider, surgery.patient, day, "11", [item]))
    return visits
