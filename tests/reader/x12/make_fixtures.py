"""Writes tests/fixtures/x12/*.837: X12 005010X222A1 837P files whose every value is MADE UP (names, member
ids, NPIs, claim ids, payers): run `python tests/reader/x12/make_fixtures.py` after changing a claim below.

Each file is valid for pyx12 4.0.0 (its 837P map) except malformed.837, whose bad claims are the point."""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "x12"


def npi(stem: str) -> str:
    """A made-up 9-digit stem + its Luhn check digit (with CMS's 80840 prefix), as a real NPI has."""
    digits = [int(c) for c in "80840" + stem]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return stem + str((10 - total % 10) % 10)


BILLING, RENDER_A, RENDER_B = npi("123456789"), npi("198765432"), npi("155555555")


def isa(control: int, element: str = "*", component: str = ":", repetition: str = "^") -> str:
    e = element
    parts = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        "SUBMITTER01".ljust(15),
        "ZZ",
        "RECEIVER01".ljust(15),
        "251201",
        "1200",
        repetition,
        "00501",
        f"{control:09d}",
        "0",
        "T",
        component,
    ]
    text = e.join(parts)
    assert len(text) == 105, len(text)
    return text


def transaction(st: str, claims: list[str]) -> list[str]:
    """ST..SE around the submitter/receiver and the HL loops + claims given (segments without ST/SE)."""
    body = [
        f"BHT*0019*00*BATCH{st}*20251201*1200*CH",
        "NM1*41*2*MADE UP BILLING SERVICE*****46*SUB0001",
        "PER*IC*MADE UP CONTACT*TE*5555550100",
        "NM1*40*2*MADE UP CLEARINGHOUSE*****46*RCV0001",
    ]
    body.extend(claims)
    segments = [f"ST*837*{st}*005010X222A1", *body]
    segments.append(f"SE*{len(segments) + 1}*{st}")
    return segments


def billing(hl: int = 1) -> list[str]:
    return [
        f"HL*{hl}**20*1",
        "PRV*BI*PXC*207Q00000X",
        f"NM1*85*2*MADE UP FAMILY PRACTICE*****XX*{BILLING}",
        "N3*1 MADE UP STREET",
        "N4*NOWHERE*MN*550000000",
        "REF*EI*000000000",
    ]


def subscriber(
    hl: int, parent: int, member: str, children: bool, payer: str = "MADE UP HEALTH PLAN"
) -> list[str]:
    return [
        f"HL*{hl}*{parent}*22*{1 if children else 0}",
        f"SBR*P*{'18' if not children else ''}*GRP01******CI",
        f"NM1*IL*1*MADEUP*PAT****MI*{member}",
        "N3*2 MADE UP AVENUE",
        "N4*NOWHERE*MN*550000000",
        "DMG*D8*19600101*F",
        f"NM1*PR*2*{payer}*****PI*PAYER01",
    ]


def dependent(hl: int, parent: int, first: str, born: str) -> list[str]:
    return [
        f"HL*{hl}*{parent}*23*0",
        "PAT*19",
        f"NM1*QC*1*MADEUP*{first}",
        "N3*2 MADE UP AVENUE",
        "N4*NOWHERE*MN*550000000",
        f"DMG*D8*{born}*M",
    ]


def claim(
    claim_id: str,
    total: str,
    pos: str,
    dx: list[str],
    lines: list[list[str]],
    freq: str = "1",
    rendering: str = "",
) -> list[str]:
    his = [f"{'ABK' if i == 0 else 'ABF'}:{code}" for i, code in enumerate(dx)]
    out = [f"CLM*{claim_id}*{total}***{pos}:B:{freq}*Y*A*Y*Y", "HI*" + "*".join(his)]
    if rendering:
        out += [f"NM1*82*1*MADEUP*DOCTOR****XX*{rendering}", "PRV*PE*PXC*207R00000X"]
    for number, line in enumerate(lines, 1):
        out += [f"LX*{number}", *line]
    return out


def sv1(code: str, charge: str, units: str, pointers: str, pos: str = "", basis: str = "UN") -> str:
    return f"SV1*{code}*{charge}*{basis}*{units}*{pos}**{pointers}"


def dtp(date: str) -> str:
    return f"DTP*472*{'RD8' if '-' in date else 'D8'}*{date}"


def override(npi_: str) -> list[str]:
    return [f"NM1*82*1*MADEUP*OTHERDOC****XX*{npi_}", "PRV*PE*PXC*207X00000X"]


