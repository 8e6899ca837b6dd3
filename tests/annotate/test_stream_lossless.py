"""The streamed copy is lossless: every part it need not change is byte-identical (as compressed bytes
too), and every original cell of the charge sheet keeps its value, type, formula and style (a flagged row's
style id becomes a twin that differs only in its fill). LibreOffice opens every output and reads the
appended cells back."""

from __future__ import annotations

import csv
import posixpath
import subprocess
import zipfile
from pathlib import Path

import pytest
from annotate_corpus import FIRST_DATA_ROW, as_xlsm, feature_rich, with_sparklines
from lxml import etree  # type: ignore[import-untyped]
from stream_corpus import inline_1904, prefixed, with_charge_table, with_pivot_and_threads
from test_libreoffice import _soffice
from test_roundtrip import _run

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SHEET = "xl/worksheets/sheet1.xml"
ALWAYS_CHANGED = {
    SHEET, "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
}  # fmt: skip
NOTES = {"xl/worksheets/_rels/sheet1.xml.rels"}


def _raw(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """An entry's compressed bytes, as stored."""
    with open(archive.filename or "", "rb") as handle:
        handle.seek(info.header_offset + 26)
        skip = int.from_bytes(handle.read(2), "little") + int.from_bytes(handle.read(2), "little")
        handle.seek(skip, 1)
        return handle.read(info.compress_size)


def _notes_or_table(name: str) -> bool:
    """The sheet's notes (comments + VML) and tables may change; threaded comments may not."""
    lowered = name.lower()
    legacy_note = "comment" in lowered and "threaded" not in lowered
    return lowered.endswith(".vml") or legacy_note or lowered.startswith("xl/tables/")


def _cells(data: bytes) -> dict[str, tuple[str | None, str | None, str | None, str | None, str]]:
    """address -> (type, style id, formula, value, inline text)."""
    found = {}
    for cell in etree.fromstring(data).iter(f"{MAIN}c"):
        formula, value = cell.find(f"{MAIN}f"), cell.find(f"{MAIN}v")
        inline = "".join(cell.find(f"{MAIN}is").itertext()) if cell.find(f"{MAIN}is") is not None else ""
        found[cell.get("r")] = (
            cell.get("t"),
            cell.get("s", "0"),
            None if formula is None else (formula.text or "") + str(sorted(formula.attrib.items())),
            None if value is None else value.text,
            inline,
        )
    return found


def _xfs(styles: bytes) -> list[dict[str, str]]:
    cell_xfs = etree.fromstring(styles).find(f"{MAIN}cellXfs")
    return [dict(xf.attrib) | {"children": b"".join(map(etree.tostring, xf)).decode()} for xf in cell_xfs]


def assert_lossless(source: Path, copy: Path, flagged_rows: set[int]) -> set[str]:
    """Every part of `source` outside the ones the annotator changes is byte-identical in `copy` (also its
    compressed bytes); every original cell of the charge sheet is unchanged. Returns the changed parts."""
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(copy) as after:
        old = {info.filename: info for info in before.infolist()}
        new = {info.filename: info for info in after.infolist()}
        assert set(old) <= set(new)
        changed = {name for name in old if before.read(name) != after.read(name)}
        allowed = ALWAYS_CHANGED | NOTES | {n for n in old if _notes_or_table(n)}
        assert changed <= allowed, changed - allowed
        for name in set(old) - changed:
            assert _raw(before, old[name]) == _raw(after, new[name]), name
        original, annotated = _cells(before.read(SHEET)), _cells(after.read(SHEET))
        old_xfs, new_xfs = _xfs(before.read("xl/styles.xml")), _xfs(after.read("xl/styles.xml"))
        assert new_xfs[: len(old_xfs)] == old_xfs  # styles are only appended
        for address, (kind, style, formula, value, inline) in original.items():
            twin = annotated[address]
            assert (twin[0], twin[2], twin[3], twin[4]) == (kind, formula, value, inline), address
            row = int("".join(ch for ch in address if ch.isdigit()))
            if row in flagged_rows:
                own, filled = dict(old_xfs[int(style)]), dict(new_xfs[int(twin[1])])
                assert filled.pop("fillId") != own.pop("fillId", "0"), address
                filled.pop("applyFill", None), own.pop("applyFill", None)
                assert filled == own, address  # number format, font, border, alignment kept
            else:
                assert twin[1] == style, address
    return changed


def changed_table(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/tables/chargeRows.xml")


def sheet_tail(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(SHEET).split(b"</sheetData>")[1]


def _libreoffice_rows(path: Path, folder: Path) -> list[list[str]]:
    profile = f"-env:UserInstallation=file://{folder / 'profile'}"
    command = [_soffice(), "--headless", profile, "--convert-to", "csv", "--outdir", str(folder), str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    converted = folder / (path.stem + ".csv")
    return list(csv.reader(converted.open(encoding="utf-8", errors="replace")))


def _flagged(report) -> set[int]:  # type: ignore[no-untyped-def]
    return {r.line.source.row for r in report.results if r.findings}


BUILDERS = {
    "feature-rich": lambda folder: feature_rich(folder / "charges.xlsx"),
    "xlsm": lambda folder: as_xlsm(feature_rich(folder / "base.xlsx"), folder / "charges.xlsm"),
    "sparklines": lambda folder: with_sparklines(feature_rich(folder / "base.xlsx"), folder / "charges.xlsx"),
    "pivot+threads": lambda folder: with_pivot_and_threads(
        feature_rich(folder / "base.xlsx"), folder / "charges.xlsx"
    ),
    "inline strings, 1904 dates": lambda folder: inline_1904(folder / "charges.xlsx"),
    "table over the charges": lambda folder: with_charge_table(
        feature_rich(folder / "base.xlsx"), folder / "charges.xlsx"
    ),
    "prefixed elements": lambda folder: prefixed(feature_rich(folder / "base.xlsx"), folder / "charges.xlsx"),
}


def _sheet_targets(archive: zipfile.ZipFile, sheet: str) -> set[str]:
    """The parts the sheet's relationships point at (xl/drawings/vmlDrawing1.vml ...)."""
    folder, name = sheet.rsplit("/", 1)
    rels = etree.fromstring(archive.read(f"{folder}/_rels/{name}.rels"))
    targets = [r.get("Target") or "" for r in rels]
    return {t[1:] if t.startswith("/") else posixpath.normpath(posixpath.join(folder, t)) for t in targets}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_the_copy_changes_only_what_it_must(tmp_path: Path, name: str) -> None:
    source = BUILDERS[name](tmp_path)
    out, _read, report = _run(source)
    changed = assert_lossless(source, out, _flagged(report))
    assert {SHEET, "xl/styles.xml", "xl/workbook.xml"} <= changed
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        charge_vml = [n for n in names if n.endswith(".vml") and n in _sheet_targets(archive, SHEET)]
        assert len(charge_vml) == 1  # our shapes merged into the sheet's own (openpyxl's) VML
        notes = etree.fromstring(archive.read(charge_vml[0]))  # namespaces declared: else a reader shows them
        rows = [r.text for r in notes.iter("{urn:schemas-microsoft-com:office:excel}Row")]
        assert str(FIRST_DATA_ROW - 1) in rows  # the GS01 note on F4 (0-based row)
    if name == "table over the charges":  # the table grows over the results; it filters, no sheet filter
        assert b'ref="A3:T9"' in changed_table(out) and b"<autoFilter" not in sheet_tail(out)
    if name == "pivot+threads":
        assert {"xl/pivotTables/pivotTable1.xml", "xl/threadedComments/threadedComment1.xml"} <= names


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", list(BUILDERS))
def test_libreoffice_opens_every_copy_and_reads_the_results(tmp_path: Path, name: str) -> None:
    source = BUILDERS[name](tmp_path)
    out, _read, _report = _run(source)
    rows = _libreoffice_rows(out, tmp_path / "lo")
    first = rows[FIRST_DATA_ROW - 1]
    assert first[4] == "99213" and first[12:18] == ["1.3", "1.25", "2.85", "95.19", "XXX", "A"]
    assert first[18] == "error" and first[19].startswith("GS01: 25 missing on 99213")
