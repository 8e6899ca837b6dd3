"""The one loop every engine reads an 837P through (read.x12.reader.read_claims): claims whole, in file order,
with their segment numbers; the whole read, the local engine's chunks and a Spark worker's read all give
its lines. The expected values are main's before the three loops became one (made-up fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rvucheck.read.x12.reader import read_claims, read_x12, read_x12_chunks

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
NAMES = ["basic.837", "malformed.837", "crlf_two_envelopes.837", "one_line.837", "other_delimiters.x12"]


def test_a_claims_lines_come_together_with_their_segment_numbers() -> None:
    claims = list(read_claims(FIXTURES / "basic.837"))
    assert [[(line.claim, line.source.row) for line in claim.lines] for claim in claims] == [
        [("CLAIM1001", 24), ("CLAIM1001", 27), ("CLAIM1001", 30), ("CLAIM1001", 33)],
        [("CLAIM1002", 40), ("CLAIM1002", 43), ("CLAIM1002", 46)],
        [("CLAIM1003", 66), ("CLAIM1003", 69), ("CLAIM1003", 74)],
        [("CLAIM1004", 79)],
    ]
    assert [claim.last_segment for claim in claims] == [33, 46, 74, 79]
    assert all(claim.unreadable == [] for claim in claims)


def test_a_damaged_claim_is_its_unreadable_lines_and_the_last_segment_it_reached() -> None:
    claims = list(read_claims(FIXTURES / "malformed.837"))
    assert [[line.claim for line in claim.lines] for claim in claims] == [
        ["CLAIM3001"], [], [], [], [], [], ["CLAIM3007"],
    ]  # fmt: skip
    assert [[u.source.row for u in claim.unreadable] for claim in claims] == [
        [], [29, 32], [37], [42], [47], [52], [],
    ]  # fmt: skip
    # the fourth claim's damage (segment 43) lies past its only line (42): the read's last row counts it
    assert [claim.last_segment for claim in claims] == [24, 32, 37, 43, 47, 52, 56]
    assert claims[1].unreadable[0].reason.startswith("not checked: its claim (CLM at segment 26)")
    assert claims[1].unreadable[1].reason.startswith("segment 32 (SV1): SV104 (units) is missing")
    assert read_x12(FIXTURES / "malformed.837")["last_row"] == 56


@pytest.mark.parametrize("name", NAMES)
def test_the_whole_read_the_chunks_and_a_spark_worker_give_the_claims_lines(name: str) -> None:
    path = FIXTURES / name
    claims = list(read_claims(path))
    lines = [line for claim in claims for line in claim.lines]
    unreadable = [u for claim in claims for u in claim.unreadable]
    whole = read_x12(path)
    assert (whole["lines"], whole["unreadable"]) == (lines, unreadable) and lines
    pytest.importorskip("pyarrow")  # the scale extra: batch/ needs it, the reader does not
    from rvucheck.batch.spark_x12 import _read as spark_worker_read

    assert spark_worker_read(name, path.read_bytes()) == (lines, unreadable)
    # chunks of one line: each chunk is one claim's lines, with the damaged claims that followed it
    chunks = list(read_x12_chunks([path, path], 1))
    assert [chunk for chunk, _bad in chunks] == [claim.lines for claim in claims if claim.lines] * 2
    assert [u for _chunk, bad in chunks for u in bad] == unreadable * 2