def basic_claims() -> list[str]:
    """Two subscribers (one with a dependent), four claims, modifiers, pointers, 2310B/2420A, RD8."""
    return [
        *billing(1),
        *subscriber(2, 1, "MEMBER0001", False),
        *claim(
            "CLAIM1001",
            "245",
            "11",
            ["E119", "I10", "Z794"],
            [
                [sv1("HC:99214:25", "160", "1", "1:2"), dtp("20250310")],
                [sv1("HC:36415", "15", "1", "1"), dtp("20250310")],
                [sv1("HC:82962", "20", "1", "3:1"), dtp("20250310")],
                [sv1("HC:G2211", "50", "1", "2"), dtp("20250310")],
            ],
        ),
        *claim(
            "CLAIM1002",
            "410",
            "11",
            ["M1711", "M25561"],
            [
                [sv1("HC:20610:RT", "180", "1", "1"), dtp("20250320")],
                [sv1("HC:20610:LT:59", "180", "1", "2:1"), dtp("20250320")],
                [sv1("HC:J3301", "50", "4", "1"), dtp("20250320")],
            ],
            rendering=RENDER_A,
        ),
        *subscriber(3, 1, "MEMBER0002", True, "MADE UP MEDICARE PLAN"),
        *dependent(4, 3, "CHILD", "20150615"),
        *claim(
            "CLAIM1003",
            "320",
            "22",
            ["J069", "R0981"],
            [
                [sv1("HC:99203", "140", "1", "1:2"), dtp("20250402")],
                [
                    sv1("HC:97110:GP", "120", "3", "2", pos="11"),
                    dtp("20250401-20250403"),
                    *override(RENDER_B),
                ],
                [sv1("HC:71046:26", "60", "1.5", "2"), dtp("20250402")],
            ],
            freq="7",
            rendering=RENDER_A,
        ),
        *claim(
            "CLAIM1004",
            "95",
            "11",
            ["S0100XA"],
            [
                [sv1("HC:00400", "95", "45", "1", basis="MJ"), dtp("20250405")],
            ],
        ),
    ]


def second_claims() -> list[str]:
    return [
        *billing(1),
        *subscriber(2, 1, "MEMBER0003", False, "MADE UP COMMERCIAL"),
        *claim(
            "CLAIM2001",
            "300",
            "11",
            ["K219", "R1013", "E785", "I10", "Z87891"],
            [
                [sv1("HC:99215", "220", "1", "1:2:3:4"), dtp("20250512")],
                [sv1("HC:93000", "80", "1", "4"), dtp("20250512")],
            ],
        ),
    ]


def envelope(control: int, transactions: list[list[str]], **isa_args: str) -> list[str]:
    gs = f"GS*HC*SUBMITTER01*RECEIVER01*20251201*1200*{control}*X*005010X222A1"
    segments = [isa(control, **isa_args), gs]
    for block in transactions:
        segments.extend(block)
    return [*segments, f"GE*{len(transactions)}*{control}", f"IEA*1*{control:09d}"]


def malformed_claims() -> list[str]:
    """One good claim, then one claim per kind of damage, then a good one again."""
    good = [sv1("HC:99213", "100", "1", "1"), dtp("20250601")]
    return [
        *billing(1),
        *subscriber(2, 1, "MEMBER0004", False),
        *claim("CLAIM3001", "100", "11", ["I10"], [good]),
        *claim("CLAIM3002", "100", "11", ["I10"], [good, ["SV1*HC:99213*100*UN", dtp("20250601")]]),
        *claim(
            "CLAIM3003", "100", "11", ["I10", "E119"], [[sv1("HC:99213", "100", "1", "1:3"), dtp("20250601")]]
        ),
        *claim("CLAIM3004", "100", "11", ["I10"], [[sv1("HC:99213", "100", "1", "1"), dtp("20251332")]]),
        *claim("CLAIM3005", "100", "11", ["I10"], [[sv1("HC:99213", "100", "X", "1"), dtp("20250601")]]),
        *claim("CLAIM3006", "100", "11", ["I10"], [[sv1("HC:99213", "100", "1", "1")]]),
        *claim("CLAIM3007", "100", "11", ["I10"], [good]),
    ]


def write(
    name: str,
    segments: list[str],
    terminator: str = "~",
    newline: str = "\n",
    element: str = "*",
    component: str = ":",
) -> None:
    text = "".join(
        (s if s.startswith("ISA") else s.replace("*", element).replace(":", component)) + terminator + newline
        for s in segments
    )
    (OUT / name).write_bytes(text.encode("ascii"))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    basic = envelope(1, [transaction("0001", basic_claims())])
    write("basic.837", basic)
    write("one_line.837", basic, newline="")
    write(
        "crlf_two_envelopes.837",
        [*basic, *envelope(2, [transaction("0001", second_claims())])],
        newline="\r\n",
    )
    other = envelope(3, [transaction("0001", second_claims())], element="|", component=">")
    write("other_delimiters.x12", other, newline="", element="|", component=">")
    write("malformed.837", envelope(4, [transaction("0001", malformed_claims())]))
    remit = [
        isa(5),
        "GS*HP*PAYER01*RECEIVER01*20251201*1200*5*X*005010X221A1",
        "ST*835*0001*005010X221A1",
        "BPR*I*100*C*ACH",
        "SE*3*0001",
        "GE*1*5",
        "IEA*1*000000005",
    ]
    write("remittance.835", remit)


if __name__ == "__main__":
    main()
