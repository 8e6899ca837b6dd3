"""Hostile cell values (issue 17, item 3): every one is either read as what it says, reported with a finding,
or made unreadable with the reason, and every row is accounted for. One export holds all the cases (one
per row; one run of `rvucheck check` as a user would run it); each case checks its own row."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.hostile.build import Error, row, write_csv, write_xlsx
from tests.hostile.harness import Outcome, run_cli


@dataclass(frozen=True)
class Case:
    name: str
    fields: dict[str, object]
    unreadable: str = ""  # a reason the row is unreadable for (substring)
    rule: str = ""  # a rule its line must carry
    not_rule: str = ""  # a rule its line must not carry
    read: tuple[str, object] | None = None  # (json key, value) of the line as read
    warning: str = ""  # a warning the line carries (substring): a cell read as blank for its Excel error


CASES = [
    Case("units inf", {"Units": "inf"}, unreadable="units 'inf' is not a number"),
    Case("units 1e400", {"Units": "1e400"}, unreadable="not a finite number"),
    Case("units nan", {"Units": "nan"}, unreadable="units 'nan' is not a number"),
    Case("units -infinity", {"Units": "-Infinity"}, unreadable="is not a number"),
    Case("units 1e9 as a number", {"Units": 1e9}, rule="LN09", read=("units", 1e9)),
    Case("units 10000", {"Units": "10000"}, rule="LN09"),
    Case("units 9999", {"Units": "9999"}, not_rule="LN09", read=("units", 9999.0)),
    Case("units zero", {"Units": "0"}, rule="LN02", not_rule="LN09"),
    Case("units #REF!", {"Units": Error("#REF!")}, unreadable="holds the Excel error #REF!"),
    Case("units #DIV/0!", {"Units": Error("#DIV/0!")}, unreadable="holds the Excel error #DIV/0!"),
    # an Excel error in a cell the line is checked without is read as blank, with a warning naming the cell
    Case(
        "patient #REF!", {"Patient": Error("#REF!")}, read=("hcpcs", "99213"), warning="(#REF!) holds an Ex"
    ),
    Case("payer #N/A as text", {"Payer": "#N/A"}, read=("units", 1.0), warning="(#N/A) holds an Excel error"),
    Case("claim and dx #N/A", {"Claim": Error("#N/A"), "Dx": "#N/A"}, warning="(#N/A) hold Excel errors"),
    # ... but not in one it needs: the code, units, date or modifiers
    Case("modifier #REF!", {"Mod1": Error("#REF!")}, unreadable="holds the Excel error #REF!"),
    Case("date #DIV/0!", {"DOS": Error("#DIV/0!")}, unreadable="holds the Excel error #DIV/0!"),
    Case("code #N/A as text", {"CPT": "#N/A"}, unreadable="holds the Excel error #N/A"),
    Case("date 3000000", {"DOS": "3000000"}, unreadable="not a date between 1900 and 2100"),
    Case("date 3000000 as a number", {"DOS": 3000000}, unreadable="not a date between 1900 and 2100"),
    Case("date 20261399", {"DOS": "20261399"}, unreadable="not a date"),
    Case("date in Arabic-Indic digits", {"DOS": "٢٠٢٦١٠٠٥"}, unreadable="U+0662"),
    Case("date 1899", {"DOS": "1899-12-01"}, unreadable="outside 1900-2100"),
    Case("date 2101", {"DOS": "2101-01-01"}, unreadable="outside 1900-2100"),
    Case("date in full-width digits", {"DOS": "２０２６-１０-０５"}, not_rule="LN03"),
    Case("modifier full-width 25", {"Mod1": "２５"}, read=("modifiers", ["25"])),
    Case("modifier 2 and an Arabic-Indic 5", {"Mod1": "2٥"}, unreadable="U+0665"),
    Case("code in full-width digits", {"CPT": "９９２１３"}, read=("hcpcs", "99213")),
    Case("code N/A beside a payer named Total", {"CPT": "N/A", "Payer": "Total Care"}, rule="CV01"),
    Case("units in full-width digits", {"Units": "２"}, read=("units", 2.0)),
]
FIRST_ROW = 2  # worksheet row of CASES[0]


def _lines_by_row(outcome: Outcome) -> dict[int, dict[str, Any]]:
    return {line["row"]: line for line in outcome.json()["lines"]}


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    folder = tmp_path_factory.mktemp("values")
    rows = [row(number, **case.fields) for number, case in enumerate(CASES)]
    rows.append(["Grand Total", "", "", "", "", "", "", "", "", ""])  # a real totals row
    export = write_xlsx(folder / "values.xlsx", rows)
    outcome = run_cli(folder, "check", export.name, "--format", "json", "--no-annotate")
    outcome.extra["export"] = export
    return outcome


def _assert_run_held(outcome: Outcome, lines: int) -> None:
    outcome.assert_no_traceback()
    outcome.assert_inputs_unchanged()
    assert outcome.code == 1, (outcome.code, outcome.stderr[-500:])  # findings found, not a crash (2)
    assert not outcome.written
    summary = outcome.json()["summary"]
    assert summary["lines"] == summary["checked"] + summary["unreadable"] == lines


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_value(checked: Outcome, case: Case) -> None:
    _assert_run_held(checked, len(CASES))
    line = _lines_by_row(checked)[FIRST_ROW + CASES.index(case)]
    rules = [finding["rule"] for finding in line["findings"]]
    if case.unreadable:
        assert rules == ["RD01"], line
        assert case.unreadable in line["findings"][0]["message"], line
        assert "P" + str(CASES.index(case)) not in line["findings"][0]["message"]  # no patient id
    else:
        assert "RD01" not in rules, line
    if case.rule:
        assert case.rule in rules, line
    if case.not_rule:
        assert case.not_rule not in rules, line
    if case.read:
        key, value = case.read
        assert line[key] == value, line
    row = FIRST_ROW + CASES.index(case)
    if case.warning:
        (warning,) = line["warnings"]
        assert warning.startswith(f"row {row}: Charges!") and case.warning in warning, warning
        assert "P" + str(CASES.index(case)) not in warning and "Aetna" not in warning  # cells, never values
    else:
        assert "warnings" not in line, line


def test_totals_row_is_counted_apart(checked: Outcome) -> None:
    _assert_run_held(checked, len(CASES))
    summary = checked.json()["summary"]
    assert summary["totals"] == 1
    assert FIRST_ROW + len(CASES) not in _lines_by_row(checked)


def test_json_has_no_infinity_or_nan(checked: Outcome) -> None:
    """Python writes inf as the bare token Infinity, which is not JSON; any such token fails here."""

    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in --format json")

    assert json.loads(checked.stdout, parse_constant=refuse)["summary"]["lines"] == len(CASES)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"Units": "#REF!"}, "holds the Excel error #REF!"),
        ({"Units": "1e400"}, "not a finite number"),
        ({"DOS": "20261399"}, "not a date"),
    ],
    ids=["csv units #REF!", "csv units 1e400", "csv date 20261399"],
)
def test_csv_values(tmp_path: Path, fields: dict[str, object], reason: str) -> None:
    export = write_csv(tmp_path / "values.csv", [row(1), row(2, **fields)])
    outcome = run_cli(tmp_path, "check", export.name, "--format", "json", "--no-annotate")
    _assert_run_held(outcome, 2)
    line = _lines_by_row(outcome)[3]
    assert [f["rule"] for f in line["findings"]] == ["RD01"]
    assert reason in line["findings"][0]["message"]


def test_csv_patient_error_is_read_as_blank_with_a_warning(tmp_path: Path) -> None:
    """A CSV holds an Excel error as its text: in a cell the line is checked without (the patient), the
    line is read with the cell blank (a patient of its own) and the text output warns, naming the cell."""
    export = write_csv(tmp_path / "values.csv", [row(1), row(2, Patient="#N/A")])
    outcome = run_cli(tmp_path, "check", export.name, "--format", "json", "--no-annotate")
    outcome.assert_no_traceback()
    outcome.assert_inputs_unchanged()
    assert outcome.code == 0 and outcome.json()["summary"]["checked"] == 2  # a warning is not a finding
    line = _lines_by_row(outcome)[3]
    assert "RD01" not in [f["rule"] for f in line["findings"]]
    assert line["warnings"] == [
        "row 3: values!B3 (#N/A) holds an Excel error (a formula that failed), read as blank: the line is "
        "checked without it; fix it in the export"
    ]
    text = run_cli(tmp_path, "check", export.name, "--no-annotate")
    assert f"note: {line['warnings'][0]}" in text.stdout
