"""Cell values as real exports store them -> the plain values a ChargeLine holds.

Codes typed as numbers (99213.0; 100 for anesthesia 00100), stray and non-breaking spaces, lower case,
"99213-25" in the code cell, modifiers as numbers, "25,59" in one cell, dates as Excel serials (1900 or 1904
system), datetimes or text, ICD-10 codes without their dot. Each function is pure and cached: an export
repeats the same few hundred values, so caching is most of the reader's speed.

Hostile values are refused with a reason (BadValue), never guessed: units that are not finite, dates outside
1900-2100 (however they are written: serial, yyyymmdd, text, a datetime), and digits that are not ASCII once
NFKC has folded the full-width ones (`２５` is 25; `2٥` is refused, not read as `02`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache

EPOCH_1900 = dt.date(1899, 12, 30)  # Excel's 1900 system, including its phantom 29 Feb 1900
EPOCH_1904 = dt.date(1904, 1, 1)
FIRST_DATE = dt.date(1900, 1, 1)  # dates outside these are typing or conversion errors, never a service
LAST_DATE = dt.date(2100, 12, 31)
# The values Excel shows for a formula that failed (a CSV saved from Excel holds them as text).
EXCEL_ERRORS = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
     "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!")
)  # fmt: skip
# C0/C1 control characters (terminal escapes, characters XML forbids): never passed on, shown as "?"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
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


def fold(text: str) -> str:
    """NFKC (full-width `２５` -> `25`); BadValue when a character is still not ASCII, e.g. a digit of
    another script (`2٥`), which would otherwise be dropped or misread."""
    folded = unicodedata.normalize("NFKC", text) if not text.isascii() else text
    if not folded.isascii():
        odd = next(c for c in folded if not c.isascii())
        raise BadValue(
            f"'{shown(folded)}' holds '{shown(odd)}' (U+{ord(odd):04X}), not a plain letter or digit"
        )
    return folded


def shown(text: str, limit: int = 40) -> str:
    """Text fit for a message or a terminal: control characters as \\xNN, cut at `limit`."""
    cut = text[:limit]
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                   for c in cut)  # fmt: skip


@lru_cache(maxsize=65536, typed=True)
def clean_text(value: object) -> str:
    """Text with stray/non-breaking spaces collapsed; numbers without a spurious '.0'."""
    if value is None or value == "":
        return ""
    if type(value) is str and value.isascii() and value.isprintable() and "  " not in value:
        return value.strip()  # the common case, in C: no control character, no run of spaces to collapse
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return CONTROL.sub("?", _SPACES.sub(" ", str(value))).strip()


def has_control(value: object) -> bool:
    """Whether a cell's text holds a control character (which the reader passes on as "?")."""
    return isinstance(value, str) and CONTROL.search(value) is not None


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
    text = CONTROL.sub("?", _SPACES.sub(" ", str(value))).strip().lstrip("'").strip()
    try:
        text = fold(text).upper()
    except BadValue:
        return text.upper(), ()  # not a code's shape: the engine reports it as an unknown code
    if re.fullmatch(r"[0-9]{1,5}\.0+", text):
        text = text.split(".")[0]
    if re.fullmatch(r"[0-9]{3,4}", text):  # a numeric code that lost its leading zeros in a CSV
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
    try:
        text = fold(_SPACES.sub(" ", str(value)))
    except BadValue as exc:
        raise BadValue(f"modifier {exc}") from None
    for token in _MOD_SPLIT.split(text.upper()):
        if not token:
            continue
        if len(token) > 2 and len(token) % 2 == 0 and len(token) <= 8:
            out.extend(token[i : i + 2] for i in range(0, len(token), 2))
        else:
            out.append(token.zfill(2) if token.isdigit() and len(token) == 1 else token)
    return tuple(out)


