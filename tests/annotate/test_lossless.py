"""The losslessness checker (lossless.py) on the feature-rich corpus: it passes on an identical copy and fails
on openpyxl's load + save, on one changed cell, on a part compressed again, on cells added inside the
original columns; LibreOffice opens every workbook of the corpus. All values are made up."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from annotate_corpus import (
    CHARGES,
    as_xlsm,
    everything,
    feature_rich,
    repackage,
    with_1904_dates,
    with_defined_names,
    with_pivot,
    with_shared_strings,
    with_sparklines,
    with_threaded_comments,
    with_x14_formats,
)
from lossless import assert_lossless, lossless_problems

from rvucheck.read.charges import read_charges

BUILDERS: dict[str, Callable[[Path, Path], Path]] = {
    "shared_strings.xlsx": with_shared_strings,
    "dates_1904.xlsx": with_1904_dates,
    "threaded_comments.xlsx": with_threaded_comments,
    "pivot.xlsx": with_pivot,
    "slicer.xlsx": lambda source, target: with_pivot(source, target, slicer=True),
    "x14_formats.xlsx": with_x14_formats,
    "defined_names.xlsx": with_defined_names,
    "sparklines.xlsx": with_sparklines,
    "macros.xlsm": as_xlsm,
}
NAMES = [*BUILDERS, "everything.xlsm"]
FIRST_CHARGE_ROW = [
    "E1",
    "M1",
    "10/01/2026",
    "Dr Alvarez",
    "99213",
    "25",
    "",
    "1",
    "E11.9",
    "11",
    "150",
    "300",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    plain = feature_rich(folder / "feature_rich.xlsx")
    built = {name: builder(plain, folder / name) for name, builder in BUILDERS.items()}
    steps = folder / "steps"
    steps.mkdir()
    built["everything.xlsm"] = everything(steps)
    return built


@pytest.mark.parametrize("name", NAMES)
def test_an_identical_copy_is_lossless(name: str, corpus: dict[str, Path], tmp_path: Path) -> None:
    copy = Path(shutil.copy(corpus[name], tmp_path / name))
    assert_lossless(corpus[name], copy, set())
    assert_lossless(corpus[name], copy, {CHARGES, "[Content_Types].xml", "xl/sharedStrings.xml"})


@pytest.mark.parametrize("name", NAMES)
def test_openpyxl_load_and_save_is_not_lossless(name: str, corpus: dict[str, Path], tmp_path: Path) -> None:
    source = corpus[name]
    book = openpyxl.load_workbook(source, keep_vba=source.suffix == ".xlsm")
    book.save(tmp_path / name)
    may_change = {
        CHARGES,
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
    }
    problems = lossless_problems(source, tmp_path / name, may_change)
    assert "xl/drawings/drawing1.xml: content changed" in problems  # the chart's drawing, written anew
    with pytest.raises(AssertionError, match="is not lossless"):
        assert_lossless(source, tmp_path / name, may_change)


@pytest.mark.parametrize(
    ("name", "dropped"),
    [
        ("threaded_comments.xlsx", ["xl/threadedComments/threadedComment1.xml", "xl/persons/person.xml"]),
        ("slicer.xlsx", ["xl/slicers/slicer1.xml", "xl/slicerCaches/slicerCache1.xml"]),
        (
            "shared_strings.xlsx",
            ["xl/sharedStrings.xml"],
        ),  # openpyxl writes every string inline: the part goes
    ],
)
def test_the_parts_openpyxl_drops_are_named(
    name: str, dropped: list[str], corpus: dict[str, Path], tmp_path: Path
) -> None:
    openpyxl.load_workbook(corpus[name]).save(tmp_path / name)
    problems = lossless_problems(corpus[name], tmp_path / name, set())
    assert [p for p in problems if p.endswith("missing from the output")] == [
        f"{part}: missing from the output" for part in dropped
    ]


def _edit_sheet(source: Path, target: Path, edit: Callable[[bytes], bytes]) -> Path:
    return repackage(source, target, {CHARGES: edit})


def test_a_repackaged_copy_with_nothing_changed_is_lossless(corpus: dict[str, Path], tmp_path: Path) -> None:
    """The premise of the tests below: repackaging deflates each part as the corpus builder did."""
    for name in NAMES:
        assert_lossless(corpus[name], _edit_sheet(corpus[name], tmp_path / name, lambda data: data), set())


@pytest.mark.parametrize("name", ["shared_strings.xlsx", "everything.xlsm"])
def test_one_changed_cell_is_found(name: str, corpus: dict[str, Path], tmp_path: Path) -> None:
    changed = _edit_sheet(
        corpus[name], tmp_path / name, lambda d: d.replace(b"<v>99213</v>", b"<v>99214</v>", 1)
    )
    assert lossless_problems(corpus[name], changed, {CHARGES}) == [
        f"{CHARGES}: original cells changed or removed: E4"
    ]
    assert lossless_problems(corpus[name], changed, set()) == [f"{CHARGES}: content changed"]


def _append(column: str) -> Callable[[bytes], bytes]:
    """A result cell at the end of every charge row (as an annotator appends them), in `column`."""

    def edit(data: bytes) -> bytes:
        return re.sub(
            rb'(<row r="([0-9]+)"[^>]*>.*?)</row>',
            lambda m: (
                m.group(1)
                + b'<c r="%s%s" t="inlineStr"><is><t>ok</t></is></c></row>' % (column.encode(), m.group(2))
            ),
            data,
        )

    return edit


@pytest.mark.parametrize("name", NAMES)
def test_cells_appended_beyond_the_last_column_are_allowed(
    name: str, corpus: dict[str, Path], tmp_path: Path
) -> None:
    annotated = _edit_sheet(corpus[name], tmp_path / name, _append("M"))
    assert_lossless(corpus[name], annotated, {CHARGES})
    assert lossless_problems(corpus[name], annotated, set()) == [f"{CHARGES}: content changed"]


def test_cells_added_inside_the_original_columns_are_not(corpus: dict[str, Path], tmp_path: Path) -> None:
    name = "x14_formats.xlsx"
    added = _edit_sheet(
        corpus[name],
        tmp_path / name,
        lambda d: d.replace(b'<c r="H4"', b'<c r="G4"><v>1</v></c><c r="H4"', 1),
    )
    assert lossless_problems(corpus[name], added, {CHARGES}) == [
        f"{CHARGES}: cells added inside the original columns (1-12): G4"
    ]


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            lambda d: d.replace(b'<c r="K5" s="5"', b'<c r="K5" s="2"', 1),
            "original cells changed or removed: K5",
        ),
        (lambda d: d.replace(b"<f>K6*2</f>", b"<f>K6*3</f>", 1), "original cells changed or removed: L6"),
        (lambda d: re.sub(rb"<c r=\"I9\".*?</c>", b"", d, count=1), "original cells changed or removed: I9"),
        (
            lambda d: d.replace(b'<row r="7" hidden="1">', b'<row r="7">', 1),
            "row attributes changed or rows removed: 7",
        ),
    ],
    ids=["style", "formula", "removed", "unhidden"],
)
def test_each_kind_of_cell_change_is_found(
    edit: Callable[[bytes], bytes], problem: str, corpus: dict[str, Path], tmp_path: Path
) -> None:
    name = "defined_names.xlsx"
    changed = _edit_sheet(corpus[name], tmp_path / name, _append("N"))  # appended results do not hide it
    changed = _edit_sheet(changed, tmp_path / f"2-{name}", edit)
    assert lossless_problems(corpus[name], changed, {CHARGES}) == [f"{CHARGES}: {problem}"]


def test_a_part_compressed_again_is_found(corpus: dict[str, Path], tmp_path: Path) -> None:
    source = corpus["macros.xlsm"]
    target = tmp_path / "recompressed.xlsm"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            level = 1 if item.filename == "xl/theme/theme1.xml" else None
            dst.writestr(item, src.read(item.filename), compresslevel=level)
    assert lossless_problems(source, target, set()) == [
        "xl/theme/theme1.xml: same content, compressed again (its compressed bytes differ)"
    ]


def test_shared_strings_that_now_name_other_text_are_found(corpus: dict[str, Path], tmp_path: Path) -> None:
    name = "shared_strings.xlsx"
    swapped = repackage(
        corpus[name],
        tmp_path / name,
        {"xl/sharedStrings.xml": lambda d: d.replace(b"<t>E1</t>", b"<t>E9</t>", 1)},
    )
    problems = lossless_problems(corpus[name], swapped, {"xl/sharedStrings.xml"})
    assert problems == [f"{CHARGES}: shared strings now name other text: A4, A5"]


def test_the_1904_workbook_reads_the_same_dates(corpus: dict[str, Path], tmp_path: Path) -> None:
    plain = read_charges(feature_rich(tmp_path / "plain.xlsx"))
    shifted = read_charges(corpus["dates_1904.xlsx"])
    assert shifted.date1904 and not plain.date1904
    assert [line.dos for line in shifted.lines] == [line.dos for line in plain.lines]
    assert [line.hcpcs for line in read_charges(corpus["shared_strings.xlsx"]).lines] == [
        line.hcpcs for line in plain.lines
    ]


@pytest.mark.libreoffice
def test_libreoffice_opens_every_workbook_of_the_corpus(corpus: dict[str, Path], tmp_path: Path) -> None:
    from test_libreoffice import _soffice

    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,false,false,false,-1"
    command = [
        _soffice(),
        "--headless",
        profile,
        "--convert-to",
        every_sheet,
        "--outdir",
        str(tmp_path / "csv"),
    ]
    subprocess.run([*command, *map(str, corpus.values())], check=True, capture_output=True, timeout=300)
    for name, path in corpus.items():
        with (tmp_path / "csv" / f"{path.stem}-Charges.csv").open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[3][:12] == FIRST_CHARGE_ROW, name
        assert rows[1][0] == "October 2026", name  # a shared string with formatting runs, where it is one
    with (tmp_path / "csv" / "everything-Pivot.csv").open(encoding="utf-8") as handle:
        pivot = list(csv.reader(handle))
    assert pivot[3:7] == [["20610", "180"], ["99213", "150"], ["99214", "220"], ["Total Result", "550"]]


def _styles_edit(edit: Callable[[bytes], bytes]) -> dict[str, Callable[[bytes], bytes]]:
    return {"xl/styles.xml": edit}


def test_styles_may_be_added_but_not_changed(corpus: dict[str, Path], tmp_path: Path) -> None:
    source = corpus["macros.xlsm"]
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    fill = b'<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/></patternFill></fill>'
    added = repackage(
        source,
        tmp_path / "added.xlsm",
        _styles_edit(
            lambda d: d.replace(b"</cellXfs>", xf + b"</cellXfs>").replace(b"</fills>", fill + b"</fills>")
        ),
    )
    assert_lossless(source, added, {"xl/styles.xml"})
    changed = repackage(
        source,
        tmp_path / "changed.xlsm",
        _styles_edit(lambda d: d.replace(b'<b val="1"/>', b'<i val="1"/>', 1)),
    )
    assert lossless_problems(source, changed, {"xl/styles.xml"}) == [
        "xl/styles.xml: original fonts changed (styles may only be added after them)"
    ]
    formats = repackage(
        source, tmp_path / "formats.xlsm", _styles_edit(lambda d: d.replace(b"mm/dd/yyyy", b"dd/mm/yyyy", 1))
    )
    assert lossless_problems(source, formats, {"xl/styles.xml"}) == [
        "xl/styles.xml: number formats changed: 165"
    ]
