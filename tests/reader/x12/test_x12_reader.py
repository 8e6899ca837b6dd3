"""The 837P reader as the rest of rvucheck sees it: ChargeLines with the right values, damaged claims
reported line by line (segment numbers, never patient data), files that are not 837P refused in one line,
streaming details (delimiters per interchange, a file cut short), and the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from rvucheck.cli.main import main
from rvucheck.errors import InputFileError
from rvucheck.read.charges import read_charges
from rvucheck.read.safety import check_input
from rvucheck.read.x12 import tokens
from rvucheck.read.x12.reader import service_lines
from rvucheck.read.x12.records import BadClaim, ServiceLine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
PATIENT_DATA = ("MADEUP", "MEMBER", "CLAIM", "19600101", "20150615", "CHILD", "AVENUE")


def test_service_lines_become_charge_lines_with_every_field() -> None:
    read = read_charges(FIXTURES / "basic.837")
    assert read.kind == "x12" and read.rows_read == 11 and read.unreadable == []
    by_row = {line.source.row: line for line in read.lines}
    first = by_row[24]  # SV1*HC:99214:25*160*UN*1***1:2 under CLM*CLAIM1001 (no 2310B: the billing NPI)
    assert (first.hcpcs, first.modifiers, first.units, first.charge, first.pos) == (
        "99214",
        ("25",),
        1.0,
        160.0,
        "11",
    )
    assert first.diagnoses == ("E11.9", "I10") and first.dos == dt.date(2025, 3, 10)
    assert (first.patient, first.claim, first.payer) == ("MEMBER0001", "CLAIM1001", "MADE UP HEALTH PLAN")
    assert first.provider_npi == first.group == "1234567893" and first.specialty == "207Q00000X"
    assert by_row[30].diagnoses == ("Z79.4", "E11.9")  # pointers 3:1, in their order
    assert by_row[43].modifiers == ("LT", "59") and by_row[43].provider_npi == "1987654328"  # 2310B
    therapy = by_row[69]  # 2420A overrides 2310B for its line only; SV105 overrides CLM05-1; RD8 range
    assert (therapy.provider_npi, therapy.pos, therapy.dos) == ("1555555550", "11", dt.date(2025, 4, 1))
    assert (by_row[66].provider_npi, by_row[66].pos) == ("1987654328", "22")
    assert by_row[74].units == 1.5 and by_row[79].units == 45.0  # SV103 MJ: minutes, as CMS claims put them
    dependent = by_row[66].patient  # a 2000C patient: the subscriber's id + a digest, no name
    assert dependent.startswith("MEMBER0002~") and len(dependent) == len("MEMBER0002~") + 12
    assert by_row[79].patient == dependent  # the same child on another claim is the same patient
    assert read.fields >= {"patient", "dos", "provider_npi", "diagnoses", "modifiers", "units", "group"}
    assert read.headers[read.mapping["units"] - 1] == "SV104 units"


def test_the_range_end_and_claim_frequency_are_kept_on_the_service_line() -> None:
    lines = [i for i in service_lines(FIXTURES / "basic.837") if isinstance(i, ServiceLine)]
    therapy = next(line for line in lines if line.hcpcs == "97110")
    assert (therapy.dos, therapy.dos_end, therapy.frequency) == (
        dt.date(2025, 4, 1),
        dt.date(2025, 4, 3),
        "7",
    )
    assert {line.frequency for line in lines if line.claim != "CLAIM1003"} == {"1"}


def test_a_damaged_claim_is_reported_line_by_line_with_segment_numbers_and_no_patient_data() -> None:
    read = read_charges(FIXTURES / "malformed.837")
    assert [line.claim for line in read.lines] == ["CLAIM3001", "CLAIM3007"]
    reasons = {u.source.row: u.reason for u in read.unreadable}
    assert sorted(reasons) == [29, 32, 37, 42, 47, 52]  # every SV1 of the five damaged claims
    assert (
        reasons[32]
        == "segment 32 (SV1): SV104 (units) is missing; its claim (CLM at segment 26) is not checked"
    )
    assert reasons[29].startswith("not checked: its claim (CLM at segment 26) has a damaged segment 32 (SV1)")
    assert "SV107 points at diagnosis 3; the claim's HI has 2" in reasons[37]
    assert "segment 43 (DTP): DTP03 (service date) is not a valid date" in reasons[42]
    assert "SV104 (units) is not a number" in reasons[47] and "no DTP*472 service date" in reasons[52]
    assert not any(word in reason for reason in reasons.values() for word in PATIENT_DATA)
    assert read.rows_read == 8  # every service line of the file, checked or reported


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("ascii"))
    return path


def test_a_file_cut_short_reports_its_last_claim(tmp_path: Path) -> None:
    text = (FIXTURES / "basic.837").read_text()
    cut = _write(tmp_path, "cut.837", text[: text.index("DTP*472*D8*20250405") + 12])
    items = list(service_lines(cut))
    bad = [i for i in items if isinstance(i, BadClaim)]
    assert len([i for i in items if isinstance(i, ServiceLine)]) == 10
    assert len(bad) == 1 and bad[0].lines == (79,) and "cut short" in bad[0].reason
    whole = _write(tmp_path, "no_trailer.837", text[: text.index("\nSE*") + 1])  # every segment whole, no SE
    bad = [i for i in service_lines(whole) if isinstance(i, BadClaim)]
    assert len(bad) == 1 and bad[0].reason.startswith("the file ends inside this claim")


def test_each_interchange_has_its_own_delimiters(tmp_path: Path) -> None:
    """pyx12 reads the first ISA's delimiters only; the reader reads each interchange's own."""
    both = (FIXTURES / "basic.837").read_bytes() + (FIXTURES / "other_delimiters.x12").read_bytes()
    path = tmp_path / "mixed.837"
    path.write_bytes(both)
    lines = [i for i in service_lines(path) if isinstance(i, ServiceLine)]
    alone = [i for i in service_lines(FIXTURES / "other_delimiters.x12") if isinstance(i, ServiceLine)]
    assert len(lines) == 13 and [line.hcpcs for line in lines[-2:]] == ["99215", "93000"]
    assert [line._replace(segment=0) for line in lines[-2:]] == [line._replace(segment=0) for line in alone]
    # numbered on across interchanges: basic.837's segments come first
    assert lines[-2].segment == (FIXTURES / "basic.837").read_bytes().count(b"~") + alone[0].segment


def test_the_reader_streams_in_chunks_and_a_segment_across_chunks_is_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = [i for i in service_lines(FIXTURES / "crlf_two_envelopes.837")]
    monkeypatch.setattr(tokens, "CHUNK", 7)  # every segment split across reads
    assert [i for i in service_lines(FIXTURES / "crlf_two_envelopes.837")] == whole


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("remittance.835", None, "835 (remittance advice)"),
        ("claims.837", "GARBAGE NOT X12\n", "does not start with an ISA header"),
        ("claims.edi", "ISA*00*short~", "ISA header"),
        ("inst.837", "837I", "837I (institutional claims)"),
    ],
)
def test_a_file_that_is_not_an_837p_is_refused_in_one_line(
    tmp_path: Path, name: str, content: str | None, says: str
) -> None:
    if content is None:
        path = FIXTURES / name
    elif content == "837I":
        text = (FIXTURES / "basic.837").read_text().replace("005010X222A1", "005010X223A2")
        path = _write(tmp_path, name, text)
    else:
        path = _write(tmp_path, name, content)
    with pytest.raises(InputFileError) as caught:
        check_input(path)
    message = str(caught.value)
    assert says in message and str(path) in message and "\n" not in message


def test_a_txt_file_is_a_csv_unless_it_starts_with_isa(tmp_path: Path) -> None:
    csv = _write(tmp_path, "charges.txt", "CPT,DOS\n99213,03/10/2025\n")
    x12 = _write(tmp_path, "claims.txt", (FIXTURES / "basic.837").read_text())
    assert (check_input(csv).kind, check_input(x12).kind) == ("csv", "x12")


def test_later_transaction_of_another_kind_stops_the_read(tmp_path: Path) -> None:
    text = (FIXTURES / "crlf_two_envelopes.837").read_text()
    second = text.rindex("GS*HC")
    path = _write(tmp_path, "mixed.837", text[:second] + text[second:].replace("GS*HC", "GS*HP", 1))
    with pytest.raises(InputFileError, match="835"):
        read_charges(path)


def test_check_an_837_on_the_command_line(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    assert main([str(FIXTURES / "malformed.837"), "--format", "json", "--fail-on", "never"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["summary"]["lines"] == 8 and document["summary"]["unreadable"] == 6
    assert {line["row"] for line in document["lines"]} == {24, 29, 32, 37, 42, 47, 52, 56}
    assert "gets no annotated copy" in captured.err and not list(FIXTURES.glob("*.rvucheck.xlsx"))
    assert main([str(FIXTURES / "basic.837"), "--out", "copy.xlsx"]) == 2
    assert "writes no annotated copy" in capsys.readouterr().err
    assert main([str(FIXTURES / "remittance.835"), "--no-annotate"]) == 2
    assert "rvucheck reads 837P" in capsys.readouterr().err


def test_an_837s_places_are_segments_in_every_output(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An 837's line is SV1 segment N, not row N: the text says so, JSON and CSV keep `row` and add
    `segment`; a spreadsheet's outputs are unchanged (no `segment`)."""
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    malformed = str(FIXTURES / "malformed.837")
    assert main([malformed, "--no-annotate", "--fail-on", "never"]) == 0
    text = capsys.readouterr().out
    assert "malformed.837 segment 32: RD01 error: segment 32 could not be read: segment 32 (SV1)" in text
    assert "malformed.837 segment 56: LN01 warning: 99213 (modifiers: none) repeats segment 24 " in text
    assert re.search(r"\brows? \d", text) is None
    assert main([malformed, "--format", "json", "--fail-on", "never"]) == 0
    lines = json.loads(capsys.readouterr().out)["lines"]
    assert all(line["segment"] == line["row"] for line in lines) and len(lines) == 8
    assert main([malformed, "--format", "csv", "--fail-on", "never"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    duplicate = next(r for r in rows if r["rule"] == "LN01")
    assert (duplicate["row"], duplicate["segment"], duplicate["cell"]) == (
        "56",
        "56",
        "malformed.837 segment 56",
    )
    unreadable = next(r for r in rows if r["rule"] == "RD01")
    assert unreadable["fix"].startswith("Correct the claim in the billing system, export the 837P again")
    sheet = tmp_path / "charges.csv"
    sheet.write_text(
        "Date of Service,CPT,Patient,Provider\n05/01/2025,99213,P1,DR1\n05/01/2025,99213,P1,DR1\n"
    )
    assert main([str(sheet), "--no-annotate", "--format", "csv", "--fail-on", "never"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert "segment" not in rows[0] and rows[0]["cell"] == "charges!B3"
    assert "repeats row 2 " in next(r["message"] for r in rows if r["rule"] == "LN01")


def test_the_web_page_sends_an_837_to_the_command_line() -> None:
    from rvucheck.web.checking import validate

    with pytest.raises(InputFileError, match=r"837P claims file: this page checks spreadsheets; run `rvu"):
        validate(FIXTURES / "basic.837")


def test_control_characters_in_an_837_are_shown_as_question_marks(tmp_path: Path) -> None:
    text = (FIXTURES / "basic.837").read_text().replace("MADE UP HEALTH PLAN", "MADE UP\x1b[31m PLAN")
    read = read_charges(_write(tmp_path, "escape.837", text))
    assert read.lines[0].payer == "MADE UP?[31m PLAN" and read.lines[-1].payer == "MADE UP MEDICARE PLAN"


def test_text_without_segment_terminators_is_refused_not_held_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "MAX_SEGMENT", 4096)
    monkeypatch.setattr(tokens, "CHUNK", 1024)
    text = (FIXTURES / "basic.837").read_text()
    head = text[: text.index("HL*1")]
    path = _write(tmp_path, "endless.837", head + "NTE*ADD*" + "X" * 20000)
    with pytest.raises(InputFileError, match=r"segment 8 runs past 4 KB without a terminator"):
        read_charges(path)


def test_a_transaction_whose_segment_count_is_wrong_is_reported(tmp_path: Path) -> None:
    """SE01 counts the transaction's segments: a claim lost in transit shows there (pyx12 says so too)."""
    text = (FIXTURES / "basic.837").read_text()
    start, end = text.index("CLM*CLAIM1004"), text.index("\nSE*") + 1
    read = read_charges(_write(tmp_path, "lost.837", text[:start] + text[end:]))
    assert len(read.lines) == 10 and len(read.unreadable) == 1
    note = read.unreadable[0]
    assert note.source.row == 76  # the SE
    assert note.reason == (
        "segment 76 (SE): SE01 (segment count) does not match the transaction's segments: some may be lost"
    )
    assert read_charges(FIXTURES / "basic.837").unreadable == []


def test_a_byte_order_mark_and_blank_lines_before_the_isa_are_not_data(tmp_path: Path) -> None:
    text = (FIXTURES / "basic.837").read_text()
    path = tmp_path / "bom.837"
    path.write_bytes(b"\xef\xbb\xbf\r\n" + text.encode("ascii"))
    assert check_input(path).kind == "x12"
    assert [line.hcpcs for line in read_charges(path).lines] == [
        line.hcpcs for line in read_charges(FIXTURES / "basic.837").lines
    ]
