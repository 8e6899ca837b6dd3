"""The E/M vocabulary: which codes are evaluation and management services, and their leveled families.

One home for the engine (is a line an E/M?) and the audit (E/M level mix per family). Pure data and
functions: no imports beyond the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass

# CPT E/M section codes (office, hospital, consults, ED, nursing facility, home, prolonged, ...).
EM_FIRST, EM_LAST = "99202", "99499"


def is_em(code: str) -> bool:
    return len(code) == 5 and code.isdigit() and EM_FIRST <= code <= EM_LAST


@dataclass(frozen=True)
class EmFamily:
    key: str  # the benchmark category name (office_new, initial_hospital, ...)
    label: str
    codes: tuple[str, ...]  # lowest level first
    high_codes: tuple[str, ...]


def _family(key: str, label: str, codes: tuple[str, ...]) -> EmFamily:
    high = codes[-2:] if len(codes) >= 4 else codes[-1:]
    return EmFamily(key, label, codes, high)


# The leveled E&M families of the 2023+ CPT E&M framework (observation folded into hospital care).
EM_FAMILIES: tuple[EmFamily, ...] = (
    _family("office_new", "Office new patient", ("99202", "99203", "99204", "99205")),
    _family("office_established", "Office established", ("99211", "99212", "99213", "99214", "99215")),
    _family("initial_hospital", "Initial hospital/observation", ("99221", "99222", "99223")),
    _family("subsequent_hospital", "Subsequent hospital/observation", ("99231", "99232", "99233")),
    _family("emergency", "Emergency department", ("99281", "99282", "99283", "99284", "99285")),
    _family("office_consult", "Office consultation", ("99242", "99243", "99244", "99245")),
    _family("inpatient_consult", "Inpatient consultation", ("99252", "99253", "99254", "99255")),
    _family("nursing_initial", "Nursing facility initial", ("99304", "99305", "99306")),
    _family("nursing_subsequent", "Nursing facility subsequent", ("99307", "99308", "99309", "99310")),
    _family("home_new", "Home/residence new", ("99341", "99342", "99344", "99345")),
    _family("home_established", "Home/residence established", ("99347", "99348", "99349", "99350")),
)
FAMILY_OF_CODE: dict[str, EmFamily] = {code: fam for fam in EM_FAMILIES for code in fam.codes}
NEW_PATIENT_CODES = frozenset(EM_FAMILIES[0].codes + EM_FAMILIES[9].codes)
