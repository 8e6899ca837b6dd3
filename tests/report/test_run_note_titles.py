"""Every run note the code can emit (RDnn) has a title for the Findings sheet, the Summary and the audit."""

from __future__ import annotations

import re
from pathlib import Path

from rvucheck.report.summary import RUN_NOTE_TITLES

SOURCE = Path(__file__).resolve().parents[2] / "src/rvucheck"


def test_every_run_note_id_in_the_code_has_a_title() -> None:
    used = {
        match
        for path in SOURCE.rglob("*.py")
        for match in re.findall(r"\"(RD\d\d)\"", path.read_text(encoding="utf-8"))
    }
    assert {"RD01", "RD04", "RD14", "RD16"} <= used  # the scan finds the notes where they are defined
    assert sorted(used - set(RUN_NOTE_TITLES)) == []
