"""The engine judges diagnoses by the code set of each line's date, on the real installed code sets, and says
once, as a run-level note (RD09), how many lines it could not judge (undated, or dated outside every set)."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rvucheck.engine.runner import run
from rvucheck.model import CellRef, ChargeLine, Report
from rvucheck.rules.ruleset import Ruleset, load_all, select_rules
from rvucheck.settings import Settings

SETTINGS = Settings(today=dt.date(2026, 12, 31))


def _line(row: int, dos: dt.date | None, *dx: str, patient: str = "P1") -> ChargeLine:
    return ChargeLine(
        source=CellRef("Charges", row),
        hcpcs="99213",
        modifiers=(),
        units=1.0,
        dos=dos,
        provider="DR1",
        patient=patient,
        diagnoses=dx,
        pos="11",
    )


def _dx_rules() -> Ruleset:
    return select_rules(load_all(), Settings(select=("DX",)))


def _by_rule(report: Report) -> Counter[str]:
    """Diagnosis findings and RD09 notes (the other data notes, RD02/RD03 about old or future dates' NCCI and
    PFS releases, are not this test's business)."""
    return Counter(f.rule for f in report.findings if f.rule.startswith("DX") or f.rule == "RD09")


def _notes(report: Report) -> list[Any]:
    return [f for f in report.run_findings if f.rule == "RD09"]


def test_same_codes_judged_by_their_own_fiscal_year(ref: Any) -> None:
    lines = [
        _line(2, dt.date(2018, 3, 1), "N18.3", "M54.5"),  # billable in FY2018
        _line(3, dt.date(2026, 3, 2), "N18.3", "M54.5"),  # categories in FY2026
        _line(4, dt.date(2008, 5, 6), "V09.0", "E8889", "4019"),  # ICD-9-CM, valid
        _line(5, dt.date(2012, 6, 1), "I10"),  # ICD-10 before the transition
        _line(6, dt.date(2019, 3, 4), "4019"),  # ICD-9 after it
    ]
    report = run(lines, ref, _dx_rules(), SETTINGS)
    found = {(f.rule, f.source.row) for f in report.findings if f.rule.startswith(("DX", "RD09"))}
    assert found == {("DX03", 3), ("DX05", 5), ("DX04", 6)}
    assert sum(f.rule == "DX03" for f in report.findings) == 2  # N18.3 and M54.5 on the 2026 line
    [icd9_after] = [f.message for f in report.findings if f.rule == "DX04"]
    assert icd9_after == (
        "diagnosis 1 (4019) is an ICD-9-CM code on a 2019 date: ICD-10-CM has been required since 2015-10-01"
    )
    assert _notes(report) == []  # every line judged: no note


def test_one_note_for_dates_no_set_covers_and_for_undated_lines(ref: Any) -> None:
    lines = [_line(row, dt.date(2100, 1, 1) + dt.timedelta(days=row), "E11.99") for row in range(2, 52)]
    lines += [_line(60, None, "4019"), _line(61, None, "E11.9"), _line(62, dt.date(2100, 3, 1))]  # 62: no dx
    report = run(lines, ref, _dx_rules(), SETTINGS)
    assert _by_rule(report) == Counter({"RD09": 1, "DX01": 1})  # DX01 needs no code set
    [note] = _notes(report)
    assert note.severity == "warning" and note.source.row == 2
    assert note.message.startswith(
        "diagnosis codes not checked on 2 lines without a date of service and 50 lines dated 2100-01-03 to "
        "2100-02-21, which no installed code set covers"
    )
    assert note.message in report.notes


def test_next_fiscal_year_judged_by_the_newest_set_with_one_note(ref: Any) -> None:
    """The bundled sample month is October 2026 (FY2027, its code set not installed): judged by the newest
    installed set, as a date after the newest NCCI quarter or PFS release is, and said once."""
    lines = [_line(row, dt.date(2026, 10, row), "E11", "I10") for row in range(2, 12)]
    report = run(lines, ref, _dx_rules(), SETTINGS)
    assert _by_rule(report) == Counter({"DX03": 10, "RD09": 1})
    [note] = _notes(report)
    newest = ref.dx_code_set(None).name
    assert note.message == (
        f"diagnosis codes on 10 lines dated 2026-10-02 to 2026-10-11 were judged by {newest}, the newest "
        "installed: the FY2027 ICD-10-CM code set is not installed"
    )


def test_no_note_when_no_code_set_rule_runs(ref: Any) -> None:
    lines = [_line(2, dt.date(2150, 1, 1), "E11.99")]
    assert _notes(run(lines, ref, select_rules(load_all(), Settings(select=("GS", "DX01"))), SETTINGS)) == []
    assert len(_notes(run(lines, ref, _dx_rules(), SETTINGS))) == 1


def test_mimic_cpt_events_with_their_admission_diagnoses(ref: Any, shared_cms: Path) -> None:
    """Real MIMIC-III demo lines (dates shifted into 2100-2200, 1,288 of them undated) with the ICD-9 codes of
    their admission: before, every ICD-9 code was judged as ICD-10 (thousands of DX02/DX03); now no line is
    judged and one note says why."""
    claims = shared_cms.parent / "claims"
    by_admission: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with (claims / "DIAGNOSES_ICD.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            by_admission[row["HADM_ID"]].append((int(row["SEQ_NUM"] or 0), row["ICD9_CODE"]))
    lines = []
    with (claims / "CPTEVENTS.csv").open(newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            codes = tuple(code for _, code in sorted(by_admission[row["HADM_ID"]])[:12])
            date = dt.date.fromisoformat(row["CHARTDATE"][:10]) if row["CHARTDATE"] else None
            lines.append(_line(number, date, *codes, patient=row["SUBJECT_ID"]))
    assert len(lines) == 1_579 and sum(line.dos is None for line in lines) == 1_288
    report = run(lines, ref, _dx_rules(), SETTINGS)
    judged = Counter(f.rule for f in report.findings)
    assert judged["DX02"] == judged["DX03"] == judged["DX04"] == judged["DX05"] == 0
    [note] = _notes(report)
    assert "1,288 lines without a date of service and 291 lines dated 21" in note.message
