"""Damaged 837P files never crash the reader: random edits of a made-up fixture either read (every SV1 it
still holds is a checked line or an unreadable one) or are refused with a one-line InputFileError."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rvucheck.errors import InputFileError
from rvucheck.read.charges import read_charges

BASIC = (Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "basic.837").read_text()
EDIT = st.tuples(
    st.integers(min_value=0, max_value=len(BASIC) - 1),
    st.integers(min_value=0, max_value=12),
    st.text(alphabet="*:~^\n\r 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-\x00é", max_size=8),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDIT, min_size=1, max_size=4))
def test_edited_837_files_read_or_are_refused_in_one_line(edits: list[tuple[int, int, str]]) -> None:
    text = BASIC
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edited.837"
        path.write_bytes(text.encode("utf-8"))
        try:
            read = read_charges(path)
        except InputFileError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            return
    rows = [line.source.row for line in read.lines] + [u.source.row for u in read.unreadable]
    assert len(rows) == len(set(rows))  # one outcome per place in the file
    sv1 = text.count("SV1*")
    assert len(read.lines) <= sv1
    assert all(u.reason and "MADEUP" not in u.reason and "MEMBER" not in u.reason for u in read.unreadable)