@lru_cache(maxsize=4096, typed=True)
def parse_units(value: object) -> float:
    """Units as a finite number; a blank cell is one unit (how exports leave single units). Zero, negative,
    fractional or implausibly many units are read as they are: the engine's rules report them."""
    if value is None or value == "":
        return 1.0
    if isinstance(value, bool):
        raise BadValue(f"units '{value}' is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = clean_text(value).replace(",", "")
        if not text:
            return 1.0
        try:
            folded = fold(text)
        except BadValue as exc:
            raise BadValue(f"units {exc}") from None
        if not _NUMBER.fullmatch(folded):
            raise BadValue(f"units '{shown(text)}' is not a number")
        number = float(folded)
    if not math.isfinite(number):
        raise BadValue(f"units '{shown(clean_text(value))}' is not a finite number")
    return number


def serial_to_date(serial: float, date1904: bool = False) -> dt.date:
    """An Excel date serial (days since the workbook's epoch) -> date; BadValue outside 1900-2100."""
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    if not math.isfinite(serial) or not 0 <= serial < 80000:  # 80000 days: 2119, past LAST_DATE
        raise BadValue(
            f"{shown(clean_text(serial))} is not a date between {FIRST_DATE.year} and {LAST_DATE.year}"
        )
    return in_range(epoch + dt.timedelta(days=int(serial)))


def in_range(date: dt.date) -> dt.date:
    if not FIRST_DATE <= date <= LAST_DATE:
        raise BadValue(f"{date.isoformat()} is outside {FIRST_DATE.year}-{LAST_DATE.year}")
    return date


@lru_cache(maxsize=8192, typed=True)
def parse_date(value: object, date1904: bool = False) -> dt.date | None:
    """A date from a datetime, a date, an Excel serial, yyyymmdd, or US-style text. Blank -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return in_range(value.date())
    if isinstance(value, dt.date):
        return in_range(value)
    if isinstance(value, bool):
        raise BadValue(f"'{value}' is not a date")
    if isinstance(value, int | float):
        number = float(value)
        if 19000101 <= number <= 21001231 and number.is_integer():
            return _parse_text_date(str(int(number)))
        if 1 <= number < 2958466:  # Excel's date range (up to 9999-12-31)
            return serial_to_date(number, date1904)
        raise BadValue(
            f"{shown(clean_text(value))} is not a date between {FIRST_DATE.year} and {LAST_DATE.year}"
        )
    if isinstance(value, dt.time | dt.timedelta):
        raise BadValue(f"'{value}' is a time, not a date")
    return _parse_text_date(clean_text(value))


def _parse_text_date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        text = fold(text)
    except BadValue as exc:
        raise BadValue(f"date {exc}") from None
    candidate = text.split(" ")[0] if re.match(r"^[0-9]", text) and " " in text else text
    candidate = candidate.split("T")[0] if re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T", candidate) else candidate
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
        return in_range(parsed)
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        return serial_to_date(float(text))
    raise BadValue(f"'{shown(text)}' is not a date")


def parse_age(value: object) -> int | None:
    """An age in whole years (0-124, the MCE's range) from a number or text; None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 <= value <= 124 else None
    text = str(value).strip()
    return int(text) if text.isdigit() and int(text) <= 124 else None


_MINUTES = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(?:m|min|mins|minute|minutes)?$", re.IGNORECASE)
_HOURS = re.compile(r"^([0-9]{1,2}):([0-5][0-9])$")


def parse_minutes(value: object) -> float | None:
    """Documented time in minutes from 45, '45', '45 min', '1:15' (h:mm); None for anything else (a time
    that cannot be read is not judged, and never a reason to skip the line)."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) and 0 <= value < 10000 else None
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 60
    if isinstance(value, dt.time):  # Excel keeps 1:15 typed as a time of day
        return value.hour * 60 + value.minute + value.second / 60
    text = clean_text(value).strip()
    hours = _HOURS.match(text)
    if hours:
        return float(int(hours.group(1)) * 60 + int(hours.group(2)))
    number = _MINUTES.match(text)
    return float(number.group(1)) if number else None


_YES = frozenset({"y", "yes", "true", "1", "x", "attached", "on file", "received", "present", "complete"})
_NO = frozenset({"n", "no", "false", "0", "none", "missing", "not attached", "pending", "absent"})


def parse_flag(value: object) -> bool | None:
    """A yes/no flag (Y/N, Yes/No, TRUE/FALSE, 1/0, X, Attached/Missing); None when blank or unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    text = clean_text(value).strip().lower()
    if text in _YES:
        return True
    return False if text in _NO else None


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
        return float(value) if math.isfinite(value) else None
    text = clean_text(value).replace("$", "").replace(",", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    try:
        amount = float(text.strip("()"))
    except ValueError:
        return None
    if not math.isfinite(amount):
        return None
    return -amount if negative else amount


def is_blank(value: object) -> bool:
    if value is None or value == "":
        return True
    if not isinstance(value, str):
        return False
    first = value[0]  # text starting with a letter or digit (nearly every cell) needs no regex
    return (first.isspace() or first == "\ufeff") and not _SPACES.sub("", value)
