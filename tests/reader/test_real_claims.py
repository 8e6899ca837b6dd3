"""Real claim files nobody on this project wrote (../shared/data/claims, see its PROVENANCE.md), read with no
--map: MIMIC-III CPTEVENTS (one line per row) and the DE-SynPUF carrier claims (CMS's wide layout)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from rvucheck.read.charges import read_charges

CLAIMS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "claims"
if not CLAIMS.is_dir():  # a worktree beside /work/main
    CLAIMS = Path("/work/shared/data/claims")
pytestmark = pytest.mark.skipif(not CLAIMS.is_dir(), reason="../shared/data/claims is not here")


def _records(name: str) -> list[dict[str, str]]:
    with (CLAIMS / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_mimic_cptevents_reads_unmapped_as_the_mapped_run_does() -> None:
    path = CLAIMS / "CPTEVENTS.csv"
    plain = read_charges(path)
    mapped = read_charges(path, mapping={"hcpcs": "CPT_CD", "dos": "CHARTDATE", "patient": "SUBJECT_ID"})
    assert plain.rows_read == mapped.rows_read == 1579
    assert [(x.source, x.hcpcs, x.dos, x.patient) for x in plain.lines] == [
        (x.source, x.hcpcs, x.dos, x.patient) for x in mapped.lines
    ]
    assert plain.headers[plain.mapping["hcpcs"] - 1] == "CPT_CD"  # not CPT_NUMBER
    assert plain.headers[plain.mapping["dos"] - 1] == "CHARTDATE"
    assert plain.headers[plain.mapping["patient"] - 1] == "SUBJECT_ID"
    records = _records("CPTEVENTS.csv")
    dated = sum(1 for r in records if r["CHARTDATE"])
    # MIMIC shifts its dates into 2100-2200: every dated row is reported with the reason, never guessed at
    assert dated == 291 and all(x.dos is None for x in plain.lines)
    assert len(plain.unreadable) == dated
    assert all(u.reason.endswith("is outside 1900-2100") for u in plain.unreadable)
    assert {x.patient for x in plain.lines} == {r["SUBJECT_ID"] for r in records if not r["CHARTDATE"]}
    assert {"patient", "dos", "hcpcs"} <= plain.fields and "modifiers" not in plain.fields
    assert all(dict(x.columns).keys() == plain.fields for x in plain.lines)  # mapped iff in columns
    assert plain.layout.fields == plain.fields


def test_desynpuf_wide_claims_become_one_line_per_filled_slot() -> None:
    path = CLAIMS / "desynpuf_carrier_claims_sample.csv"
    read = read_charges(path)
    records = _records("desynpuf_carrier_claims_sample.csv")
    header = next(csv.reader((CLAIMS / "desynpuf_carrier_claims_sample.csv").open(encoding="utf-8")))
    expected = []
    for row_number, record in enumerate(records, start=2):
        for k in range(1, 14):
            if record[f"HCPCS_CD_{k}"]:
                expected.append((row_number, header.index(f"HCPCS_CD_{k}") + 1, record[f"HCPCS_CD_{k}"], k))
    assert read.wide and len(expected) == 4
    assert [(x.source.row, x.source.column, x.hcpcs) for x in read.lines] == [e[:3] for e in expected]
    assert read.unreadable == []  # every filled slot is a line, nothing lost
    for line, (row, _column, _code, k) in zip(read.lines, expected, strict=True):
        record = records[row - 2]
        assert line.dos == dt.datetime.strptime(record["CLM_FROM_DT"], "%Y%m%d").date()
        assert line.patient == record["DESYNPUF_ID"] and line.claim == record["CLM_ID"]
        # synthetic NPIs: ten digits, the check digit not always right (8914837640 fails Luhn)
        assert line.provider_npi == record[f"PRF_PHYSN_NPI_{k}"] and len(line.provider_npi) == 10
        own = record[f"LINE_ICD9_DGNS_CD_{k}"]
        assert line.diagnoses[0].replace(".", "") == own  # the line's own diagnosis first, then the claim's
        claim_dx = [record[f"ICD9_DGNS_CD_{i}"] for i in range(1, 9) if record[f"ICD9_DGNS_CD_{i}"]]
        assert {d.replace(".", "") for d in line.diagnoses} == {own, *claim_dx}
        assert dict(line.columns)["hcpcs"] == header.index(f"HCPCS_CD_{k}") + 1
        assert dict(line.columns)["provider_npi"] == header.index(f"PRF_PHYSN_NPI_{k}") + 1
    assert "charge" not in read.fields  # LINE_ALOWD_CHRG_AMT / LINE_NCH_PMT_AMT are not what was charged


def test_a_wide_claim_row_without_any_code_is_reported_not_lost(tmp_path: Path) -> None:
    text = (CLAIMS / "desynpuf_carrier_claims_sample.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    empty = ["X1", "C9", "20090101", *[""] * (len(header) - 3)]
    export = tmp_path / "wide.csv"
    export.write_text("\n".join([*text, ",".join(empty)]) + "\n", encoding="utf-8")
    read = read_charges(export)
    assert len(read.lines) == 4
    reported = [(u.source.row, "no line of this claim has a code" in u.reason) for u in read.unreadable]
    assert reported == [(4, True)]


def test_npi_check_digit() -> None:
    from rvucheck.read.evidence import is_npi

    assert is_npi("1234567893") and is_npi(1234567893.0) and is_npi("6513947302")
    assert not is_npi("1234567890") and not is_npi("8914837640") and not is_npi("12345")


def test_a_wide_row_carries_every_one_of_its_lines_results(tmp_path: Path, data_dir: Path) -> None:
    """The report workbook writes one result per sheet row: a claim row of three lines shows all three."""
    import openpyxl

    from rvucheck.cli.main import main

    export = tmp_path / "carrier.csv"
    export.write_bytes((CLAIMS / "desynpuf_carrier_claims_sample.csv").read_bytes())
    out = tmp_path / "out.xlsx"
    argv = [f"--data-dir={data_dir}", "check", str(export), "--out", str(out), "--fail-on", "never"]
    assert main(argv) == 0
    book = openpyxl.load_workbook(out)
    sheet = book["carrier"]
    heads = [c.value for c in sheet[1]]
    findings = sheet.cell(3, heads.index("Findings") + 1).value
    assert [code in findings for code in ("99337:", "90775:", "17003:")] == [True, True, True]
    assert not sheet.cell(2, heads.index("Findings") + 1).value.startswith("66984:")  # one line: as before
    found = book["Findings"]
    titles = [c.value for c in found[1]]
    rows = [dict(zip(titles, row, strict=True)) for row in found.iter_rows(min_row=2, values_only=True)]
    by_code = {row["Code"]: row["Cell"] for row in rows if row["Code"] is not None}
    # each finding names its own line (and the line's date of service)
    assert by_code == {
        "66984": "carrier!C2", "99337": "carrier!C3", "90775": "carrier!C3", "17003": "carrier!C3"
    }  # fmt: skip
    assert {str(row["Date of service"])[:10] for row in rows if row["Code"]} == {"2008-02-29", "2008-08-28"}
    # the run's notes (stale NCCI, another year's release) belong to no line: no code beside them
    assert rows and all(str(row["Rule"]).startswith("RD") for row in rows if row["Code"] is None)
