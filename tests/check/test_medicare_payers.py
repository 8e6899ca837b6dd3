"""The practice profile's `medicare_payers` (rvucheck.toml): with a payer column, other payers' lines are
not Medicare claims. Their est. payment is a Medicare reference rate, and findings of rules whose file says
`scope: medicare` are shown as info with a note and put no dollars at stake; coding rules every payer holds
to keep their severity. A blank payer is unknown (judged as Medicare); without the list or the column
nothing changes. Checked end to end on the real fee schedule (../shared/data/cms)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rvucheck.cli.main import main
from rvucheck.rules.payer_scope import medicare_only
from rvucheck.rules.ruleset import load_ruleset
from rvucheck.settings import Settings, payer_status

HEADER = "Date of Service,CPT,Modifiers,Units,Provider,Patient,Payer,Place of Service\n"
ROWS = HEADER + (
    "05/01/2026,97110,,1,DR1,P1,Medicare Part B,11\n"  # row 2: TH01 (therapy code without GP/GO/GN)
    "05/01/2026,97110,,1,DR1,P2,  aetna  choice ,11\n"  # row 3: the same on a commercial line
    "05/01/2026,97110,,1,DR1,P3,,11\n"  # row 4: no payer given
    "05/01/2026,99213,,0,DR1,P4,Aetna Choice,11\n"  # row 5: units 0 (LN02): coding, every payer
)


def _check(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str], toml: str | None, body: str = ROWS
) -> tuple[int, dict]:  # type: ignore[type-arg]
    claims = tmp_path / "claims.csv"
    claims.write_text(body, encoding="utf-8")
    if toml is not None:
        (tmp_path / "rvucheck.toml").write_text(toml, encoding="utf-8")
    capsys.readouterr()
    code = main(
        [
            f"--data-dir={data_dir}",
            "check",
            str(claims),
            "--locality",
            "01112-05",
            "--no-annotate",
            "--format",
            "json",
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def _findings(report: dict, row: int) -> dict[str, dict]:  # type: ignore[type-arg]
    line = next(line for line in report["lines"] if line["row"] == row)
    return {f["rule"]: f for f in line["findings"]}


@pytest.mark.parametrize(
    ("payer", "status"),
    [
        ("MEDICARE PART B", "medicare"),
        ("  medicare   part b ", "medicare"),
        ("Medicare PartB", "medicare"),  # spaces do not count
        ("Medicare Advantage", "other"),
        ("", "unknown"),
        ("   ", "unknown"),
    ],
)
def test_payer_status(payer: str, status: str) -> None:
    assert payer_status(payer, ("Medicare Part B",)) == status
    assert payer_status(payer, ()) == "unknown"  # no list: nobody is known to be another payer


def test_scope_is_data_in_the_rule_files() -> None:
    ruleset = load_ruleset(Settings())
    scoped = medicare_only(ruleset)
    families = {rule.family for rule in ruleset if rule.id in scoped}
    assert {"TH", "FQ", "LB", "ST", "GS", "MP", "PC", "AS", "CS"} <= families
    assert {"EM04", "TM08", "LN07", "BL01"} <= scoped  # G2211, the 8-minute rule, NA indicators, bilateral
    coding = {"NC01", "NC02", "MU01", "MU02", "AO01", "DX02", "CV02", "LN01", "LN02", "EM03", "TM01", "BL05"}
    assert not coding & scoped  # NCCI, MUE, add-on, code and diagnosis validity hold for every payer


def test_other_payers_lines(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _check(tmp_path, data_dir, capsys, 'medicare_payers = ["MEDICARE PART B"]\n')
    medicare, other, unknown, units = (_findings(report, row) for row in (2, 3, 4, 5))
    assert (
        medicare["TH01"]["severity"] == "error" and "not a Medicare claim" not in medicare["TH01"]["message"]
    )
    assert unknown["TH01"]["severity"] == "error"  # a blank payer is never taken for another payer
    assert other["TH01"]["severity"] == "info"
    assert other["TH01"]["message"].endswith(
        "[not a Medicare claim (payer aetna choice): Medicare payment policy, error on Medicare claims; "
        "check this payer's own rules]"
    )
    assert units["LN02"]["severity"] == "error"  # units 0 is wrong for any payer
    assert code == 1
    bases = {line["row"]: line["payment_basis"] for line in report["lines"]}
    assert bases == {
        2: "medicare_fee_schedule",
        3: "medicare_reference_rate",
        4: "medicare_fee_schedule_payer_unknown",
        5: "medicare_reference_rate",
    }
    pay = {line["row"]: line["payment"] for line in report["lines"]}
    assert report["run"]["payers"] == {
        "medicare": {"lines": 1, "payment": pay[2]},
        "other": {"lines": 2, "payment": round(pay[3] + (pay[5] or 0.0), 2)},
        "unknown": {"lines": 1, "payment": pay[4]},
        "unlisted": {},
    }


def test_other_payers_findings_put_nothing_at_stake(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    body = HEADER + ROWS.splitlines(keepends=True)[2]  # only the commercial TH01 line
    (tmp_path / "a").mkdir()
    code, report = _check(tmp_path / "a", data_dir, capsys, 'medicare_payers = ["Medicare Part B"]\n', body)
    assert code == 0  # nothing at or above error: a commercial line does not fail the run on Medicare policy
    assert report["summary"]["findings"]["error"] == 0
    (tmp_path / "b").mkdir()
    code, report = _check(tmp_path / "b", data_dir, capsys, 'medicare_payers = ["Aetna Choice"]\n', body)
    assert code == 1 and _findings(report, 2)["TH01"]["severity"] == "error"


def test_console_shows_medicare_and_other_payers(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text(ROWS, encoding="utf-8")
    (tmp_path / "rvucheck.toml").write_text('medicare_payers = ["medicare part b"]\n', encoding="utf-8")
    main([f"--data-dir={data_dir}", "check", str(claims), "--locality", "01112-05", "--no-annotate"])
    out = " ".join(capsys.readouterr().out.split())
    assert "medicare lines 1 line, $" in out and "est. Medicare payment" in out
    assert "other-payer lines 2 lines, $" in out and "at Medicare reference rates" in out
    assert "payer not given 1 line, $" in out


@pytest.mark.parametrize(
    ("toml", "body"),
    [
        (None, ROWS),  # no profile
        ('locality = "01112-05"\n', ROWS),  # a profile without medicare_payers
        (
            'medicare_payers = ["MEDICARE PART B"]\n',
            "".join(",".join(r.split(",")[:6] + r.split(",")[7:]) for r in ROWS.splitlines(keepends=True)),
        ),  # no payer column
    ],
)
def test_nothing_changes_without_the_list_or_the_column(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str], toml: str | None, body: str
) -> None:
    _code, report = _check(tmp_path, data_dir, capsys, toml, body)
    assert [_findings(report, row)["TH01"]["severity"] for row in (2, 3, 4)] == ["error"] * 3
    assert report["run"]["payers"] is None
    assert all("payment_basis" not in line for line in report["lines"])


def test_annotated_copy_labels_reference_rates(tmp_path: Path, data_dir: Path) -> None:
    import openpyxl

    claims = tmp_path / "claims.csv"
    claims.write_text(ROWS, encoding="utf-8")
    (tmp_path / "rvucheck.toml").write_text('medicare_payers = ["Medicare Part B"]\n', encoding="utf-8")
    main([f"--data-dir={data_dir}", "check", str(claims), "--locality", "01112-05"])
    book = openpyxl.load_workbook(tmp_path / "claims.rvucheck.xlsx", read_only=True)
    rows = list(book["claims"].iter_rows(values_only=True))
    findings = rows[0].index("Findings")
    cells = {n: str(rows[n - 1][findings] or "") for n in (2, 3, 4)}
    assert cells[3].startswith("est. payment is the Medicare reference rate (payer not Medicare); TH01")
    assert "reference rate" not in cells[2] + cells[4]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert str(summary["Medicare lines"]).startswith("1 line, $")
    assert str(summary["Other-payer lines"]).startswith("2 lines, $")
    assert str(summary["Payer not given"]).startswith("1 line, $")


def test_scope_field_is_checked(tmp_path: Path) -> None:
    from rvucheck.errors import RuleFileError
    from rvucheck.rules.ruleset import builtin_rules_dir, load_rule_file

    text = (builtin_rules_dir() / "th" / "TH03.yaml").read_text(encoding="utf-8")
    assert load_rule_file(builtin_rules_dir() / "th" / "TH03.yaml").scope == "medicare"
    assert load_rule_file(builtin_rules_dir() / "nc" / "NC01.yaml").scope == "all"  # the default
    bad = tmp_path / "TH03.yaml"
    bad.write_text(text.replace("scope: medicare", "scope: commercial"), encoding="utf-8")
    with pytest.raises(RuleFileError) as failure:
        load_rule_file(bad)
    assert "scope: 'commercial' is not one of ['all', 'medicare']" in str(failure.value)


def test_payer_named_medicare_but_not_listed_is_pointed_out(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = ROWS.replace("Medicare Part B", "Medicare  Advantage HMO")  # the only Medicare-like name
    _code, report = _check(tmp_path, data_dir, capsys, 'medicare_payers = ["MEDICARE"]\n', body)
    payers = report["run"]["payers"]
    assert payers["medicare"]["lines"] == 0 and payers["other"]["lines"] == 3
    assert payers["unlisted"] == {"Medicare Advantage HMO": 1}
    assert _findings(report, 2)["TH01"]["severity"] == "info"  # as the profile says: not listed
    main(
        [
            f"--data-dir={data_dir}",
            "check",
            str(tmp_path / "claims.csv"),
            "--locality",
            "01112-05",
            "--no-annotate",
        ]
    )
    out = " ".join(capsys.readouterr().out.split())
    assert "named Medicare but not listed, so judged as other payers: Medicare Advantage HMO (1)" in out


def test_mimic_admissions_insurance_as_the_payer(
    shared_cms: Path, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Data we did not write: MIMIC-III's CPT events with each admission's INSURANCE (Medicare, Private,
    Medicaid, Government) as the payer. Inpatient consults (99251-99255) are status I, not valid for
    Medicare (ST02): an error on the Medicare admissions' lines, info on the others'."""
    import csv

    shared_claims = shared_cms.parent / "claims"
    with (shared_claims / "ADMISSIONS.csv").open(newline="") as handle:
        insurance = {row["HADM_ID"]: row["INSURANCE"] for row in csv.DictReader(handle)}
    rows = [["CPT", "Patient", "Encounter", "Payer"]]
    with (shared_claims / "CPTEVENTS.csv").open(newline="") as handle:
        for event in csv.DictReader(handle):
            rows.append([event["CPT_CD"], event["SUBJECT_ID"], event["HADM_ID"], insurance[event["HADM_ID"]]])
    claims = tmp_path / "mimic.csv"
    with claims.open("w", newline="") as out:
        csv.writer(out).writerows(rows)
    (tmp_path / "rvucheck.toml").write_text('medicare_payers = ["medicare"]\n', encoding="utf-8")
    capsys.readouterr()
    main([f"--data-dir={data_dir}", "check", str(claims), "--no-annotate", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    payer_of = {n: row[3] for n, row in enumerate(rows[1:], start=2)}
    payers = report["run"]["payers"]
    assert payers["medicare"]["lines"] == sum(p == "Medicare" for p in payer_of.values()) > 0
    assert payers["other"]["lines"] == sum(p != "Medicare" for p in payer_of.values()) > 0
    assert payers["unknown"]["lines"] == 0 and payers["unlisted"] == {}
    st02: dict[str, set[str]] = {"Medicare": set(), "other": set()}
    for line in report["lines"]:
        for finding in line["findings"]:
            if finding["rule"] == "ST02":
                side = "Medicare" if payer_of[line["row"]] == "Medicare" else "other"
                st02[side].add(finding["severity"])
                assert ("not a Medicare claim" in finding["message"]) == (side == "other")
            if finding["rule"] in ("MU01", "NC01", "NC02", "CV01", "LN01"):  # every payer's coding
                assert "not a Medicare claim" not in finding["message"]
    assert st02["Medicare"] == {"error"} and st02["other"] == {"info"}


def test_a_long_run_row_wraps_left_of_the_summary_charts(tmp_path: Path, data_dir: Path) -> None:
    """The "Check medicare_payers" advice is ~200 characters: on the Summary sheet it wraps across B:I (the
    columns left of the charts) in a taller row; a short run row stays one cell on one line."""
    import openpyxl

    claims = tmp_path / "claims.csv"
    claims.write_text(ROWS.replace("Medicare Part B", "Medicare  Advantage HMO"), encoding="utf-8")
    (tmp_path / "rvucheck.toml").write_text('medicare_payers = ["MEDICARE"]\n', encoding="utf-8")
    main([f"--data-dir={data_dir}", "check", str(claims), "--locality", "01112-05"])
    ws = openpyxl.load_workbook(tmp_path / "claims.rvucheck.xlsx")["Summary"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    advice, short = rows["Check medicare_payers"], rows["Medicare lines"]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert f"B{advice}:I{advice}" in merged and ws.cell(advice, 2).alignment.wrap_text
    assert ws.row_dimensions[advice].height >= 30  # two lines or more
    assert not any(m.startswith(f"B{short}:") for m in merged) and not ws.cell(short, 2).alignment.wrap_text
