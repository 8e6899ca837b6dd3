"""The formulas of one line of the no-add-in workbooks (calculator and procedure log), as helper columns.

Each step is its own short formula a person can read and check, and every lookup goes through the named
ranges of the data sheets (workbook_data.NAMES: `RVU_KEY`, `RVU_WORK`, `GPCI_PE` ...) with INDEX on the
row MATCH found once: no whole-column lookups, nothing nested three thousand characters deep. Excel (any
version since 2007) and LibreOffice evaluate them the same way.

The steps: the code as the RVU sheet spells it (`99213-25` typed in the code cell is code 99213 with
modifier 25; 99213 typed as a number is "99213", 100 is "00100"); every modifier of the line, padded with
spaces so ` 50 ` matches only 50; the RVU row (the 26/TC/53 row when the line carries one and the release
has it, as the one pricer picks rows); the one-unit fee and its OPPS cap; the payment modifiers' factor
(50 bilateral, 51 multiple procedure, 80/81/82/AS assistant, as refdata/pricing/adjustments.py applies
them); then the credited work RVU and the payment. A code the release does not list says "not found" in the
Check column and leaves its value cells empty, so no total breaks (SUM and SUMIFS skip text).
"""

from __future__ import annotations

from dataclasses import dataclass

from rvucheck.refdata.pricing.pricer import UNPAID_STATUSES

NOT_FOUND = "not found"
LOCALITY_NOT_FOUND = "locality not found"


@dataclass(frozen=True)
class LineCells:
    """Where one line's inputs and helper cells are (A1 references, `$` as the caller wants them)."""

    code: str
    modifiers: str
    units: str
    setting: str
    gpci_row: str  # the GPCI sheet row of the line's locality (a number, or text when not found)
    clean: str  # helper: the code as the RVU sheet spells it
    mods: str  # helper: every modifier, space-padded
    row: str  # helper: the RVU sheet row, or "not found"
    full: str  # helper: one unit's fee
    cap: str  # helper: one unit's OPPS-capped fee ("" when the code has no OPPS values)
    fee: str  # helper: one unit's fee after the status (0 when not paid separately) and the cap
    share: str  # helper: the assistant share the modifiers ask for (1: none)
    factors: tuple[str, str, str]  # helpers: the 50, 51 and 80/AS factors


def _v(name: str, cells: LineCells) -> str:
    return f"INDEX({name},{cells.row})"


def _has(modifier: str, cells: LineCells) -> str:
    return f'ISNUMBER(SEARCH(" {modifier} ",{cells.mods}))'


def _facility(cells: LineCells) -> str:
    return f'LOWER(TRIM({cells.setting}&""))="facility"'


def _factor(cells: LineCells) -> str:
    return "*".join(cells.factors)


def _units(cells: LineCells) -> str:
    return f'IF({cells.units}="",1,{cells.units})'


def clean_code(cells: LineCells) -> str:
    c = cells.code
    spelled = f'UPPER(TRIM(LEFT({c},FIND("-",{c}&"-")-1)))'
    return f'=IF(TRIM({c}&"")="","",IF(ISNUMBER({c}),TEXT({c},"00000"),{spelled}))'


def all_modifiers(cells: LineCells) -> str:
    c, m = cells.code, cells.modifiers
    typed_with_code = f'IF(ISNUMBER({c}),"",MID({c}&"",FIND("-",{c}&"-")+1,60))'
    return f'=" "&TRIM(SUBSTITUTE(SUBSTITUTE(UPPER({m}&" "&{typed_with_code}),","," "),"-"," "))&" "'


def rvu_row(cells: LineCells) -> str:
    both = f"AND({_has('26', cells)},{_has('TC', cells)})"
    has26, has_tc, has53 = _has("26", cells), _has("TC", cells), _has("53", cells)
    chosen = f'IF({both},"",IF({has26},"26",IF({has_tc},"TC",IF({has53},"53",""))))'
    own = f'IFERROR(MATCH({cells.clean}&"|",RVU_KEY,0),"{NOT_FOUND}")'
    return f'=IF({cells.clean}="","",IFERROR(MATCH({cells.clean}&"|"&{chosen},RVU_KEY,0),{own}))'


def _fee(cells: LineCells, pe_f: str, pe_nf: str, mp: str) -> str:
    g = cells.gpci_row
    pe = f"IF({_facility(cells)},{_v(pe_f, cells)},{_v(pe_nf, cells)})"
    work = f"{_v('RVU_WORK', cells)}*INDEX(GPCI_WORK,{g})"
    return (
        f"ROUND(({work}+{pe}*INDEX(GPCI_PE,{g})+{_v(mp, cells)}*INDEX(GPCI_MP,{g}))*{_v('RVU_CF', cells)},2)"
    )


