"""Valid CPT and HCPCS Level II modifier codes, with our own short words (no AMA descriptor text).

Used by the `modifier_valid` kind. Payer-specific modifiers go in a rule's `extra` list rather than here.
Sources: CPT Appendix A modifier list (codes only) and the CMS HCPCS Level II modifier file.
"""

from __future__ import annotations

_CPT = {
    "22": "increased work",
    "23": "unusual anesthesia",
    "24": "unrelated E/M in post-op period",
    "25": "separate E/M same day",
    "26": "professional component",
    "27": "multiple outpatient E/M",
    "32": "mandated service",
    "33": "preventive service",
    "47": "anesthesia by surgeon",
    "50": "bilateral",
    "51": "multiple procedures",
    "52": "reduced service",
    "53": "discontinued",
    "54": "surgical care only",
    "55": "post-op management only",
    "56": "pre-op management only",
    "57": "decision for surgery",
    "58": "staged or related procedure",
    "59": "distinct service",
    "62": "two surgeons",
    "63": "infant under 4 kg",
    "66": "surgical team",
    "73": "discontinued before anesthesia",
    "74": "discontinued after anesthesia",
    "76": "repeat by same physician",
    "77": "repeat by other physician",
    "78": "unplanned return to OR",
    "79": "unrelated procedure in post-op period",
    "80": "assistant surgeon",
    "81": "minimum assistant surgeon",
    "82": "assistant surgeon, no resident",
    "90": "reference lab",
    "91": "repeat lab test",
    "92": "alternative lab platform",
    "93": "audio-only telehealth",
    "95": "synchronous telehealth",
    "96": "habilitative",
    "97": "rehabilitative",
    "99": "multiple modifiers",
    "P1": "anesthesia status 1",
    "P2": "anesthesia status 2",
    "P3": "anesthesia status 3",
    "P4": "anesthesia status 4",
    "P5": "anesthesia status 5",
    "P6": "anesthesia status 6",
    "1P": "performance exclusion: medical",
    "2P": "performance exclusion: patient",
    "3P": "performance exclusion: system",
    "8P": "performance measure not met",
}

# HCPCS Level II modifiers (codes only, grouped; the meaning of each is in CMS's modifier file).
_LEVEL_II = """
A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AD AE AF AG AH AI AJ AK AM AO AP AQ AR AS AT AU AV AW AX AY AZ
BA BL BO BP BR BU CA CB CC CD CE CF CG CH CI CJ CK CL CM CN CO CQ CR CS CT DA
E1 E2 E3 E4 EA EB EC ED EE EJ EK EL EM EP ER ET EX EY
F1 F2 F3 F4 F5 F6 F7 F8 F9 FA FB FC FP FQ FR FS FT FX FY
G0 G1 G2 G3 G4 G5 G6 G7 G8 G9 GA GB GC GE GF GG GH GJ GK GL GM GN GO GP GQ GR GS GT GU GV GW GX GY GZ
H9 HA HB HC HD HE HF HG HH HI HJ HK HL HM HN HO HP HQ HR HS HT HU HV HW HX HY HZ
J1 J2 J3 J4 J5 JA JB JC JD JE JG JK JL JW JZ
K0 K1 K2 K3 K4 KA KB KC KD KE KF KG KH KI KJ KK KL KM KN KO KP KQ KR KS KT KU KV KW KX KY KZ
L1 LC LD LL LM LR LS LT LU M2 MA MB MC MD ME MF MG MH MS N1 N2 N3 NB NR NU
PA PB PC PD PI PL PM PN PO PS PT
Q0 Q1 Q2 Q3 Q4 Q5 Q6 Q7 Q8 Q9 QA QB QC QD QE QF QG QH QJ QK QL QM QN QP QQ QR QS QT QW QX QY QZ
RA RB RC RD RE RI RR RT SA SB SC SD SE SF SG SH SJ SK SL SM SN SQ SS ST SU SV SW SY SZ
T1 T2 T3 T4 T5 T6 T7 T8 T9 TA TB TC TD TE TF TG TH TJ TK TL TM TN TP TQ TR TS TT TU TV TW
U1 U2 U3 U4 U5 U6 U7 U8 U9 UA UB UC UD UE UF UG UH UJ UK UN UP UQ UR US
V1 V2 V3 V4 V5 V6 V7 V8 V9 VM VP X1 X2 X3 X4 X5 XE XP XS XU
"""

_WORDS = {
    "AS": "non-physician assistant at surgery",
    "TC": "technical component",
    "LT": "left side",
    "RT": "right side",
    "XE": "separate encounter",
    "XP": "separate practitioner",
    "XS": "separate structure",
    "XU": "unusual non-overlapping service",
    "GY": "statutorily excluded",
    "GA": "ABN on file",
    "GZ": "expected denial, no ABN",
    "GC": "teaching physician with resident",
    "KX": "requirements met",
    "Q5": "reciprocal billing",
    "Q6": "locum tenens",
    "FS": "split/shared visit",
    "FT": "unrelated E/M",
    "GT": "interactive telehealth",
    "JW": "drug wasted",
    "JZ": "no drug wasted",
}

MODIFIERS: dict[str, str] = {
    **{code: _WORDS.get(code, "HCPCS Level II modifier") for code in _LEVEL_II.split()},
    **_CPT,
}
