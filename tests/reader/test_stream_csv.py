"""read.sources.stream_csv: a CSV's rows one at a time, decoded and split exactly as read_csv_grid reads
the whole file (UTF-8 with and without a BOM, UTF-16, a Windows cp1252 export)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from rvucheck.errors import InputFileError
from rvucheck.read.sources import read_csv_grid, stream_csv

TEXT = 'CPT,Units,Note\r\n99213,1,"café two\nlines"\r\n\r\n71046,2,Größe\r\n' + "99214,1,x\r\n" * 5


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("utf8", TEXT.encode("utf-8")),
        ("bom", codecs.BOM_UTF8 + TEXT.encode("utf-8")),
        ("utf16", TEXT.encode("utf-16")),
        ("cp1252", TEXT.encode("cp1252") + b"\x81,x,y\r\n"),  # 0x81 is undefined in cp1252: U+FFFD
    ],
)
def test_streamed_rows_are_the_whole_grid(name: str, raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(raw)
    rows = list(stream_csv(path))
    assert rows == read_csv_grid(path).rows
    assert rows[0] == ["CPT", "Units", "Note"] and rows[1][2] == "café two\nlines"
    assert rows[3][2] == "Größe" and rows[2] == []
    if name == "cp1252":
        assert rows[-1][0] == "\ufffd"


def test_an_invalid_csv_is_one_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"  # a cell past the csv module's field limit
    path.write_bytes(b"CPT,Units\n99213,1\n" * 10 + b"99213," + b"x" * 200_000 + b"\n")
    with pytest.raises(InputFileError, match=r"bad\.csv: line \d+ is not valid CSV") as whole:
        read_csv_grid(path)
    with pytest.raises(InputFileError) as streamed:
        list(stream_csv(path))
    assert str(streamed.value) == str(whole.value)
