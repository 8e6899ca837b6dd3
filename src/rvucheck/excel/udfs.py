"""Excel functions: `=RVU("20983")` and friends, for classic xlwings and for Office.js (xlwings Lite/Server).

Thin wrappers: the work is in `rvucheck.excel.lookups` and `rvucheck.excel.range_check`, the same
fee-schedule store and rules engine as the command line. Docstrings and `doc=` texts are what Excel's
function wizard shows.
Classic xlwings: set `UDF Modules` to `rvucheck.excel.udfs` and click Import Functions (see docs/excel.md).
The code argument takes a range too (`=RVU(A2:A50)` spills one answer per cell).
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from rvucheck.excel import lookups as lookup_api
from rvucheck.excel import range_check as excel_check

CODE_DOC = 'CPT/HCPCS code as text or number, e.g. "20983", 99213 or "G2211"; a range spills one answer each'
MODIFIER_DOC = 'Modifier(s), e.g. "26", "TC", "50" or "26 59"; 26/TC/53 select the CMS row of that modifier'
DATE_DOC = "Date of service: picks the fee-schedule release in effect (default: the newest installed)"
LOCALITY_DOC = 'Medicare locality: "MAC-locality" such as "01112-05", or a locality name; blank = national'
SETTING_DOC = 'Place of service (e.g. 11, 22) or "facility" / "nonfacility" (default nonfacility)'
COMPONENT_DOC = "work (default), pe_nonfacility, pe_facility, mp, total_nonfacility or total_facility"
CATEGORY = "rvucheck"


@xw.func(category=CATEGORY)
@xw.arg("code", ndim=2, doc=CODE_DOC)
@xw.arg("component", doc=COMPONENT_DOC)
@xw.arg("modifier", doc=MODIFIER_DOC)
@xw.arg("date", doc=DATE_DOC)
def RVU(code: Any, component: Any = None, modifier: Any = None, date: Any = None) -> Any:
    """Relative value units of a CPT/HCPCS code from your installed CMS fee schedule (work RVU by default)."""
    return lookup_api.rvu(code, component, modifier, date)


@xw.func(category=CATEGORY)
@xw.arg("code", ndim=2, doc=CODE_DOC)
@xw.arg("modifier", doc=MODIFIER_DOC + "; payment modifiers (50, 51, 62, 80, ...) adjust the amount")
@xw.arg("locality", doc=LOCALITY_DOC)
@xw.arg("pos_or_setting", doc=SETTING_DOC)
@xw.arg("date", doc=DATE_DOC)
@xw.arg("qpp", doc="TRUE for the qualifying APM participant (QPP) conversion factor; default FALSE")
@xw.arg("units", doc="Units billed (default 1); for anesthesia (00100-01999) the minutes, as on the claim")
def RVU_PAYMENT(
    code: Any,
    modifier: Any = None,
    locality: Any = None,
    pos_or_setting: Any = None,
    date: Any = None,
    qpp: Any = None,
    units: Any = None,
) -> Any:
    """Estimated Medicare physician fee schedule payment in dollars (RVUs x GPCIs x conversion factor;
    anesthesia: base + time units x the anesthesia CF; Part B drugs: ASP limit x units)."""
    return lookup_api.payment(code, modifier, locality, pos_or_setting, date, qpp, units)


@xw.func(category=CATEGORY)
@xw.arg("code", ndim=2, doc=CODE_DOC)
@xw.arg("modifier", doc=MODIFIER_DOC)
@xw.arg("date", doc=DATE_DOC)
def RVU_GLOBAL(code: Any, modifier: Any = None, date: Any = None) -> Any:
    """Global surgery period as CMS publishes it: 000, 010, 090, XXX, YYY, ZZZ or MMM."""
    return lookup_api.global_days(code, modifier, date)


@xw.func(category=CATEGORY)
@xw.arg("code", ndim=2, doc=CODE_DOC)
@xw.arg("modifier", doc=MODIFIER_DOC)
@xw.arg("date", doc=DATE_DOC)
def RVU_STATUS(code: Any, modifier: Any = None, date: Any = None) -> Any:
    """CMS status code of the code (or of its 26/TC row) and what it means, e.g. "A: Active: paid ..."."""
    return lookup_api.status(code, modifier, date)


@xw.func(category=CATEGORY)
@xw.arg("code", ndim=2, doc=CODE_DOC)
@xw.arg("modifier", doc=MODIFIER_DOC)
@xw.arg("date", doc=DATE_DOC)
def RVU_DESC(code: Any, modifier: Any = None, date: Any = None) -> Any:
    """Short descriptor of the code from your own installed CMS file (CPT text is AMA-licensed)."""
    return lookup_api.description(code, modifier, date)


@xw.func(category=CATEGORY)
@xw.arg("code", ndim=2, doc=CODE_DOC)
@xw.arg("date", doc=DATE_DOC)
def RVU_PERCENTILE(code: Any, date: Any = None) -> Any:
    """Percentile (0-100) of the code's work RVU among the codes of its CPT category."""
    return lookup_api.percentile(code, date)


@xw.func(category=CATEGORY)
@xw.arg("code", doc='One CPT/HCPCS code, e.g. "20983"')
@xw.arg("modifier", doc=MODIFIER_DOC)
@xw.arg("locality", doc=LOCALITY_DOC)
@xw.arg("date", doc=DATE_DOC)
def RVU_INFO(code: Any, modifier: Any = None, locality: Any = None, date: Any = None) -> Any:
    """Everything `rvucheck code` shows, as a spilled two-row table: field names above, values below."""
    return lookup_api.info(code, modifier, locality, date)


@xw.func(category=CATEGORY)
@xw.arg("code", doc='CPT/HCPCS code of the charge line, e.g. "99213"')
@xw.arg("modifiers", doc='Modifiers of the line, e.g. "25" or "59 RT"')
@xw.arg("units", doc="Units billed (default 1)")
@xw.arg("date", doc="Date of service")
@xw.arg("diagnoses", doc='ICD-10-CM codes, e.g. "E11.9, I10"')
@xw.arg("pos", doc="Place of service, e.g. 11")
def RVU_CHECK(
    code: Any,
    modifiers: Any = None,
    units: Any = None,
    date: Any = None,
    diagnoses: Any = None,
    pos: Any = None,
) -> Any:
    """Coding findings for one charge line as text (rule id and message); empty when the line is clean."""
    return excel_check.check_line(code, modifiers, units, date, diagnoses, pos)


@xw.func(category=CATEGORY)
@xw.arg(
    "lines",
    ndim=2,
    doc="Block of lines, columns: code, modifiers, units, date, diagnoses, pos, patient, provider "
    "(a header row is recognised; lines without a patient are one patient's: the block's)",
)
def RVU_CHECK_RANGE(lines: Any) -> Any:
    """Findings for each line of a block, one cell per line (same-day and pair rules see the whole block)."""
    return excel_check.check_block(lines)
