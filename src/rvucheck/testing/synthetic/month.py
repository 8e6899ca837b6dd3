"""Realistic synthetic charge months: the sample workbook, the benchmarks and the audit's multi-month tests.

    lines = generate_month(2026, 10, 2000, seed=10)
    write_xlsx(lines, "charges.xlsx", year=2026, month=10)

A practice of family medicine, internal medicine, orthopedics, cardiology, dermatology, radiology (reading
with 26) and a PA/NP, seeing patients from one shared pool. The pool and each patient's relationship with each
provider depend only on `pool_seed`, so consecutive months (each with its own `seed`) share patients:
a knee replacement in September has its post-op visits in October, and an October "new patient" visit for a
patient seen in September is the new-patient problem. About `problem_rate` of the encounters carry one of
the coding problems a coder looks for; each line names its problem in `SyntheticLine.problem`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rvucheck.model import CellRef, ChargeLine
from rvucheck.testing.synthetic.catalog import DEFAULT_PROVIDERS, FEES, PAYERS, Provider
from rvucheck.testing.synthetic.encounters import PROBLEMS, Encounter, Item, build_encounter, postop_items
from rvucheck.testing.synthetic.write import write_csv, write_xlsx

__all__ = ["PROBLEMS", "PatientPool", "SyntheticLine", "generate_month", "write_csv", "write_xlsx"]
FIRST_MONTH = (2021, 1)  # relationships start between here and LAST_MONTH
LAST_MONTH = (2028, 12)


@dataclass(frozen=True)
class SyntheticLine:
    claim: str
    patient: str
    dos: dt.date
    provider: str
    npi: str
    specialty: str
    pos: str
    hcpcs: str
    modifiers: tuple[str, ...]
    units: float
    diagnoses: tuple[str, ...]
    charge: float
    payer: str
    posted: dt.date
    problem: str = ""  # "" or one of PROBLEMS: the coding problem this line was generated with


@dataclass(frozen=True)
class PatientPool:
    """Patients of the practice, the same for every month generated with the same pool seed and size."""

    seed: int
    size: int

    def patient_id(self, index: int) -> str:
        return f"MRN{(index * 7919 + self.seed * 104729) % 9_000_000 + 1_000_000:07d}"

    def payer(self, index: int) -> str:
        rng = random.Random(f"{self.seed}:payer:{index}")
        return rng.choices([p for p, _ in PAYERS], [w for _, w in PAYERS])[0]

    def relationship_start(self, index: int, provider: Provider) -> tuple[int, int]:
        """The month this patient first sees this provider (new-patient visit then; established after)."""
        rng = random.Random(f"{self.seed}:since:{index}:{provider.npi}")
        months = (LAST_MONTH[0] - FIRST_MONTH[0]) * 12 + LAST_MONTH[1] - FIRST_MONTH[1]
        offset = rng.randrange(months + 1)
        return FIRST_MONTH[0] + (FIRST_MONTH[1] - 1 + offset) // 12, (FIRST_MONTH[1] - 1 + offset) % 12 + 1


def default_pool_size(n_lines: int) -> int:
    return max(400, n_lines // 2)


def generate_month(
    year: int,
    month: int,
    n_lines: int,
    seed: int,
    providers: Sequence[Provider] = DEFAULT_PROVIDERS,
    pool_seed: int = 2026,
    pool_size: int | None = None,
    problem_rate: float = 0.09,
) -> list[SyntheticLine]:
    """About `n_lines` charge lines (exactly n_lines: the last encounter is cut to fit) for one month."""
    pool = PatientPool(pool_seed, pool_size or default_pool_size(n_lines))
    rng = random.Random(f"{seed}:{year}:{month}")
    days = calendar.monthrange(year, month)[1]
    workdays = [dt.date(year, month, d) for d in range(1, days + 1) if dt.date(year, month, d).weekday() < 5]
    encounters: list[Encounter] = []
    count = 0
    # post-op care of surgery from this and the two previous months (cross-month global windows)
    for surgery in _surgeries(pool, year, month, n_lines, providers) + _previous_surgeries(
        pool, year, month, n_lines, providers
    ):
        for encounter in postop_items(surgery, year, month, problem_rate):
            encounters.append(encounter)
            count += len(encounter.items)
    for surgery in _surgeries(pool, year, month, n_lines, providers):
        encounters.append(surgery)
        count += len(surgery.items)
    weights = [p.weight for p in providers]
    seen_this_month: dict[tuple[int, str], bool] = {}
    visits: set[tuple[int, str, dt.date]] = {(e.patient, e.provider.npi, e.day) for e in encounters}
    while count < n_lines:
        provider = rng.choices(list(providers), weights)[0]
        index = rng.randrange(pool.size)
        start = pool.relationship_start(index, provider)
        if start > (year, month) and provider.kind != "rad":
            continue  # not yet this provider's patient
        day = (
            rng.choice(workdays)
            if provider.kind != "im" or rng.random() < 0.6
            else dt.date(year, month, rng.randint(1, days))
        )
        if (index, provider.npi, day) in visits:
            continue  # one encounter per patient, provider and day: a second would merge into the first
        if start == (year, month) and (index, provider.npi) in seen_this_month:
            continue  # the first month of care holds only the new-patient visit: others could predate it
        is_new = start == (year, month)
        seen_this_month[(index, provider.npi)] = True
        visits.add((index, provider.npi, day))
        established = start < (year, month)
        encounter = build_encounter(provider, index, day, is_new, established, rng, problem_rate)
        encounters.append(encounter)
        count += len(encounter.items)
    return _to_lines(encounters, pool, year, month, rng)[:n_lines]


def _surgeries(
    pool: PatientPool, year: int, month: int, n_lines: int, providers: Sequence[Provider]
) -> list[Encounter]:
    """This month's 090-day surgeries; a pure function of (pool, month, size) so next month can find them."""
    surgeons = [p for p in providers if p.kind == "ortho"]
    if not surgeons:
        return []
    rng = random.Random(f"{pool.seed}:surgery:{year}:{month}:{n_lines}")
    days = calendar.monthrange(year, month)[1]
    out = []
    for _ in range(max(2, n_lines // 250)):
        surgeon = rng.choice(surgeons)
        index = rng.randrange(pool.size)
        day = dt.date(year, month, rng.randint(1, days))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        if day.month != month:
            day = dt.date(year, month, 1) + dt.timedelta(days=(7 - dt.date(year, month, 1).weekday()) % 7)
        code, pos = rng.choice((("27447", "21"), ("29881", "22"), ("29881", "24"), ("27447", "21")))
        side = rng.choice(("RT", "LT"))
        dx = "M17.11" if side == "RT" else "M17.12"
        if code == "29881":
            dx = "S83.241A" if side == "RT" else "S83.231A"
        out.append(Encounter(surgeon, index, day, pos, [Item(code, (side,), 1, (dx,))]))
    return out


def _previous_surgeries(
    pool: PatientPool, year: int, month: int, n_lines: int, providers: Sequence[Provider]
) -> list[Encounter]:
    out = []
    for back in (1, 2):
        prev_year, prev_month = (year, month - back) if month > back else (year - 1, month - back + 12)
        out.extend(_surgeries(pool, prev_year, prev_month, n_lines, providers))
    return out


def _to_lines(
    encounters: list[Encounter], pool: PatientPool, year: int, month: int, rng: random.Random
) -> list[SyntheticLine]:
    encounters.sort(key=lambda e: (e.day, e.provider.name, e.patient))
    lines: list[SyntheticLine] = []
    for number, encounter in enumerate(encounters, start=1):
        claim = f"E{year % 100:02d}{month:02d}{number:06d}"
        lag = rng.choice((1, 1, 2, 2, 3, 4, 5, 7)) if rng.random() > 0.05 else rng.randint(30, 75)
        posted = encounter.day + dt.timedelta(days=lag)
        for item in encounter.items:
            base_fee = FEES.get(item.code, 100)
            fee = base_fee * (0.35 if "26" in item.modifiers else 1.0)
            line = SyntheticLine(
                claim=claim,
                patient=pool.patient_id(encounter.patient),
                dos=encounter.day,
                provider=encounter.provider.name,
                npi=encounter.provider.npi,
                specialty=encounter.provider.specialty,
                pos=encounter.pos,
                hcpcs=item.code,
                modifiers=item.modifiers,
                units=float(item.units),
                diagnoses=item.diagnoses,
                charge=round(fee * item.units, 2),
                payer=pool.payer(encounter.patient),
                posted=posted,
                problem=item.problem,
            )
            lines.append(line)
            if item.problem == "duplicate_line":
                lines.append(replace(line))
    return lines


def as_charge_line(
    line: SyntheticLine, source: CellRef, columns: tuple[tuple[str, int], ...] = ()
) -> ChargeLine:
    """The ChargeLine the reader would make of a synthetic line (every field the CSV writer writes)."""
    return ChargeLine(
        source=source,
        hcpcs=line.hcpcs,
        modifiers=line.modifiers,
        units=line.units,
        dos=line.dos,
        provider=line.provider,
        provider_npi=line.npi,
        specialty=line.specialty,
        patient=line.patient,
        diagnoses=line.diagnoses,
        pos=line.pos,
        charge=line.charge,
        payer=line.payer,
        claim=line.claim,
        posted=line.posted,
        columns=columns,
    )
