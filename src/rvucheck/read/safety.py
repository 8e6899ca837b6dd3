"""Input file checks before anything is read or written: each failure is one line (the file, what to do).

Missing file, a folder, an empty file, a legacy .xls, a password-protected workbook (Office encrypts it
into an OLE container), a corrupt or non-Excel zip, a zip bomb, a file too large to be a month of charges, and
formats rvucheck does not read.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from rvucheck.errors import InputFileError
from rvucheck.model import PackageContents
from rvucheck.read.package import PackageFacts, package_contents, package_facts
from rvucheck.read.x12.sniff import X12_SUFFIXES, starts_like_x12
from rvucheck.read.x12.sniff import sniff as sniff_x12

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
MAX_FILE_BYTES = int(os.environ.get("RVUCHECK_MAX_FILE_BYTES", 1024**3))  # 1 GB on disk
MAX_UNZIPPED_BYTES = int(os.environ.get("RVUCHECK_MAX_UNZIPPED_BYTES", 4 * 1024**3))
MAX_RATIO = 200  # compressed xlsx sheets run at ~10-30x; a bomb is thousands
MAX_ZIP_ENTRIES = 20000
SUPPORTED = "rvucheck reads .xlsx, .xlsm, .xls, .ods and .csv files"
# kinds whose annotated copy is a new workbook holding the sheet's values (openpyxl writes only xlsx/xlsm)
VALUES_ONLY_KINDS = frozenset({"csv", "xls", "ods"})
CSV_SAMPLE_BYTES = 65536


@dataclass(frozen=True)
class InputInfo:
    path: Path
    kind: str  # "xlsx", "xlsm", "xls", "ods", "csv" or "x12" (an 837P)
    size: int
    # Workbooks: the package facts the reader needs, taken in the validating pass so the reader does not
    # open the package again; None for CSV, or when a part could not be parsed (the reader then looks).
    package: PackageFacts | None = None

    def contents(self) -> PackageContents | None:
        """What a workbook holds beyond cell values (None for CSV, .xls, .ods), from the validating pass."""
        if self.kind in VALUES_ONLY_KINDS or self.kind == "x12":
            return None
        if self.package is not None and self.package.contents is not None:
            return self.package.contents
        return package_contents(self.path)


def check_input(path: Path | str, features: bool = True) -> InputInfo:
    """Raise InputFileError (one line: file + what to do) unless `path` is a readable charge file.
    `features=False`: a run that writes no copy does not look for what a copy would lose (see
    `package_facts`; `InputInfo.contents()` still finds it when asked)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file; check the name and folder")
    if path.is_dir():
        raise InputFileError(f"{path} is a folder; give a charge export file ({SUPPORTED})")
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"{path} is empty (0 bytes); export the charges again")
    if size > MAX_FILE_BYTES:
        raise InputFileError(
            f"{path} is {size / 1024**2:,.0f} MB, too large for a charge export; split it by month"
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(CSV_SAMPLE_BYTES)  # the magic bytes, and for a CSV the sample looked at
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be opened ({exc.strerror}); check its permissions") from None
    suffix = path.suffix.lower()
    if head.startswith(OLE_MAGIC):
        return _ole(path, suffix, size)
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK"):
        return _zip(path, suffix, size, features)
    x12 = suffix in X12_SUFFIXES or starts_like_x12(head)  # an 837P (read/x12); a .txt may be a CSV
    if x12 and sniff_x12(path, suffix, head):
        return InputInfo(path=path, kind="x12", size=size)
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv(path, size, head)
    if suffix in (".xlsx", ".xlsm"):
        raise InputFileError(
            f"{path} is not an Excel workbook (its content is not a zip package); export it again as .xlsx"
        )
    raise InputFileError(f"{path}: unsupported file type '{suffix or 'none'}'; {SUPPORTED}")


def _has_encrypted_package(path: Path) -> bool:
    """Office writes a password-protected workbook as an OLE file with an EncryptedPackage stream; its
    directory entry can sit anywhere (at the end in large files), so scan it all, a chunk at a time."""
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(4 * 1024**2):
            if ENCRYPTED_MARK in tail + chunk:
                return True
            tail = chunk[-len(ENCRYPTED_MARK) :]
    return False


def _ole(path: Path, suffix: str, size: int) -> InputInfo:
    if _has_encrypted_package(path):
        raise InputFileError(
            f"{path} is password-protected; open it in Excel, remove the password (File > Info > Protect "
            f"Workbook) and save a copy"
        )
    if suffix == ".xls" and _calamine_opens(path):  # Excel 97-2003: python-calamine reads it
        return InputInfo(path=path, kind="xls", size=size)
    raise InputFileError(
        f"{path} is a legacy Excel 97-2003 file{' (.xls)' if suffix != '.xls' else ''}; "
        f"open it in Excel and save it as .xlsx"
    )


def _calamine_opens(path: Path) -> bool:
    try:
        CalamineWorkbook.from_path(str(path))
    except Exception:  # calamine raises several types for a file it cannot parse
        return False
    return True


def _zip(path: Path, suffix: str, size: int, features: bool = True) -> InputInfo:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {info.filename for info in entries}
            if _is_ods(archive, names):
                _check_package(path, size, entries, {*names, "xl/workbook.xml"})  # the size limits
                return InputInfo(path=path, kind="ods", size=size)
            _check_package(path, size, entries, names)
            package = _facts_of(archive, features)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputFileError(f"{path} is damaged (a broken zip package); export or save it again") from None
    kind = "xlsm" if suffix == ".xlsm" or "xl/vbaProject.bin" in names else "xlsx"
    return InputInfo(path=path, kind=kind, size=size, package=package)


def _is_ods(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """An OpenDocument spreadsheet (LibreOffice, Google Sheets' .ods download): its `mimetype` says so."""
    if "content.xml" not in names or "mimetype" not in names:
        return False
    return archive.read("mimetype")[:100].strip() == b"application/vnd.oasis.opendocument.spreadsheet"


def _facts_of(archive: zipfile.ZipFile, features: bool) -> PackageFacts | None:
    try:
        return package_facts(archive, features)
    except Exception:  # a damaged part: calamine's reading of it gives the message, as before
        return None


def _check_package(path: Path, size: int, entries: list[zipfile.ZipInfo], names: set[str]) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise InputFileError(f"{path} holds {len(entries):,} parts, not a charge export; refusing to read it")
    unzipped = sum(info.file_size for info in entries)
    if unzipped > MAX_UNZIPPED_BYTES or (unzipped > 100 * 1024**2 and unzipped > MAX_RATIO * size):
        raise InputFileError(
            f"{path} expands to {unzipped / 1024**2:,.0f} MB from {size / 1024**2:,.1f} MB (a zip bomb or a "
            f"damaged file); refusing to read it"
        )
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        what = (
            "an OpenDocument file that is not a spreadsheet"
            if "content.xml" in names
            else "a zip file that is not an Excel workbook"
        )
        raise InputFileError(f"{path} is {what}; {SUPPORTED} (save it from Excel as .xlsx)")
    if "xl/workbook.bin" in names:
        raise InputFileError(f"{path} is a binary workbook (.xlsb); open it in Excel and save it as .xlsx")


def _csv(path: Path, size: int, sample: bytes) -> InputInfo:
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(f"{path} is not a text CSV file (it holds binary data); export it again as CSV")
    return InputInfo(path=path, kind="csv", size=size)
