"""Places of service: CMS's name of each code, and which ones the PFS pays at the facility rate.

The one copy of this fact: the engine (line setting), `rvucheck code --pos`, and the Excel functions'
setting argument all read it here. Plain Python, not a data file, because the pure engine may not read
files. Source: Medicare Claims Processing Manual ch. 12, s. 20.4.2, and the CMS place-of-service code set.
POS 02 (telehealth other than in the patient's home) is paid at the facility rate; POS 10 (telehealth in
the patient's home) at the non-facility rate since CY2024. Every POS not marked facility here is paid at
the non-facility rate.
"""

from __future__ import annotations

# code -> (name, paid at the facility rate)
PLACES_OF_SERVICE: dict[str, tuple[str, bool]] = {
    "02": ("Telehealth provided other than in patient's home", True),
    "10": ("Telehealth provided in patient's home", False),
    "11": ("Office", False),
    "12": ("Home", False),
    "19": ("Off campus-outpatient hospital", True),
    "20": ("Urgent care facility", False),
    "21": ("Inpatient hospital", True),
    "22": ("On campus-outpatient hospital", True),
    "23": ("Emergency room - hospital", True),
    "24": ("Ambulatory surgical center", True),
    "26": ("Military treatment facility", True),
    "31": ("Skilled nursing facility", True),
    "32": ("Nursing facility", False),
    "34": ("Hospice", True),
    "41": ("Ambulance - land", True),
    "42": ("Ambulance - air or water", True),
    "49": ("Independent clinic", False),
    "51": ("Inpatient psychiatric facility", True),
    "52": ("Psychiatric facility - partial hospitalization", True),
    "53": ("Community mental health center", True),
    "56": ("Psychiatric residential treatment center", True),
    "61": ("Comprehensive inpatient rehabilitation facility", True),
    "81": ("Independent laboratory", False),
}
FACILITY_POS = frozenset(code for code, (_name, facility) in PLACES_OF_SERVICE.items() if facility)


def is_facility_pos(pos: str) -> bool:
    """Whether a place of service ("22", "2", " 21 ") is paid at the PFS facility rate."""
    code = pos.strip()
    return bool(code) and code.zfill(2) in FACILITY_POS


def pos_name(pos: str) -> str:
    code = pos.strip().zfill(2)
    found = PLACES_OF_SERVICE.get(code)
    return found[0] if found else "place of service " + code
