"""For the test suite: every worksheet calamine reads is read by read.stream_sheet too, and the rows compared.

`watch()` wraps `XlsxBook`'s calamine read for as long as it is entered; each sheet read (once per file and
sheet) is streamed and compared with calamine's `to_python(skip_empty_area=False)`. It collects the sheets
whose rows differ (or whose stream failed after it started: a read calamine gives and the stream refuses),
and the sheets the stream declined up front (it falls back to calamine for those: allowed, but counted).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rvucheck.read import sources
from rvucheck.read.package import package_facts
from rvucheck.read.stream_sheet import StreamedSheet


@dataclass
class Watched:
    compared: list[str] = field(default_factory=list)  # "file :: sheet" read both ways, equal
    differ: list[str] = field(default_factory=list)  # "file :: sheet: why"
    declined: list[str] = field(default_factory=list)  # the stream refused the sheet up front


@contextmanager
def watch() -> Iterator[Watched]:
    watched = Watched()
    seen: set[tuple[str, str]] = set()
    original = sources.XlsxBook._sheet

    def checked(book: sources.XlsxBook, name: str) -> Any:
        sheet = original(book, name)
        key = (str(book.path), name)
        if book.kind in ("xlsx", "xlsm") and key not in seen:
            seen.add(key)
            _compare(book, name, sheet, watched)
        return sheet

    sources.XlsxBook._sheet = checked  # type: ignore[method-assign,assignment]
    try:
        yield watched
    finally:
        sources.XlsxBook._sheet = original  # type: ignore[method-assign]


def _compare(book: sources.XlsxBook, name: str, sheet: Any, watched: Watched) -> None:
    label = f"{book.path.name} :: {name}"
    try:
        expected = sheet.to_python(skip_empty_area=False)
    except Exception:  # calamine refuses the sheet: nothing to compare
        return
    try:
        package = io.BytesIO(_read(book.path))  # read below any test's count of the file's opens
        with zipfile.ZipFile(package) as archive:
            facts = package_facts(archive, features=False)
        extras = facts.sheets.get(name)
        if extras is None or not extras.part:
            watched.declined.append(f"{label}: no part")
            return
        streamed = StreamedSheet(package, extras.part, facts.date1904)
    except Exception as exc:  # declined up front: the reader falls back to calamine
        watched.declined.append(f"{label}: {type(exc).__name__}: {exc}")
        return
    try:
        rows = list(streamed.rows())
    except Exception as exc:
        watched.differ.append(f"{label}: stream failed: {type(exc).__name__}: {exc}")
        return
    if rows != expected:
        watched.differ.append(f"{label}: {_first_difference(rows, expected)}")
    else:
        watched.compared.append(label)


def _read(path: Path) -> bytes:
    handle = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(handle, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(handle)


def _first_difference(rows: list[list[object]], expected: list[list[object]]) -> str:
    if len(rows) != len(expected):
        return f"{len(rows)} rows streamed, calamine {len(expected)}"
    for index, (mine, theirs) in enumerate(zip(rows, expected, strict=True)):
        if mine != theirs:
            return f"row {index + 1}: streamed {mine[:8]!r}, calamine {theirs[:8]!r}"
    return "?"
