"""An X12 837P file -> the ReadResult every other export gives: one ChargeLine per service line (SV1), one
UnreadableLine per line of a damaged claim; read as a stream (tokens -> loops -> lines).

A line's place is its SV1 segment's number in the file (ISA = 1): `SegmentRef(file name, segment)`, a
CellRef whose outputs say "segment 57" (`row` holds the number, so lines sort and key as rows do). Its
"columns" are the 837 elements each field came from (the headers), so the engine sees which fields the file
has, as for a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from rvucheck.errors import InputFileError
from rvucheck.model import ChargeLine, SegmentRef, UnreadableLine
from rvucheck.read.cells import CONTROL, clean_text
from rvucheck.read.x12.loops import Loops
from rvucheck.read.x12.records import BadClaim, ServiceLine, WrongTransaction
from rvucheck.read.x12.tokens import Delimiters, NotX12, segments

# field -> (column, the 837P element it is read from)
ELEMENTS: dict[str, tuple[int, str]] = {
    "claim": (1, "CLM01 claim id"),
    "patient": (2, "2010BA NM109 member id"),
    "payer": (3, "2010BB NM103 payer"),
    "group": (4, "2010AA NM109 billing provider NPI"),
    "provider_npi": (5, "NM109 rendering NPI (2420A, 2310B, else 2010AA)"),
    "provider": (6, "NM103-04 rendering provider"),
    "specialty": (7, "PRV03 taxonomy"),
    "hcpcs": (8, "SV101-2 procedure code"),
    "modifiers": (9, "SV101-3..6 modifiers"),
    "charge": (10, "SV102 charge"),
    "units": (11, "SV104 units"),
    "pos": (12, "SV105 place of service (else CLM05-1)"),
    "diagnoses": (13, "SV107 pointers to HI codes"),
    "dos": (14, "DTP*472 service date"),
}
COLUMNS = tuple(sorted(((name, column) for name, (column, _h) in ELEMENTS.items()), key=lambda c: c[1]))
HEADERS = [header for _column, header in sorted(ELEMENTS.values())]
ENCODING = "utf-8"
TEXT_FIELDS = ("claim", "patient", "payer", "provider", "specialty", "hcpcs", "npi", "billing_npi")


class X12Claim(NamedTuple):
    """One claim as the engines take it: its checked lines, or (a damaged claim) its unreadable lines, and
    the last segment it reached (a damaged claim's damage may lie past its lines)."""

    lines: list[ChargeLine]
    unreadable: list[UnreadableLine]
    last_segment: int


def read_claims(path: Path, text: TextIO | None = None) -> Iterator[X12Claim]:
    """The file's claims in file order: the one loop over its service lines that every engine reads an 837P
    through (read_x12 whole, read_x12_chunks by chunks, batch.spark_x12 on a Spark worker). A claim's lines
    come together (the lines one after another with the same CLM01), so a chunk that ends between two claims
    never splits one. `text`, and the InputFileError raised: as service_lines."""
    sheet = path.name
    lines: list[ChargeLine] = []
    claim = None
    for item in service_lines(path, text):
        if type(item) is ServiceLine:
            if lines and item.claim != claim:
                yield X12Claim(lines, [], lines[-1].source.row)
                lines = []
            lines.append(charge_line(item, sheet))
            claim = item.claim
            continue
        assert isinstance(item, BadClaim)
        if lines:
            yield X12Claim(lines, [], lines[-1].source.row)
            lines = []
        claim = None
        yield X12Claim([], unreadable_lines(item, sheet), max((item.segment, *item.lines)))
    if lines:
        yield X12Claim(lines, [], lines[-1].source.row)


def read_lines(path: Path, text: TextIO | None = None) -> tuple[list[ChargeLine], list[UnreadableLine], int]:
    """Every claim's lines and unreadable lines, and the last segment a claim reached (0: none)."""
    lines: list[ChargeLine] = []
    unreadable: list[UnreadableLine] = []
    last = 0
    for claim in read_claims(path, text):
        lines.extend(claim.lines)
        unreadable.extend(claim.unreadable)
        last = max(last, claim.last_segment)
    return lines, unreadable, last


def read_x12(path: Path) -> dict[str, Any]:
    """The file's lines as read_charges gives them: the fields of its ReadResult (header row 0, no totals
    or blank rows; built there, so that read/ has no import cycle)."""
    lines, unreadable, last = read_lines(path)
    return {
        "lines": lines,
        "unreadable": unreadable,
        "sheet": path.name,
        "header_row": 0,
        "mapping": {name: column for name, column in COLUMNS},
        "totals_rows": [],
        "headers": list(HEADERS),
        "columns_of": {name: (column,) for name, column in COLUMNS},
        "last_row": last,
        "kind": "x12",
        "evidence": {name: f"837P element {header}" for name, (_c, header) in ELEMENTS.items()},
    }


def read_x12_chunks(
    paths: Sequence[Path], lines: int
) -> Iterator[tuple[list[ChargeLine], list[UnreadableLine]]]:
    """The files' lines (in the order given, each in file order) as read_x12 reads each file, about `lines`
    lines at a time: a chunk ends between two claims, never inside one (`rvucheck check --engine local`
    holds a chunk, not the file). A damaged claim's unreadable lines come in the chunk where it ends."""
    chunk: list[ChargeLine] = []
    bad: list[UnreadableLine] = []
    for path in paths:
        for claim in read_claims(path):
            if claim.lines and len(chunk) >= lines:
                yield chunk, bad
                chunk, bad = [], []
            chunk.extend(claim.lines)
            bad.extend(claim.unreadable)
    yield chunk, bad


def service_lines(path: Path, text: TextIO | None = None) -> Iterator[ServiceLine | BadClaim]:
    """Every service line of the file and every damaged claim, in file order. Raises InputFileError when
    the file is not an 837P (not X12 at all, or another transaction such as an 835). `text`: the file's
    text already open (a Spark worker holds its bytes, not the file), `path` then only names it."""
    found: list[Delimiters] = []
    try:
        opened = (
            nullcontext(text)
            if text is not None
            else path.open(encoding=ENCODING, errors="replace", newline="")
        )
        with opened as handle:
            yield from Loops(found).run(segments(handle, found))
    except NotX12 as exc:
        raise InputFileError(
            f"{path} is not an X12 837P file: {exc}; export the claims again as 837P"
        ) from None
    except WrongTransaction as exc:
        raise InputFileError(f"{path}: {exc}; give an 837P file") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror}); check the file") from None


