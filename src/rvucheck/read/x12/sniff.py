"""Is a file an X12 837P? Looked at in the input checks (read/safety.check_input), from the first bytes only:
an ISA header whose delimiters make sense, then a GS of health care claims (HC) of version 005010X222 and an
ST*837. Anything else that starts with ISA (an 835, an 837I, a damaged header) is refused in one line."""

from __future__ import annotations

from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.read.cells import shown
from rvucheck.read.x12.records import PROFESSIONAL, describe
from rvucheck.read.x12.tokens import NotX12, delimiters

X12_SUFFIXES = frozenset({".837", ".x12", ".edi"})  # an X12 file whatever it holds (.txt: when it says so)
LOOK_AT = 8  # segments after the ISA looked at for the GS and the ST


def holds_x12_files(folder: Path) -> bool:
    """A folder (no Delta table) with a file named as an X12 file among its own (hidden ones left out): a
    folder of 837P files, one input for the batch engines."""
    if not folder.is_dir() or (folder / "_delta_log").is_dir():
        return False
    return any(
        child.suffix.lower() in X12_SUFFIXES
        for child in folder.iterdir()
        if not child.name.startswith((".", "_"))
    )


def _start(head: bytes) -> bytes:
    """The bytes from the first that is not a byte order mark or blank space."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")


def starts_like_x12(head: bytes) -> bool:
    return _start(head).startswith(b"ISA")


def sniff(path: Path, suffix: str, head: bytes) -> bool:
    """True for an 837P; False for a file that does not start with ISA and whose name does not say X12 (a
    .txt CSV); InputFileError for one that says X12 and is not an 837P (one line: the file, what to do)."""
    if not starts_like_x12(head):
        if suffix in X12_SUFFIXES:
            raise InputFileError(
                f"{path} is not an X12 file (it does not start with an ISA header); give an 837P claims file"
            )
        return False
    text = _start(head).decode("latin-1")
    try:
        delims, length = delimiters(text[:512])
    except NotX12 as exc:
        raise InputFileError(
            f"{path} is not an X12 837P file: {exc}; export the claims again as 837P"
        ) from None
    seen: dict[str, list[str]] = {}
    for number, segment in enumerate(text[length:].split(delims.segment)[:LOOK_AT], 2):
        elements = segment.strip("\r\n").split(delims.element)
        seen.setdefault(elements[0], [*elements, str(number)])
    gs, st = seen.get("GS"), seen.get("ST")
    if gs is None or st is None:
        raise InputFileError(f"{path} holds no X12 transaction (no GS and ST after its ISA); export it again")
    kind, version = gs[1] if len(gs) > 2 else "", gs[8] if len(gs) > 9 else ""
    if kind != "HC" or not version.startswith(PROFESSIONAL):
        raise InputFileError(f"{path}: {describe(kind, version, int(gs[-1]))}; give an 837P file")
    if len(st) < 3 or st[1] != "837":
        kind = shown(st[1], 4) if len(st) > 2 else ""
        raise InputFileError(
            f"{path}: segment {st[-1]} starts an X12 transaction of type '{kind}', not an 837; "
            "give an 837P file"
        )
    return True
