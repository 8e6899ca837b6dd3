"""The 837P reader's service lines equal pyx12 4.0.0's parse of the same files (tests/fixtures/x12, made-up
values written by make_fixtures.py): every line's fields, and on the damaged file the same claims left out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rvucheck.read.x12.reader import service_lines
from rvucheck.read.x12.records import BadClaim, ServiceLine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pyx12_side import read_with_pyx12

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
VALID = ["basic.837", "one_line.837", "crlf_two_envelopes.837", "other_delimiters.x12"]


def _ours(path: Path) -> tuple[list[ServiceLine], list[BadClaim]]:
    items = list(service_lines(path))
    return [i for i in items if isinstance(i, ServiceLine)], [i for i in items if isinstance(i, BadClaim)]


@pytest.mark.parametrize("name", VALID)
def test_every_service_line_equals_pyx12s(name: str) -> None:
    lines, bad = _ours(FIXTURES / name)
    theirs = read_with_pyx12(FIXTURES / name)
    assert bad == [] and theirs.bad_claims == {}
    assert len(lines) == len(theirs.lines) >= 2
    for ours, pyx12s in zip(lines, theirs.lines, strict=True):
        assert ours == pyx12s


def test_the_fixtures_exercise_what_the_reader_must_get_right() -> None:
    """So that the equality above means something: modifiers, pointers, overrides, ranges, envelopes."""
    lines, _bad = _ours(FIXTURES / "crlf_two_envelopes.837")
    assert len({line.claim for line in lines}) == 5 and max(len(line.modifiers) for line in lines) == 2
    assert any(len(line.diagnoses) == 4 for line in lines) and any(line.dos != line.dos_end for line in lines)
    assert len({line.npi for line in lines}) == 3 and {line.unit_basis for line in lines} == {"UN", "MJ"}
    assert lines[-1].segment > 100  # the second interchange is numbered on from the first


def test_damaged_claims_are_the_ones_pyx12_finds_damaged_and_the_others_still_equal() -> None:
    path = FIXTURES / "malformed.837"
    lines, bad = _ours(path)
    theirs = read_with_pyx12(path)
    assert lines == theirs.lines and [line.claim for line in lines] == ["CLAIM3001", "CLAIM3007"]
    assert {b.claim_segment for b in bad} == set(theirs.bad_claims) and len(bad) == 5
    for claim in bad:
        pyx12_line = theirs.bad_claims[claim.claim_segment]
        if pyx12_line is not None:  # a damaged element pyx12 names where it is: the same segment
            assert claim.segment == pyx12_line
    # the validator found the missing element, the bad date, the letter in the units, the missing date;
    # the pointer past the claim's two diagnoses is no X12 syntax error, so it is judged on pyx12's values
    assert sum(1 for line in theirs.bad_claims.values() if line is not None) == 3
    assert any("SV104" in text for _line, text in theirs.errors)
