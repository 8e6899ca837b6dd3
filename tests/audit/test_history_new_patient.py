"""Issue 12 item 8: the history the store returns gives NP01 the same findings as the full history.

Hand-built lines (made-up patients and NPIs); the session prices them on the installed CMS data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from audit_helpers import line, result

from rvucheck.audit.history import HistoryStore
from rvucheck.model import ChargeLine
from rvucheck.session import Session

NPI = "1234567893"


def _np01(session: Session, october: list[ChargeLine], history: list[ChargeLine]) -> list[tuple[int, str]]:
    report = session.check(october, (), history)
    return [(f.source.row, f.message) for f in report.findings if f.rule == "NP01"]


def _store_and_full(tmp_path: Path, september: list[ChargeLine]) -> tuple[list[ChargeLine], ...]:
    store = HistoryStore(tmp_path)
    keyer = store.keyer()
    keyed = keyer.apply(september)
    store.record("2026-09", [result(c) for c in keyed], [])
    october = keyer.apply([line(2, "99203", provider_npi=NPI, dos=dt.date(2026, 10, 5))])
    returned = store.lines_before("2026-10", {keyer.key("P1")}, {keyer.key("P1")})
    return october, returned, keyed


def test_a_later_reading_does_not_hide_an_earlier_visit(tmp_path: Path, data_dir: Path) -> None:
    september = [
        line(2, "99213", provider_npi=NPI, dos=dt.date(2026, 9, 1)),
        line(3, "93010", provider_npi=NPI, dos=dt.date(2026, 9, 20), modifiers=("26",)),
    ]
    october, returned, full = _store_and_full(tmp_path, september)
    session = Session.open(data_dir)
    with_full = _np01(session, october, full)
    assert len(with_full) == 1 and "2026-09-01 (99213)" in with_full[0][1]
    assert _np01(session, october, returned) == with_full
    assert sorted(r.hcpcs for r in returned) == ["93010", "99213"]


def test_readings_only_stay_clean_with_either_history(tmp_path: Path, data_dir: Path) -> None:
    september = [
        line(2, "93010", provider_npi=NPI, dos=dt.date(2026, 9, 1), modifiers=("26",)),
        line(3, "71046", provider_npi=NPI, dos=dt.date(2026, 9, 20), modifiers=("26",)),
    ]
    october, returned, full = _store_and_full(tmp_path, september)
    session = Session.open(data_dir)
    assert _np01(session, october, full) == [] == _np01(session, october, returned)


def test_frequency_limits_see_every_earlier_line_of_their_codes(tmp_path: Path, data_dir: Path) -> None:
    store = HistoryStore(tmp_path)
    keyer = store.keyer()
    old = keyer.apply([line(2, "G0438", provider="Dr B", dos=dt.date(2021, 3, 2))])
    store.record("2021-03", [result(c) for c in old], [])
    september = keyer.apply([line(2, "G0439", dos=dt.date(2026, 9, 1)), line(3, "99213", patient="P2")])
    store.record("2026-09", [result(c) for c in september], [])
    session = Session.open(data_dir)
    codes = session.frequency_codes()
    assert {"G0438", "G0439", "99490", "99495"} <= codes and "99213" not in codes
    october = keyer.apply(
        [line(2, "G0438", dos=dt.date(2026, 10, 8)), line(3, "G0439", dos=dt.date(2026, 10, 8))]
    )
    returned = store.lines_before("2026-10", {keyer.key("P1")}, set(), codes)
    assert sorted((r.hcpcs, r.dos) for r in returned) == [
        ("G0438", dt.date(2021, 3, 2)),
        ("G0439", dt.date(2026, 9, 1)),
    ]
    found = sorted(
        (f.rule, f.source.row) for f in session.check(october, (), returned).findings if f.rule[:2] == "FQ"
    )
    assert found == [("FQ01", 3), ("FQ02", 2)]
    assert [f for f in session.check(october, (), []).findings if f.rule[:2] == "FQ"] == []


def test_the_kx_threshold_adds_up_the_years_therapy_in_the_history(tmp_path: Path, data_dir: Path) -> None:
    store = HistoryStore(tmp_path)
    keyer = store.keyer()
    earlier = [
        line(2, "97110", modifiers=("GP",), units=100, dos=dt.date(2025, 12, 1)),  # last year: not counted
        line(3, "97110", modifiers=("GP",), units=100, dos=dt.date(2026, 3, 2)),
        line(4, "99213", dos=dt.date(2026, 3, 2)),
    ]
    store.record("2026-03", [result(c) for c in keyer.apply(earlier[1:])], [])
    store.record("2025-12", [result(c) for c in keyer.apply(earlier[:1])], [])
    session = Session.open(data_dir)
    assert session.threshold_modifiers() == {"GP", "GN", "GO"}
    october = keyer.apply([line(2, "97110", modifiers=("GP",)), line(3, "97110", modifiers=("GP", "KX"))])
    returned = store.lines_before("2026-10", {keyer.key("P1")}, set(), (), session.threshold_modifiers())
    assert [(r.hcpcs, r.dos) for r in returned] == [("97110", dt.date(2026, 3, 2))]
    found = [
        (f.rule, f.source.row) for f in session.check(october, (), returned).findings if f.rule == "TH03"
    ]
    assert found == [("TH03", 2)]
    assert [f for f in session.check(october, (), []).findings if f.rule == "TH03"] == []