def _priced(cells: LineCells, value: str) -> str:
    return f'=IF(AND(ISNUMBER({cells.row}),ISNUMBER({cells.gpci_row})),{value},"")'


def full_fee(cells: LineCells) -> str:
    return _priced(cells, _fee(cells, "RVU_PE_F", "RVU_PE_NF", "RVU_MP"))


def opps_cap(cells: LineCells) -> str:
    opps = f"IF({_facility(cells)},{_v('OPPS_PE_F', cells)},{_v('OPPS_PE_NF', cells)})+{_v('OPPS_MP', cells)}"
    return _priced(cells, f'IF({opps}>0,{_fee(cells, "OPPS_PE_F", "OPPS_PE_NF", "OPPS_MP")},"")')


def fee(cells: LineCells) -> str:
    unpaid = f'ISNUMBER(SEARCH({_v("RVU_STATUS", cells)}&"|","{"|".join(sorted(UNPAID_STATUSES))}|"))'
    capped = f'IF({cells.cap}="",{cells.full},MIN({cells.full},{cells.cap}))'
    return _priced(cells, f"IF({unpaid},0,{capped})")


def _indicator_in(name: str, values: str, cells: LineCells) -> str:
    """The row's indicator is one of `values` ("1|2|3")."""
    return f'ISNUMBER(SEARCH("|"&{_v(name, cells)}&"|","|{values}|"))'


def bilateral(cells: LineCells) -> str:
    """50: 150% for indicator 1, 200% for 3, else 100% (2: the code is bilateral already; 0: one side)."""
    b = _v("RVU_BILAT", cells)
    return f'=IF(ISNUMBER({cells.row}),IF({_has("50", cells)},IF({b}&""="1",1.5,IF({b}&""="3",2,1)),1),"")'


def multiple(cells: LineCells) -> str:
    """51: a second procedure at 50% under indicators 1, 2 and 3."""
    reduced = _indicator_in("RVU_MULT", "1|2|3", cells)
    return f'=IF(ISNUMBER({cells.row}),IF({_has("51", cells)},IF({reduced},0.5,1),1),"")'


def assistant_share(cells: LineCells) -> str:
    """The assistant-at-surgery share the line's modifiers ask for: 80/81/82 16%, AS 13.6%, none 1."""
    surgeon = f"OR({_has('80', cells)},{_has('81', cells)},{_has('82', cells)})"
    return f'=IF(ISNUMBER({cells.row}),IF({surgeon},0.16,IF({_has("AS", cells)},0.136,1)),"")'


def assistant(cells: LineCells) -> str:
    """That share under indicators 0 and 2; not paid under 1; 100% when the concept does not apply (9)."""
    share = cells.share
    barred, paid = _indicator_in("RVU_ASST", "1", cells), _indicator_in("RVU_ASST", "0|2", cells)
    return f'=IF(ISNUMBER({cells.row}),IF({share}=1,1,IF({barred},0,IF({paid},{share},1))),"")'


def credited_work(cells: LineCells, times_units: bool = True) -> str:
    units = f"*{_units(cells)}" if times_units else ""
    return f'=IF(ISNUMBER({cells.row}),ROUND({_v("RVU_WORK", cells)}*{_factor(cells)},2){units},"")'


def payment(cells: LineCells, times_units: bool = True) -> str:
    units = f"*{_units(cells)}" if times_units else ""
    return f'=IF(ISNUMBER({cells.fee}),ROUND({cells.fee}*{_factor(cells)},2){units},"")'


def check(cells: LineCells) -> str:
    """What a person reads first: ok, or why the line has no values."""
    return (
        f'=IF({cells.clean}="","",IF(NOT(ISNUMBER({cells.row})),"{NOT_FOUND}",'
        f'IF(NOT(ISNUMBER({cells.gpci_row})),"{LOCALITY_NOT_FOUND}","ok")))'
    )


def value(cells: LineCells, name: str) -> str:
    """A published value of the line's row (work RVU, global days ...), blank when not found."""
    return f'=IF(ISNUMBER({cells.row}),{_v(name, cells)},"")'


def gpci_row(locality: str) -> str:
    """The GPCI sheet row of a locality cell or expression ("not found" for an unknown one)."""
    return f'IFERROR(MATCH(TRIM({locality}&""),GPCI_KEY,0),"{LOCALITY_NOT_FOUND}")'
