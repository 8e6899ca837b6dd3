"""Every output says once what the export did not let the check link, and its counts add up (issue 10,
items 2 and 6): `--format json` lists the findings that belong to no line under `notes`, the text prints
them once as notes, the annotated copy's Summary lists them, the audit JSON and HTML too.

The export is a made-up charge log with no patient column (real codes, made-up rows)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from rvucheck.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audit"))
from test_audit_cli import audit_data_dir

HEADER = "DOS,Provider,CPT,Modifier,Units,Dx,POS\n"
# two patients' knee arthroscopies by one surgeon, a psychiatric evaluation and a psychotherapy visit
ROWS = [
    "2026-07-06,Dr A,29881,RT,1,M23.211,22",
    "2026-07-06,Dr A,29881,LT,1,M23.212,22",
    "2026-07-06,Dr B,90792,,1,F32.9,11",
    "2026-07-06,Dr B,90834,,1,F41.1,11",
]


@pytest.fixture()
def log(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def _json(log: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    assert main([str(log), "--no-annotate", "--format", "json", "--fail-on", "never", *extra]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def adds_up(out: dict[str, Any]) -> bool:
    listed = [f["severity"] for line in out["lines"] for f in line["findings"]]
    listed += [n["severity"] for n in out["notes"]]
    return out["summary"]["findings"] == {s: listed.count(s) for s in ("error", "warning", "info")}


def test_json_lists_the_missing_patient_column_once_and_adds_up(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _json(log, capsys)
    rules = [n["rule"] for n in out["notes"]]
    assert rules.count("RD04") == 1
    note = next(n for n in out["notes"] if n["rule"] == "RD04")
    assert note["severity"] == "warning" and "NC01" in note["message"] and "MP02" in note["message"]
    assert "--map patient=HEADER" in note["message"]
    on_lines = {f["rule"] for line in out["lines"] for f in line["findings"]}
    assert not on_lines & {"NC01", "NC02", "MP02", "BL02", "MU02", "LN01"}
    assert adds_up(out)
    assert all(line["payment"] for line in out["lines"])  # pricing still runs


def test_mapping_the_patient_column_links_the_lines(tmp_path: Path, data_dir: Path, monkeypatch: Any,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    path = tmp_path / "log.csv"
    rows = [f"{row},{patient}" for row, patient in zip(ROWS, ["P1", "P2", "P3", "P3"], strict=True)]
    path.write_text(HEADER.rstrip("\n") + ",MRN\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = _json(path, capsys, "--map", "patient=MRN")
    assert "RD04" not in {n["rule"] for n in out["notes"]}
    on_lines = {(line["row"], f["rule"]) for line in out["lines"] for f in line["findings"]}
    assert (5, "NC01") in on_lines and not {rule for _, rule in on_lines} & {"MP02", "BL02"}
    assert adds_up(out)


def test_text_says_it_once_as_a_note(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(log), "--no-annotate", "--fail-on", "never"])
    text = capsys.readouterr().out
    said = [line for line in text.splitlines() if "no patient column" in line]
    assert len(said) == 1 and said[0].startswith("note: RD04 warning: no patient column")
    # $ at stake counts what was judged: main put 90834 ("bundled into 90792") and the cut 29881s at stake
    assert "($0.00 at stake)" in text


def test_annotated_copy_summary_lists_it_once(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = log.with_name("log.rvucheck.xlsx")
    assert main([str(log), "--out", str(out), "--fail-on", "never"]) == 0
    wb = openpyxl.load_workbook(out, read_only=True)
    cells = [str(c) for row in wb["Summary"].iter_rows(values_only=True) for c in row if c]
    assert sum(c.startswith("Note: no patient column") for c in cells) == 1  # (and RD04 x1 in the rule table)
    findings = [row for row in wb["Findings"].iter_rows(values_only=True) if "RD04" in row]
    assert len(findings) == 1
    assert "29881" not in findings[0]  # a run note is not shown as if it were the first line's


def test_audit_json_and_html_list_the_notes(
    log: Path, data_dir: Path, shared_cms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = audit_data_dir(data_dir, tmp_path / "data", shared_cms)
    html, out = tmp_path / "audit.html", tmp_path / "audit.json"
    args = [f"--data-dir={data}", "audit", str(log), "--json", str(out), "--html", str(html)]
    assert main(args) in (0, 1)
    audit = json.loads(out.read_text())
    assert [n["rule"] for n in audit["notes"]].count("RD04") == 1
    assert not any(f["rule"] == "RD04" for f in audit["findings"])
    listed = [f["severity"] for f in audit["findings"]] + [n["severity"] for n in audit["notes"]]
    assert audit["counts"] == {s: listed.count(s) for s in ("error", "warning", "info")}
    assert adds_up(audit["check"])
    page = html.read_text()
    assert page.count("no patient column") == 1 and "<h2>Notes</h2>" in page
