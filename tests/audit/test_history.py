from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from audit_helpers import line, result

from rvucheck.audit.history import HistoryStore, ProviderMonth, lines_table
from rvucheck.audit.keys import SECRET_FILE, PatientKeyer


def _month(store: HistoryStore, month: str, charges: list, work: float = 2.0) -> None:  # type: ignore[type-arg]
    keyer = store.keyer()
    keyed = keyer.apply(charges)
    totals = [ProviderMonth(month, "Dr A", len(keyed), len(keyed), work, work, 100.0, {"GS01": 1})]
    store.record(month, [result(c, work=work) for c in keyed], totals, ["charges.xlsx"])


def test_secret_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    first = PatientKeyer.for_dir(tmp_path).key("MRN-123")
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    assert PatientKeyer.for_dir(tmp_path).key("MRN-123") == first  # same secret next run
    assert len(first) == 64 and first != "MRN-123"
    assert PatientKeyer.for_dir(tmp_path / "other").key("MRN-123") != first  # another secret, another key


def test_patients_never_reach_the_store_in_clear(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    _month(store, "2026-09", [line(2, "27447", patient="MRN-SECRET-998877", dos=dt.date(2026, 9, 20))])
    raw = store.path.read_bytes()
    assert b"MRN-SECRET-998877" not in raw
    assert store.keyer().key("MRN-SECRET-998877").encode() in raw


def test_reauditing_a_month_replaces_it_and_forget_removes_it(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    _month(store, "2026-09", [line(2, "99213"), line(3, "99214")])
    _month(store, "2026-09", [line(2, "99213")], work=5.0)
    _month(store, "2026-10", [line(2, "99215")])
    months = store.months()
    assert [(m.month, m.line_count, m.work_rvu) for m in months] == [("2026-09", 1, 5.0), ("2026-10", 1, 2.0)]
    assert [p.findings for p in store.provider_months(before="2026-10")] == [{"GS01": 1}]
    assert store.forget("2026-09") is True
    assert store.forget("2026-09") is False
    assert [m.month for m in store.months()] == ["2026-10"]


def test_lines_before_gives_recent_surgery_and_the_latest_visit_per_physician(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    keyer = store.keyer()
    _month(store, "2025-01", [line(2, "99203", patient="P1", dos=dt.date(2025, 1, 10))])
    _month(store, "2026-03", [line(2, "99213", provider="Dr C", patient="P1", dos=dt.date(2026, 3, 3))])
    september = keyer.apply(
        [
            line(2, "27447", patient="P1", dos=dt.date(2026, 9, 20), pos="21"),
            line(3, "99024", patient="P1", dos=dt.date(2026, 9, 28)),
            line(4, "99213", patient="P2", dos=dt.date(2026, 9, 21)),
        ]
    )
    store.record(
        "2026-09", [result(september[0], global_days="090"), result(september[1]), result(september[2])], []
    )
    _month(store, "2026-11", [line(2, "99213", patient="P1", dos=dt.date(2026, 11, 2))])
    _month(store, "2024-06", [line(2, "99203", patient="P1", dos=dt.date(2024, 6, 10))])  # superseded
    got = store.lines_before("2026-10", {keyer.key("P1")})
    # P2 is not asked for, 2026-11 is later; Dr A's 2025-01 visit stays (the latest 99203 of Dr A's: the
    # later September lines are other codes, which may not be face to face); the surgery comes for its
    # global window even though a later line of Dr A's exists
    assert sorted((g.hcpcs, g.provider, g.dos) for g in got) == [
        ("27447", "Dr A", dt.date(2026, 9, 20)),
        ("99024", "Dr A", dt.date(2026, 9, 28)),
        ("99203", "Dr A", dt.date(2025, 1, 10)),
        ("99213", "Dr C", dt.date(2026, 3, 3)),
    ]
    surgery = next(g for g in got if g.hcpcs == "27447")
    assert surgery.patient == keyer.key("P1") and surgery.pos == "21"
    assert surgery.source.sheet == "2026-09 Charges" and surgery.source.row == 2


def test_visits_older_than_three_years_are_not_history(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    _month(store, "2023-06", [line(2, "99213", patient="P1", dos=dt.date(2023, 6, 1))])
    assert store.lines_before("2026-10", {store.keyer().key("P1")}) == []


def test_store_lives_in_the_data_dir_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RVUCHECK_DATA", str(tmp_path / "env-data"))
    store = HistoryStore()
    assert store.path == tmp_path / "env-data" / "audit-history.sqlite"
    assert HistoryStore(tmp_path / "given").path == tmp_path / "given" / "audit-history.sqlite"


def test_old_visits_only_for_patients_billed_a_new_patient_code(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    keyer = store.keyer()
    _month(
        store,
        "2026-03",
        [
            line(2, "99213", patient="P1", dos=dt.date(2026, 3, 3)),
            line(3, "99213", patient="P2", dos=dt.date(2026, 3, 4)),
        ],
    )
    both = {keyer.key("P1"), keyer.key("P2")}
    assert len(store.lines_before("2026-10", both)) == 2  # no restriction given: everyone's
    got = store.lines_before("2026-10", both, new_patient_keys={keyer.key("P2")})
    assert [(g.patient, g.dos) for g in got] == [(keyer.key("P2"), dt.date(2026, 3, 4))]


def test_a_month_becomes_a_table_name_only_when_it_is_a_month() -> None:
    assert lines_table("2026-10") == "lines_2026_10"
    for bad in ("2026-13", "2026-1", "x; DROP TABLE months", ""):
        with pytest.raises(ValueError):
            lines_table(bad)
