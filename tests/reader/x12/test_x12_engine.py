"""An 837P's findings are those of the same service lines written as a CSV export: the reader gives the
engine nothing a spreadsheet would not (same fields present, same values), line by line."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from rvucheck.model import Report
from rvucheck.read.charges import read_charges
from rvucheck.session import Session

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
HEADERS = {
    "claim": "Claim ID", "patient": "Member ID", "payer": "Payer", "group": "Group NPI",
    "provider_npi": "Rendering NPI", "provider": "Provider", "specialty": "Taxonomy", "hcpcs": "CPT",
    "modifiers": "Modifiers", "charge": "Charge", "units": "Units", "pos": "POS", "diagnoses": "Diagnoses",
    "dos": "DOS",
}  # fmt: skip


def _as_csv(path: Path, folder: Path) -> Path:
    read = read_charges(path)
    out = folder / f"{path.stem}.csv"
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS.values())
        for line in read.lines:
            values = {name: getattr(line, name) for name in HEADERS}
            values["modifiers"] = ",".join(line.modifiers)
            values["diagnoses"] = ",".join(line.diagnoses)
            values["dos"] = line.dos.isoformat() if line.dos else ""
            values["units"] = f"{line.units:g}"
            writer.writerow(values.values())
    return out


def _per_line(report: Report) -> list[tuple[object, ...]]:
    rows = {r.line.source.row: n for n, r in enumerate(report.results)}

    def plain(message: str) -> str:  # "row 24", "segment 24" -> the line's place in the file
        return re.sub(
            r"\b(?:rows?|segments?) (\d+)", lambda m: f"line {rows.get(int(m.group(1)), m.group(1))}", message
        )

    return [
        (
            r.line.hcpcs,
            r.line.modifiers,
            r.line.patient,
            r.line.dos,
            r.work_rvu,
            r.payment,
            r.rank,
            r.reduction,
            sorted((f.rule, f.severity, f.field, f.dollars_at_stake, plain(f.message)) for f in r.findings),
        )
        for r in report.results
    ]


def test_an_837s_findings_equal_those_of_its_lines_as_a_csv(tmp_path: Path, data_dir: Path) -> None:
    session = Session.open(data_dir)
    for name in ("basic.837", "crlf_two_envelopes.837"):
        x12 = read_charges(FIXTURES / name)
        sheet = read_charges(_as_csv(FIXTURES / name, tmp_path), mapping=HEADERS)
        assert sheet.fields == x12.fields and len(sheet.lines) == len(x12.lines) == x12.rows_read
        from_x12, from_csv = session.check(x12.lines), session.check(sheet.lines)
        assert _per_line(from_x12) == _per_line(from_csv)
        # the same notes, but for the documentation columns: a CSV's can be mapped, an 837's say where
        # the claim format keeps (or does not keep) them
        documenting = ("RD14", "RD15", "RD16")
        notes = sorted((f.rule, f.message) for f in from_x12.run_findings if f.rule not in documenting)
        assert notes == sorted(
            (f.rule, f.message) for f in from_csv.run_findings if f.rule not in documenting
        )
        advice = {f.rule: f.message for f in from_x12.run_findings if f.rule in documenting}
        assert sorted(advice) == list(documenting) and not any("--map" in m for m in advice.values())
        assert "PWK segments (loop 2300 for the claim, 2400 for a line)" in advice["RD16"]
        assert all("--map" in f.message for f in from_csv.run_findings if f.rule in documenting)
        hits = sum(len(r.findings) for r in from_x12.results)
        assert hits >= 5  # the fixtures do hit rules (BL02, LN02 ...)
