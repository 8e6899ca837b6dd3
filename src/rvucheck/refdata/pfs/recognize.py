"""Tell which PFS file a path is, by its header/layout (never its name), and which release it belongs to.

PPRRVU files name their release in the title line ("2026 ... Relative Value File July Release") and carry
"RELEASED 06/30/2026". GPCI, LOCCO, ANES and OPPSCAP files name at most the year, so they take the release
of the PPRRVU file beside them (same folder or zip), or else of their folder / zip name when it follows
CMS's naming (rvu26a, rvu26c-updated-06-30-2026.zip).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.refdata.calendar import release_id
from rvucheck.refdata.pfs.layouts import ANES_TXT_RE, GPCI_TXT_RE, LOCCO_TXT_RE, read_lines, xlsx_rows

MONTH_QUARTER = {"JANUARY": 1, "APRIL": 2, "JULY": 3, "OCTOBER": 4}
RELEASE_NAME_RE = re.compile(r"rvu(\d{2})([a-d])(r?)", re.IGNORECASE)


@dataclass(frozen=True)
class Sniffed:
    role: str  # PPRRVU, GPCI, LOCCO, ANES, OPPSCAP
    fmt: str  # csv, txt, xlsx
    year: int | None = None
    quarter: int | None = None
    released: str | None = None  # ISO date of the "RELEASED" line
    title: str = ""


def head_lines(path: Path) -> tuple[list[str], str]:
    """The first lines of a file as text, and its format."""
    with path.open("rb") as fh:
        start = fh.read(8192)
    if start.startswith(b"PK"):
        if not zipfile.is_zipfile(path):
            return [], "binary"
        try:
            rows, _ = xlsx_rows(path, limit=15)
        except Exception:  # not a workbook (or an unreadable one): not ours
            return [], "binary"
        return [",".join(r) for r in rows], "xlsx"
    if b"\x00" in start:
        return [], "binary"
    return read_lines(start)[:15], "text"


def sniff(path: Path) -> Sniffed | None:
    """What PFS file `path` is (None: not one). Cached per file version: siblings are sniffed repeatedly."""
    stat = path.stat()
    return _sniff(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _sniff(path: Path, _mtime: int, _size: int) -> Sniffed | None:
    lines, kind = head_lines(path)
    if not lines:
        return None
    text = "\n".join(lines).upper()
    first = [ln.strip() for ln in lines if ln.strip()]
    is_csv = kind == "xlsx" or any(ln.count(",") >= 3 for ln in lines[:12])
    fmt = "xlsx" if kind == "xlsx" else ("csv" if is_csv else "txt")
    if "RELATIVE VALUE FILE" in text and re.search(r"^HCPCS,MOD,", text, re.M):
        return _pprrvu(text, fmt)
    if kind == "text" and _looks_like_pprrvu_txt(lines):
        return _pprrvu(text, "txt")
    if "GEOGRAPHIC PRACTICE COST INDICES" in text:
        return Sniffed("GPCI", fmt, year=_year(r"CY (\d{4})", text))
    if "COUNTIES INCLUDED IN" in text:
        return Sniffed("LOCCO", fmt, year=_year(r"IN (\d{4}) LOCALITIES", text))
    if re.search(r"^CONTRACTOR,\s*LOCALITY,.*ANES CF", text, re.M):
        return Sniffed("ANES", fmt)
    if text.startswith("HCPCS,MOD,PROCSTAT,CARRIER,LOCALITY"):
        return Sniffed("OPPSCAP", fmt)
    if fmt == "txt" and first and all(ANES_TXT_RE.match(ln) for ln in first[:5]):
        return Sniffed("ANES", "txt")
    if fmt == "txt" and sum(bool(GPCI_TXT_RE.match(ln)) for ln in lines) >= 3:
        return Sniffed("GPCI", "txt")
    if fmt == "txt" and sum(bool(LOCCO_TXT_RE.match(ln)) for ln in lines) >= 3:
        return Sniffed("LOCCO", "txt")
    return None


def _looks_like_pprrvu_txt(lines: list[str]) -> bool:
    data = [ln for ln in lines if ln[:3] != "HDR" and ln.strip()]
    if len(data) < 2:
        return False
    for ln in data[:3]:
        if len(ln) < 140 or not re.match(r"^[0-9A-Z]{5}", ln):
            return False
        try:
            float(ln[132:140])
        except ValueError:
            return False
    return True


def _year(pattern: str, text: str) -> int | None:
    m = re.search(pattern, text)
    return int(m.group(1)) if m else None


def _pprrvu(text: str, fmt: str) -> Sniffed:
    title = re.search(r"(\d{4}) NATIONAL PHYSICIAN FEE SCHEDULE RELATIVE VALUE FILE (\w+) RELEASE", text)
    released = re.search(r"RELEASED (\d{2})/(\d{2})/(\d{4})", text)
    year = int(title.group(1)) if title else None
    quarter = MONTH_QUARTER.get(title.group(2)) if title else None
    released_iso = (
        dt.date(int(released.group(3)), int(released.group(1)), int(released.group(2))).isoformat()
        if released
        else None
    )
    return Sniffed("PPRRVU", fmt, year, quarter, released_iso, title.group(0).title() if title else "")


def release_of(path: Path, sniffed: Sniffed) -> str:
    """The release id a file belongs to (see the module docstring for the rules)."""
    if sniffed.role == "PPRRVU" and sniffed.year and sniffed.quarter:
        return release_id(sniffed.year, sniffed.quarter)
    sibling = _sibling_release(path.parent, path.parent.stat().st_mtime_ns)
    if sibling:
        return sibling
    for folder in (path.parent, *path.parents[:2]):
        m = RELEASE_NAME_RE.search(folder.name)
        if m:
            return f"RVU{m.group(1)}{m.group(2).upper()}{m.group(3).upper()}"
    raise InputFileError(
        f"{path}: a {sniffed.role} file without its release: keep it beside its PPRRVU file, or in a folder "
        "named like the CMS zip (e.g. rvu26a)"
    )


@lru_cache(maxsize=128)
def _sibling_release(folder: Path, _mtime: int) -> str | None:
    found = set()
    for other in sorted(folder.iterdir()):
        if other.is_file():
            s = sniff(other)
            if s and s.role == "PPRRVU" and s.year and s.quarter:
                found.add(release_id(s.year, s.quarter))
    return found.pop() if len(found) == 1 else None
