"""Bad input files: one line naming the file and what to do (the CLI test checks exit 2 and no output)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from rvucheck.errors import InputFileError
from rvucheck.read import safety
from rvucheck.read.safety import ENCRYPTED_MARK, OLE_MAGIC, check_input


def make_bad_inputs(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, a phrase its message must contain). Shared with the CLI tests."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[Path, str]] = {}
    out["missing"] = (folder / "nope.xlsx", "no such file")
    (folder / "a-folder.xlsx").mkdir(exist_ok=True)
    out["directory"] = (folder / "a-folder.xlsx", "is a folder")
    (folder / "empty.xlsx").write_bytes(b"")
    out["empty file"] = (folder / "empty.xlsx", "is empty")
    legacy = folder / "old.xls"
    legacy.write_bytes(OLE_MAGIC + b"\x00" * 4000)
    out["legacy xls"] = (legacy, "save it as .xlsx")
    locked = folder / "locked.xlsx"
    locked.write_bytes(OLE_MAGIC + b"\x00" * 512 + ENCRYPTED_MARK + b"\x00" * 512)
    out["password"] = (locked, "password-protected")
    big_locked = folder / "big-locked.xlsx"  # the stream's name across the scan's 4 MB chunk boundary
    big_locked.write_bytes(OLE_MAGIC + b"\x00" * (4 * 1024**2 - len(OLE_MAGIC) - 10) + ENCRYPTED_MARK)
    out["password, large file"] = (big_locked, "password-protected")
    good = folder / "good.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["CPT"])
    wb.active.append([99213])
    wb.save(good)
    corrupt = folder / "corrupt.xlsx"
    corrupt.write_bytes(good.read_bytes()[:300])
    out["corrupt zip"] = (corrupt, "damaged")
    text = folder / "text.xlsx"
    text.write_text("CPT,Units\n99213,1\n")
    out["not a workbook"] = (text, "not an Excel workbook")
    docx = folder / "letter.xlsx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    out["zip that is not a workbook"] = (docx, "not an Excel workbook")
    pdf = folder / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    out["unsupported type"] = (pdf, "unsupported file type '.pdf'")
    binary_csv = folder / "binary.csv"
    binary_csv.write_bytes(b"CPT\x00\x01\x02")
    out["binary csv"] = (binary_csv, "not a text CSV")
    empty_book = folder / "blank.xlsx"
    openpyxl.Workbook().save(empty_book)
    out["empty workbook"] = (empty_book, "has no data")
    bomb = folder / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("[Content_Types].xml", "xl/workbook.xml"):
            archive.writestr(name, "<x/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            block = b"\x00" * (1 << 20)
            for _ in range(130):  # 130 MB of zeros -> about 130 KB on disk
                stream.write(block)
    out["zip bomb"] = (bomb, "zip bomb")
    no_code = folder / "no-code.csv"  # passes check_input; the reader refuses it
    no_code.write_text("Name,Amount,Date\nBob,12,2026-10-01\n")
    out["csv with no code column"] = (
        no_code,
        "no procedure code column found (CPT, HCPCS, Proc Code, "
        "Procedure Code or CPT Code); headers seen: Name, Amount, Date; name it",
    )
    return out


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return make_bad_inputs(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "directory",
        "empty file",
        "legacy xls",
        "password",
        "password, large file",
        "corrupt zip",
        "not a workbook",
        "zip that is not a workbook",
        "unsupported type",
        "binary csv",
        "zip bomb",
    ],
)
def test_each_bad_input_gets_one_line_naming_the_file(
    case: str, bad_inputs: dict[str, tuple[Path, str]]
) -> None:
    path, phrase = bad_inputs[case]
    with pytest.raises(InputFileError) as raised:
        check_input(path)
    message = str(raised.value)
    assert str(path) in message and phrase in message and "\n" not in message


def test_huge_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.csv"
    big.write_text("CPT\n" + "99213\n" * 1000)
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 1000)
    with pytest.raises(InputFileError, match="too large for a charge export"):
        check_input(big)


def test_good_inputs_pass(tmp_path: Path, bad_inputs: dict[str, tuple[Path, str]]) -> None:
    good = bad_inputs["corrupt zip"][0].with_name("good.xlsx")
    assert check_input(good).kind == "xlsx"
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("CPT\n99213\n")
    assert check_input(csv_file).kind == "csv"
