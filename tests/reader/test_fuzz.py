"""Fuzz the reader and the engine: random cell types, values and layouts never crash them, and every row
below the header is accounted for (checked, unreadable with a reason, a totals row, or blank)."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rvucheck.errors import InputFileError
from rvucheck.read.charges import ReadResult, read_charges

HEADER_CHOICES = [
    "CPT",
    "Proc Code",
    "Units",
    "Qty",
    "DOS",
    "Date of Service",
    "Mod 1",
    "Modifier 2",
    "Dx1",
    "ICD-10",
    "POS",
    "Charge",
    "Patient",
    "MRN",
    "Provider",
    "Rendering NPI",
    "Notes",
    "",
    "Claim",
]
TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"), max_size=12
)
CELL = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(
        [
            "99213",
            "99213-25",
            "G2211",
            "0001T",
            "25,59",
            "E11.9",
            "Total",
            "Grand Total",
            "=1+1",
            " ",
            "\xa0",
            "10/05/2026",
            "13/45/2026",
            "abc",
            "-1",
            "1e3",
        ]
    ),
    st.integers(min_value=-10, max_value=100_000),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.booleans(),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 1, 1)),
    TEXT,
)


@st.composite
def layouts(draw: Any) -> tuple[list[list[object]], int]:
    width = draw(st.integers(min_value=1, max_value=8))
    title_rows = draw(st.integers(min_value=0, max_value=4))
    headers = draw(st.lists(st.sampled_from(HEADER_CHOICES), min_size=width, max_size=width))
    headers[draw(st.integers(min_value=0, max_value=width - 1))] = draw(st.sampled_from(["CPT", "HCPCS"]))
    rows: list[list[object]] = [[draw(TEXT)] for _ in range(title_rows)]
    rows.append(list(headers))
    rows += draw(st.lists(st.lists(CELL, min_size=0, max_size=width + 2), max_size=25))
    return rows, title_rows + 1


def _accounted(result: ReadResult) -> None:
    rows = (
        [x.source.row for x in result.lines] + [u.source.row for u in result.unreadable] + result.totals_rows
    )
    assert len(rows) == len(set(rows)), "a row counted twice"
    assert all(result.header_row < row <= result.last_row for row in rows)
    assert len(rows) + result.blank_rows == result.last_row - result.header_row
    assert all(u.reason for u in result.unreadable)


def _write_xlsx(rows: list[list[object]], path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    wb.save(path)


def _write_csv(rows: list[list[object]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["" if v is None else v for v in row] for row in rows])


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(layouts(), st.sampled_from(["xlsx", "csv"]))
def test_reader_never_crashes_and_accounts_for_every_row(
    layout: tuple[list[list[object]], int], kind: str
) -> None:
    rows, _header = layout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz.{kind}"
        (_write_xlsx if kind == "xlsx" else _write_csv)(rows, path)
        try:
            result = read_charges(path)
        except InputFileError:
            return  # e.g. a title row that itself looks like a better header without a code column
        _accounted(result)


@FUZZ
@given(layouts())
def test_engine_takes_whatever_the_reader_gives(ref: Any, layout: tuple[list[list[object]], int]) -> None:
    from rvucheck.engine.runner import run
    from rvucheck.rules.ruleset import load_ruleset
    from rvucheck.settings import Settings

    rows, _header = layout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.xlsx"
        _write_xlsx(rows, path)
        try:
            result = read_charges(path)
        except InputFileError:
            return
    settings_ = Settings(today=dt.date(2026, 11, 26))
    report = run(result.lines, ref, load_ruleset(settings_), settings_, unreadable=result.unreadable)
    assert len(report.results) == len(result.lines)
    assert [r.line for r in report.results] == result.lines
    assert len(report.unreadable) == len(result.unreadable)
    rd01 = [f for f in report.run_findings if f.rule == "RD01"]
    assert len(rd01) == len(result.unreadable)


# Issue 10: header spellings as real exports write them, in any case, with "_" or no separator, in any
# column order, with columns missing and look-alike columns beside them. Every row is read as a line, each
# present field comes from its own column, and a missing field is in no line's `columns` (the contract the
# engine keys on: a field is mapped iff it is in ChargeLine.columns).
SPELLINGS = {
    "hcpcs": [
        "CPT",
        "CPT Code",
        "HCPCS",
        "Proc Code",
        "Procedure Code",
        "CPT/HCPCS",
        "CLM LINE HCPCS CD",
        "Submitted CPT",
        "CPT CD",
        "24D CPT/HCPCS",
    ],
    "dos": [
        "DOS",
        "Date of Service",
        "Service Date",
        "Date of Svc",
        "DOS From",
        "From Date",
        "CLM LINE FROM DT",
        "claim line start date",
        "Svc Dt",
        "Chart Date",
    ],
    "patient": [
        "Patient ID",
        "MRN",
        "Pt MRN",
        "Pt Acct",
        "Account Number",
        "Patient Id",
        "member id",
        "Subject ID",
        "Bene ID",
        "Medical Record Number",
    ],
    "units": ["Units", "Qty", "Days or Units", "Service Units", "SRVC UNIT QTY", "Unit Count", "Quantity"],
    "modifiers": ["Modifier", "Mod 1", "Modifier Code 1", "HCPCS 1 MDFR CD", "hcpcs modifier 1", "Mod"],
    "provider": ["Rendering Provider", "Provider Name", "Rendering Provider Name", "Physician", "Doctor"],
}
DISTRACTORS = {  # columns that must not be taken for any of the fields above
    "Notes": "see chart",
    "Line Payment Amount": "12.50",
    "Patient DOB": "1950-01-02",
    "To": "2026-07-31",
    "CPT_NUMBER": "99999",
    "Billing Provider": "Group LLC",
    "Dx Pointer": "1",
}


def _spell(text: str, style: str) -> str:
    if style == "upper_snake":
        return text.upper().replace(" ", "_").replace("/", "_")
    if style == "lower_snake":
        return text.lower().replace(" ", "_")
    if style == "camel":
        return "".join(word[:1].upper() + word[1:] for word in text.split(" "))
    if style == "upper_run":
        return text.upper().replace(" ", "")
    return text


@st.composite
def spelled_exports(draw: Any) -> tuple[list[str], list[dict[str, object]], set[str]]:
    present = {"hcpcs"} | draw(st.sets(st.sampled_from([f for f in SPELLINGS if f != "hcpcs"])))
    style = draw(st.sampled_from(["as_written", "upper_snake", "lower_snake", "camel", "upper_run"]))
    columns = [(f, _spell(draw(st.sampled_from(SPELLINGS[f])), style)) for f in sorted(present)]
    columns += [(None, name) for name in draw(st.sets(st.sampled_from(sorted(DISTRACTORS)), max_size=3))]
    columns = draw(st.permutations(columns))
    count = draw(st.integers(min_value=2, max_value=12))
    records = []
    for n in range(count):
        records.append({
            "hcpcs": draw(st.sampled_from(["99213", "99214", "20610", "G0439", "0001T"])),
            "dos": dt.date(2026, 7, 1) + dt.timedelta(days=n % 5),
            "patient": f"P{draw(st.integers(min_value=100, max_value=999))}",
            "units": float(draw(st.integers(min_value=1, max_value=3))),
            "modifiers": draw(st.sampled_from(["", "25", "59", "LT"])),
            "provider": draw(st.sampled_from(["Dr A", "Dr B"])),
        })  # fmt: skip
    header = [name for _f, name in columns]
    rows = [
        [record[f].isoformat() if f == "dos" else record[f] if f else DISTRACTORS[name]  # type: ignore[attr-defined]
         for f, name in columns]
        for record in records
    ]  # fmt: skip
    return (
        header,
        [dict(zip(header, row, strict=True)) | {"_record": r} for row, r in zip(rows, records, strict=True)],
        present,
    )


@FUZZ
@given(spelled_exports())
def test_random_header_spellings_and_missing_columns_lose_no_line(
    export: tuple[list[str], list[dict[str, object]], set[str]],
) -> None:
    header, rows, present = export
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spelled.csv"
        _write_csv([header, *([row[h] for h in header] for row in rows)], path)
        result = read_charges(path)
    assert result.rows_read == len(result.lines) == len(rows), (header, result.unreadable[:2])
    assert set(result.fields) & set(SPELLINGS) == present, (header, result.evidence)
    for line, row in zip(result.lines, rows, strict=True):
        record: dict[str, Any] = row["_record"]  # type: ignore[assignment]
        assert dict(line.columns).keys() == result.fields
        assert line.hcpcs == record["hcpcs"]
        if "dos" in present:
            assert line.dos == record["dos"]
        if "patient" in present:
            assert line.patient == record["patient"]
        if "units" in present:
            assert line.units == record["units"]
        if "modifiers" in present:
            assert line.modifiers == ((record["modifiers"],) if record["modifiers"] else ())
        if "provider" in present:
            assert line.provider == record["provider"]
