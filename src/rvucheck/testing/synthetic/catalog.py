"""What the synthetic practice looks like: providers, E&M level mixes, procedures, diagnoses, payers, fees.

All names, NPIs, patients and charges are made up. Codes are real CPT/HCPCS codes and ICD-10-CM codes that
exist (checked against simple-icd-10-cm in the tests); the chargemaster amounts are invented, as every
practice's are.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    name: str
    npi: str
    specialty_code: str  # CMS Medicare specialty code
    specialty_name: str
    kind: str  # which encounter templates apply: fm, im, ortho, cards, derm, rad, app
    weight: float  # share of the practice's encounters

    @property
    def specialty(self) -> str:
        return f"{self.specialty_code} {self.specialty_name}"


def _npi(base: str) -> str:
    """A 10-digit NPI with a valid Luhn check digit (prefix 80840, as the NPI standard says). Made up."""
    digits = "80840" + base
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return base + str((10 - total % 10) % 10)


DEFAULT_PROVIDERS: tuple[Provider, ...] = (
    Provider("Alvarez, Maria MD", _npi("124000101"), "08", "Family Practice", "fm", 0.17),
    Provider("Chen, David DO", _npi("124000202"), "08", "Family Practice", "fm", 0.15),
    Provider("Okafor, Grace MD", _npi("124000303"), "11", "Internal Medicine", "im", 0.15),
    Provider("Patel, Raj MD", _npi("124000404"), "20", "Orthopedic Surgery", "ortho", 0.12),
    Provider("Nguyen, Linh MD", _npi("124000505"), "06", "Cardiology", "cards", 0.10),
    Provider("Brooks, Hannah MD", _npi("124000606"), "07", "Dermatology", "derm", 0.10),
    Provider("Kim, Samuel MD", _npi("124000707"), "30", "Diagnostic Radiology", "rad", 0.10),
    Provider("Rivera, Jordan PA-C", _npi("124000808"), "97", "Physician Assistant", "app", 0.06),
    Provider("Foster, Emily NP", _npi("124000909"), "50", "Nurse Practitioner", "app", 0.05),
)

# E&M level mixes (share of visits) close to published Medicare utilisation for these specialties.
OFFICE_NEW = {"99202": 0.05, "99203": 0.38, "99204": 0.45, "99205": 0.12}
OFFICE_EST = {"99211": 0.02, "99212": 0.08, "99213": 0.43, "99214": 0.40, "99215": 0.07}
OFFICE_EST_APP = {"99211": 0.03, "99212": 0.14, "99213": 0.55, "99214": 0.26, "99215": 0.02}
HOSPITAL_INITIAL = {"99221": 0.12, "99222": 0.33, "99223": 0.55}
HOSPITAL_SUBSEQUENT = {"99231": 0.15, "99232": 0.55, "99233": 0.30}

# Diagnoses by reason for visit (ICD-10-CM, billable leaf codes).
DX = {
    "chronic": (
        "I10",
        "E11.9",
        "E11.65",
        "E78.5",
        "E78.2",
        "K21.9",
        "F41.1",
        "J45.909",
        "E66.9",
        "E03.9",
        "N18.30",
        "I11.9",
        "D64.9",
    ),
    "acute": ("J06.9", "R05.9", "N39.0", "R10.9", "M54.50", "M54.2", "J18.9", "R07.9"),
    "preventive": ("Z00.00", "Z00.01", "Z23"),
    "knee": ("M17.11", "M17.12", "M25.561", "M25.562", "S83.241A", "S83.231A", "M23.221"),
    "shoulder": ("M75.101", "M75.41", "M65.331"),
    "cardiac": ("I25.10", "I48.91", "I50.9", "R07.89", "R00.2", "I35.0", "R01.1", "R94.31"),
    "skin": ("L82.1", "L57.0", "D48.5", "L72.0", "D22.5", "C44.311", "L30.9"),
    "wart": ("B07.8", "B07.9"),
    "wound": ("L97.412", "L97.419", "E11.621", "L98.8"),
    "cerumen": ("H61.21", "H61.23"),
    "imaging": (
        "R91.8",
        "R93.89",
        "C34.90",
        "R06.02",
        "N20.0",
        "K80.20",
        "G44.209",
        "M48.061",
        "M51.16",
        "S06.0X0A",
    ),
    "bone": ("C79.51", "M87.051"),
    "postop": ("Z96.651", "Z47.1"),
    "inpatient": ("A41.9", "I21.4", "J44.1", "N17.9", "I50.9", "J18.9"),
}
# Category headers and non-leaf codes a coder might type (not billable): the "invalid dx" problem.
NON_BILLABLE_DX = ("E11", "M17.1", "I25.1", "M54.5", "N18.3")

PAYERS = (
    ("Medicare Part B", 0.58),
    ("Medicare Advantage - Humana", 0.14),
    ("Aetna Medicare", 0.06),
    ("BCBS PPO", 0.12),
    ("State Medicaid", 0.10),
)

# Practice chargemaster (made-up amounts, roughly 2-3x Medicare as practices set them).
FEES = {
    "99202": 120,
    "99203": 185,
    "99204": 280,
    "99205": 365,
    "99211": 45,
    "99212": 95,
    "99213": 150,
    "99214": 220,
    "99215": 300,
    "99221": 230,
    "99222": 330,
    "99223": 440,
    "99231": 120,
    "99232": 180,
    "99233": 260,
    "99238": 190,
    "99024": 0,
    "G2211": 40,
    "20610": 180,
    "20611": 240,
    "11042": 210,
    "11045": 80,
    "97597": 150,
    "29881": 1850,
    "27447": 4200,
    "17110": 160,
    "17000": 120,
    "17003": 20,
    "93000": 60,
    "93010": 25,
    "93306": 620,
    "71046": 95,
    "71045": 80,
    "74177": 850,
    "70450": 420,
    "72148": 780,
    "73562": 110,
    "20983": 9500,
    "11102": 190,
    "11103": 90,
    "69210": 95,
    "20552": 140,
}
