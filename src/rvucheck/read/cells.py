"""Cell values as real exports store them -> the plain values a ChargeLine holds.

Codes typed as numbers (99213.0; 100 for anesthesia 00100), stray and non-breaking spaces, lower case,
"99213-25" in the code cell, modifiers as numbers, "25,59" in one cell, dates as Excel serials (1900 or 1904
system), datetimes or text, ICD-10 codes without their dot. Each function is pure and cached: an export
repeats the same few hundred values, so caching is most of the reader's speed.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

EPOCH_1900 = dt.date(1899, 12, 30)  # Excel's 1900 system, including its phantom 29 Feb 1900
EPOCH_1904 = dt.date(1904, 1, 1)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\ufeff]+")
_CODE = re.compile(r"^[0-9A-Z]{5}$")
_CODE_WITH_MODS = re.compile(
    r"^([0-9A-Z]{5})(?:\s*[-:/ ,]\s*|\s+)([0-9A-Z]{2}(?:\s*[-,;/ ]\s*[0-9A-Z]{2})*)$"
)
_MOD_SPLIT = re.compile(r"[^0-9A-Z]+")
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?$")
_DATE_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y-%m-%d",
    "%m-%d-%Y",
    "%m-%d-%y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
    "%m.%d.%Y",
    "%Y%m%d",
)


class BadValue(ValueError):
    """A cell value that cannot be read as its field; the message says why (shown to the user)."""


@lru_cache(maxsize=65536, typed=True)
def clean_text(value: object) -> str:
    """Text with stray/non-breaking spaces collapsed; numbers without a spurious '.0'."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return _SPACES.sub(" ", str(value)).strip()


@lru_cache(maxsize=65536, typed=True)
def split_code(value: object) -> tuple[str, tuple[str, ...]]:
    """('99213', ('25',)) from 99213.0, '99213-25', ' 99213 ', "'99213", 'g2211', 100 (-> '00100')."""
    if isinstance(value, bool):
        return str(value).upper(), ()
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return clean_text(value), ()
        number = int(value)
        return (f"{number:05d}" if 0 <= number < 100000 else str(number)), ()
    text = _SPACES.sub(" ", str(value)).strip().lstrip("'").strip().upper()
    if re.fullmatch(r"\d{1,5}\.0+", text):
        text = text.split(".")[0]
    if re.fullmatch(r"\d{3,4}", text):  # a numeric code that lost its leading zeros in a CSV
        text = text.zfill(5)
    if _CODE.match(text):
        return text, ()
    with_mods = _CODE_WITH_MODS.match(text)
    if with_mods:
        return with_mods.group(1), tuple(m for m in _MOD_SPLIT.split(with_mods.group(2)) if m)
    return text, ()


@lru_cache(maxsize=4096, typed=True)
def split_modifiers(value: object) -> tuple[str, ...]:
    """('25', '59') from 25, 25.0, '25,59', '25 / 59', '-25', 'rt', 'RTLT' (two modifiers run together)."""
    if value is None or value == "" or isinstance(value, bool):
        return ()
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return (clean_text(value),)
        return (f"{int(value):02d}",)
    out: list[str] = []
    for token in _MOD_SPLIT.split(_SPACES.sub(" ", str(value)).upper()):
        if not token:
            continue
        if len(token) > 2 and len(token) % 2 == 0 and len(token) <= 8:
            out.extend(token[i : i + 2] for i in range(0, len(token), 2))
        else:
            out.append(token.zfill(2) if token.isdigit() and len(token) == 1 else token)
    return tuple(out)


@lru_cache(maxsize=4096, typed=True)
def parse_units(value: object) -> float:
    """Units as a number; a blank cell is one unit (how exports leave single units)."""
    if value is None or value == "":
        return 1.0
    if isinstance(value, bool):
        raise BadValue(f"units '{value}' is not a number")
    if isinstance(value, int | float):
        return float(value)
    text = clean_text(value).replace(",", "")
    if not text:
        return 1.0
    try:
        return float(text)
    except ValueError:
        raise BadValue(f"units '{clean_text(value)[:40]}' is not a number") from None


def serial_to_date(serial: float, date1904: bool = False) -> dt.date:
    """An Excel date serial (days since the workbook's epoch) -> date."""
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    return epoch + dt.timedelta(days=int(serial))


@lru_cache(maxsize=8192, typed=True)
def parse_date(value: object, date1904: bool = False) -> dt.date | None:
    """A date from a datetime, a date, an Excel serial, yyyymmdd, or US-style text. Blank -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise BadValue(f"'{value}' is not a date")
    if isinstance(value, int | float):
        number = float(value)
        if 19000101 <= number <= 21001231 and number.is_integer():
            return _parse_text_date(str(int(number)))
        if 1 <= number < 2958466:  # Excel's date range (up to 9999-12-31)
            return serial_to_date(number, date1904)
        raise BadValue(f"{clean_text(value)} is not a date")
    if isinstance(value, dt.time | dt.timedelta):
        raise BadValue(f"'{value}' is a time, not a date")
    return _parse_text_date(clean_text(value))


def _parse_text_date(text: str) -> dt.date | None:
    if not text:
        return None
    candidate = text.split(" ")[0] if re.match(r"^\d", text) and " " in text else text
    candidate = candidate.split("T")[0] if re.match(r"^\d{4}-\d\d-\d\dT", candidate) else candidate
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return serial_to_date(float(text))
    raise BadValue(f"'{text[:40]}' is not a date")


@lru_cache(maxsize=16384, typed=True)
def split_diagnoses(value: object) -> tuple[str, ...]:
    """ICD-10-CM codes in their dotted form from 'E11.9', 'e119', 'E11.9, I10', 'E119;I10'."""
    if value is None or value == "" or isinstance(value, bool):
        return ()
    text = clean_text(value).upper()
    out = []
    for token in re.split(r"[,;|\s]+", text):
        token = token.strip(".")
        if not token:
            continue
        bare = token.replace(".", "")
        if _ICD10.match(bare):
            token = bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"
        out.append(token)
    return tuple(out)


@lru_cache(maxsize=1024, typed=True)
def normalize_pos(value: object) -> str:
    """'11' from 11, 11.0, '11 - Office', 'POS 11'; '02' from 2."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return f"{int(value):02d}" if float(value).is_integer() else clean_text(value)
    text = clean_text(value)
    digits = re.match(r"^(?:pos\s*)?(\d{1,2})\b", text, re.IGNORECASE)
    return digits.group(1).zfill(2) if digits else text


@lru_cache(maxsize=8192, typed=True)
def parse_money(value: object) -> float | None:
    """$ amounts: 125, '125.00', '$1,250.00', '(12.00)' (negative). Unreadable amounts -> None."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = clean_text(value).replace("$", "").replace(",", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    try:
        amount = float(text.strip("()"))
    except ValueError:
        return None
    return -amount if negative else amount


def is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not _SPACES.sub("", value))