def charge_line(line: ServiceLine, sheet: str) -> ChargeLine:
    texts = f"{line.claim}{line.patient}{line.payer}{line.provider}{line.specialty}{line.hcpcs}{line.npi}"
    if CONTROL.search(texts) or CONTROL.search(line.billing_npi):  # rare: shown as "?", as in a spreadsheet
        cleaned: dict[str, Any] = {name: clean_text(getattr(line, name)) for name in TEXT_FIELDS}
        line = line._replace(**cleaned)
    modifiers = line.modifiers
    diagnoses = line.diagnoses
    # the leading fields positionally, in ChargeLine's order (read.rows.LINE_FIELDS): keywords cost 2x
    return ChargeLine(
        SegmentRef(sheet, line.segment),  # source
        line.hcpcs,
        modifiers if len(set(modifiers)) == len(modifiers) else tuple(dict.fromkeys(modifiers)),
        line.units,
        line.dos,
        line.provider,
        line.npi,  # provider_npi
        line.specialty,
        line.billing_npi,  # group
        line.patient,
        diagnoses if len(set(diagnoses)) == len(diagnoses) else tuple(dict.fromkeys(diagnoses)),
        line.pos,
        line.charge,
        line.payer,
        line.claim,
        columns=COLUMNS,
    )


def unreadable_lines(bad: BadClaim, sheet: str) -> list[UnreadableLine]:
    """One UnreadableLine per service line of a damaged claim (the damaged one says what is wrong, the
    others why they were not checked); one for the damage itself when the claim has no line."""
    fault = f"segment {bad.segment} ({bad.segment_id}): {bad.reason}"
    where = f"its claim (CLM at segment {bad.claim_segment})" if bad.claim_segment else "it"
    out = [
        UnreadableLine(
            SegmentRef(sheet, segment),
            f"{fault}; {where} is not checked" if segment == bad.segment
            else f"not checked: {where} has a damaged segment {bad.segment} ({bad.segment_id}): {bad.reason}",
        )
        for segment in bad.lines
    ]  # fmt: skip
    if not bad.lines:  # a claim without lines, or damage outside any claim that no claim followed
        told = f"{fault}; {where} is not checked" if bad.claim_segment else fault
        out.append(UnreadableLine(SegmentRef(sheet, bad.segment), told))
    return sorted(out, key=lambda u: u.source.row)
