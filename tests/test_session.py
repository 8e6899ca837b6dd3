"""Session: settings, rules and reference data loaded once, shared by check, audit, rules and the UDFs."""

from __future__ import annotations

import pickle
from pathlib import Path

from rvucheck.excel import range_check
from rvucheck.model import CellRef, ChargeLine
from rvucheck.session import GLOBAL_EM_KINDS, NEW_PATIENT_KINDS, Session
from rvucheck.settings import Settings


def test_rule_ids_by_kind_and_new_patient_codes() -> None:
    session = Session.open(None, Settings(ignore=("GS02",)))
    assert session.rule_ids(GLOBAL_EM_KINDS) == ("GS01", "GS03")
    assert session.rule_ids(NEW_PATIENT_KINDS) == ("NP01",)
    assert {"99202", "99205"} <= session.new_patient_codes()
    assert session._reference == []  # nothing opened until a check needs it (`rules` needs no data)


def test_the_reference_opens_once_and_is_not_sent_to_a_worker(data_dir: Path) -> None:
    session = Session.open(data_dir, Settings(qpp=True))
    line = ChargeLine(source=CellRef("S", 2), hcpcs="99213", units=1)
    report = session.check([line])
    assert session.reference is session.reference
    assert report.results[0].payment is not None and report.results[0].payment > 0
    copy = pickle.loads(pickle.dumps(session))
    assert copy._reference == [] and copy.settings.qpp and len(copy.ruleset) == len(session.ruleset)
    assert copy.check([line]).results[0].payment == report.results[0].payment


def test_the_udfs_keep_one_session_per_data_dir_and_config(data_dir: Path, tmp_path: Path) -> None:
    range_check.session_for.cache_clear()
    first = range_check.session_for(str(data_dir), None)
    assert range_check.session_for(str(data_dir), None) is first
    config = tmp_path / "rvucheck.toml"
    config.write_text('ignore = ["GS"]\n', encoding="utf-8")
    other = range_check.session_for(str(data_dir), config)
    assert other is not first and other.rule_ids(GLOBAL_EM_KINDS) == ()
    assert other.reference is first.reference  # the lookups' reference data, opened once per data dir
