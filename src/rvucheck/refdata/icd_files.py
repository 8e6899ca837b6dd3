"""Install CMS's diagnosis code files: ICD-10-CM by fiscal year and ICD-9-CM (v32, the last).

Recognised inside CMS's zips (the full "code descriptions in tabular order" download or the bare member):
- `icd10cm_codes_2018.txt` (also `icd10cm-codes-April-2024.txt`, `icd10cm-codes-April-1-2026.txt`): billable
  codes, no dots, a code then its description. FY2018 is in force for dates 2017-10-01 .. 2018-09-30; an
  April update from April 1 to September 30.
- `CMS32_DESC_LONG_DX.txt` / `CMS32_DESC_SHORT_DX.txt`: ICD-9-CM v32 diagnoses (vN is the code set of fiscal
  year N + 1983; v32 = FY2015, the last before ICD-10-CM replaced it on 2015-10-01).

The name says which year (the files carry no date); the content says it is a code list. Both lists hold only
billable codes; the categories and subcategories above them ("headers") are their prefixes. Each dataset keeps
(code, billable) only: the descriptions are not needed to judge a claim.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from rvucheck.refdata.store import DatasetInfo, Recognized, Store, imported

ICD10_KIND, ICD9_KIND = "icd10cm", "icd9cm"
ICD10_SYSTEM, ICD9_SYSTEM = "ICD-10-CM", "ICD-9-CM"
ICD10_REQUIRED_FROM = dt.date(2015, 10, 1)  # HHS final rule: ICD-10-CM for services from October 1, 2015

_ICD10_NAME = re.compile(
    r"icd10cm[-_ ]codes[-_ ](?:(?P<month>april|october)[-_ ](?:\d{1,2}[-_ ])?)?(?P<year>20\d\d)\.txt$", re.I
)
_ICD9_NAME = re.compile(r"cms(?P<version>\d\d)_desc_(?:long|short)_dx\.txt$", re.I)
_ICD10_LINE = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}\s+\S")
_ICD9_LINE = re.compile(r"(?:[0-9]{3,5}|V[0-9]{2,4}|E[0-9]{3,4})\s+\S")
_FIRST_BYTES = 4096


def recognize(path: Path) -> Recognized | None:
    path = Path(path)
    if not path.is_file():
        return None
    if found := _ICD10_NAME.search(path.name):
        if not _first_line_matches(path, _ICD10_LINE):
            return None
        year, month = int(found["year"]), (found["month"] or "").lower()
        if month == "april":
            return Recognized(ICD10_KIND, f"{year}-04", "CODES", path, (("update", "april"),))
        return Recognized(ICD10_KIND, f"FY{year}", "CODES", path)
    if found := _ICD9_NAME.search(path.name):
        if not _first_line_matches(path, _ICD9_LINE):
            return None
        return Recognized(ICD9_KIND, f"v{found['version']}", "DX", path)
    return None


def _first_line_matches(path: Path, shape: re.Pattern[str]) -> bool:
    with path.open("rb") as handle:
        head = handle.read(_FIRST_BYTES).decode("latin-1")
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return bool(shape.match(first))


def import_group(store: Store, group: list[Recognized]) -> DatasetInfo:
    first = group[0]
    starts, ends = _span(first)
    system = ICD10_SYSTEM if first.kind == ICD10_KIND else ICD9_SYSTEM
    billable = {code for item in group for code in read_codes(item.path)}
    label = f"{system} {first.dataset_id} code set ({len(billable):,} billable codes, CMS)"
    contents = system.replace("-", "")  # ICD10CM / ICD9CM, as the package's set says
    meta: dict[str, object] = {"system": system, "billable": len(billable)}
    info = imported(group, label, contents, meta, (starts, ends), ends.year)
    with store.writing(info) as con:
        con.execute("CREATE TABLE codes (code TEXT PRIMARY KEY, billable INTEGER NOT NULL)")
        con.executemany("INSERT INTO codes VALUES (?, 1)", ((code,) for code in sorted(billable)))
        headers = headers_of(billable, system) - billable
        con.executemany("INSERT INTO codes VALUES (?, 0)", ((code,) for code in sorted(headers)))
    return info


def _span(item: Recognized) -> tuple[dt.date, dt.date]:
    """The dates of service a code set is in force for."""
    if item.kind == ICD9_KIND:
        fiscal_year = int(item.dataset_id[1:]) + 1983
        return dt.date(fiscal_year - 1, 10, 1), dt.date(fiscal_year, 9, 30)
    if item.dataset_id.endswith("-04"):
        year = int(item.dataset_id[:4])
        return dt.date(year, 4, 1), dt.date(year, 9, 30)
    fiscal_year = int(item.dataset_id[2:])
    return dt.date(fiscal_year - 1, 10, 1), dt.date(fiscal_year, 9, 30)


def read_codes(path: Path) -> Iterator[str]:
    """The code of every line (the first field; CMS writes the ICD-9 files in Latin-1)."""
    with path.open(encoding="latin-1") as handle:
        for line in handle:
            code = line[:8].split(maxsplit=1)
            if code:
                yield code[0].upper()


def headers_of(billable: Iterable[str], system: str) -> set[str]:
    """Categories and subcategories: every prefix of a billable code from the category length on (ICD-10-CM
    and ICD-9-CM 3 characters, ICD-9-CM E codes 4: E800-E999). A prefix ending in a placeholder X (T36.0X of
    T36.0X1A) counts too: it is an incomplete code, which is what a header on a claim is."""
    headers: set[str] = set()
    for code in billable:
        shortest = 4 if system == ICD9_SYSTEM and code.startswith("E") else 3
        headers.update(code[:end] for end in range(shortest, len(code)))
    return headers


def cms_code_sets_installed(store: Store) -> bool:
    """True when the store has an ICD-10-CM fiscal-year set and an ICD-9-CM set from CMS's files."""
    fiscal_years = [d for d in store.datasets(ICD10_KIND) if d.dataset_id.startswith("FY")]
    return bool(fiscal_years and store.datasets(ICD9_KIND))
