"""Report -> the `--format json` object and the `--format csv` text (safe to open in Excel)."""

from __future__ import annotations

import csv
import functools
import io
import json
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rvucheck.model import CellRef, Finding, LineResult, Report
from rvucheck.refdata.pricing import nonpar
from rvucheck.report.formula_text import looks_like_formula
from rvucheck.report.summary import (
    PAYMENT_BASIS,
    Summary,
    all_findings,
    blanked_warning,
    cell_address,
    finding_cell,
    run_notes,
)
from rvucheck.settings import payer_status

if TYPE_CHECKING:
    from rvucheck.engine.runner import Share


def note_dict(finding: Finding) -> dict[str, Any]:
    """A finding that belongs to no line (a run note), as the JSON outputs list it."""
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "fix": finding.fix,
    }


LINE_KEYS = (
    "sheet", "row", "hcpcs", "modifiers", "units", "work_rvu", "payment", "non_participating",
    "limiting_charge", "rank", "reduction", "basis", "findings", "documentation",
)  # fmt: skip  # then "payment_basis" with the profile's medicare_payers and a payer column


def to_json_obj(report: Report, summary: Summary) -> dict[str, Any]:
    """The `--format json` object: `summary`, `lines` with exactly the keys issue 4 names (plus issue
    11's `rank`, `reduction`, `basis`: the multiple-procedure rank, the dollars it took off, which rule;
    issue 18's `documentation`: what a flagged line's record must show, with sources), and `notes`.

    Unreadable rows are lines too (hcpcs as far as known, their RD01 finding), so every row read appears.
    `notes` holds every finding that belongs to no line (RD02 stale NCCI, RD03 release, RD04-RD07 missing
    columns): the summary's counts are the lines' findings plus the notes, nothing else."""
    basis = _payment_basis(summary)
    lines: list[dict[str, Any]] = []
    for r in report.results:
        entry = dict(zip(LINE_KEYS, _line_values(r), strict=True))
        if r.line.source.unit == "segment":  # an 837's line: `segment` right after `row`
            entry = {"sheet": entry.pop("sheet"), "row": entry.pop("row"), **_segment(r.line.source), **entry}
        entry["findings"] = _finding_dicts(r.findings)
        entry["documentation"] = _documentation(r) if r.findings else []
        entry.update(_warnings(r.line.source))
        if basis is not None:
            entry["payment_basis"] = basis(r.line.payer)
        lines.append(entry)
    lines += _unreadable_lines(report)
    lines.sort(key=lambda entry: (entry["sheet"], entry["row"]))
    return {**_head(report, summary), "lines": lines, "notes": _notes(report)}


def to_json_text(report: Report, summary: Summary, share: Share[_Texts | None] | None = None) -> str:
    """`json.dumps(to_json_obj(report, summary), default=str)`, character for character, in one pass and
    without a dict per line: the lines' numbers are encoded by json's C encoder in one call per chunk of
    lines, their texts (sheet, code, modifiers, basis: a month repeats a few thousand) once per distinct
    value, and each line is formatted from them (100k lines: ~40 % less CPU than the object and dumps).
    `share` (forks.shared): the chunks shared out by it (another process encodes some)."""
    if any(type(r.line.source) is not CellRef for r in report.results):  # 837 segments, blanked cells
        return _ENCODE(to_json_obj(report, summary))  # their extra keys: the plain way
    basis = _payment_basis(summary)
    texts = _Encoded()
    starts = range(0, len(report.results), _CHUNK)

    def chunk(unit: int) -> _Texts | None:
        return _line_texts(report.results[starts[unit] : starts[unit] + _CHUNK], texts, basis)

    parts = (
        share(len(starts), chunk, ()) if share is not None else [chunk(unit) for unit in range(len(starts))]
    )
    entries: list[tuple[str, int, str]] = []
    for part in parts:
        if part is None:  # a value that is no number (a text with ", " in it): the plain way
            return _ENCODE(to_json_obj(report, summary))
        entries += part
    entries += ((e["sheet"], e["row"], _ENCODE(e)) for e in _unreadable_lines(report))
    entries.sort(key=_SHEET_ROW)
    head = _head(report, summary)
    lines = ", ".join([text for _, _, text in entries])
    return (
        f'{{"run": {_ENCODE(head["run"])}, "summary": {_ENCODE(head["summary"])}, "lines": [{lines}], '
        f'"notes": {_ENCODE(_notes(report))}}}'
    )


def _line_texts(
    results: Sequence[LineResult], texts: _Encoded, basis: Callable[[str], str] | None
) -> list[tuple[str, int, str]] | None:
    """(sheet, row, JSON text) of each line; None when a number's place holds something else."""
    numbers: list[Any] = []
    add = numbers.extend
    for r in results:
        add((r.line.units, r.work_rvu, r.payment, *_nonpar(r.payment, r.status_code), r.rank, r.reduction))
    tokens = _ENCODE(numbers)[1:-1].split(", ")  # the numbers never hold ", "; a text may
    if len(tokens) != len(numbers):
        return None
    entries: list[tuple[str, int, str]] = []
    append = entries.append
    for r, figures in zip(results, zip(*[iter(tokens)] * _NUMBERS, strict=True), strict=True):
        line = r.line
        source = line.source
        found = r.findings
        text = _LINE % (
            texts[source.sheet], source.row, texts[line.hcpcs], texts[line.modifiers], *figures,
            texts[r.basis], _findings_text(found) if found else "[]",
            _ENCODE(_documentation(r)) if found else "[]",
            f', "payment_basis": {texts[basis(line.payer)]}' if basis is not None else "",
        )  # fmt: skip
        append((source.sheet, source.row, text))
    return entries


_Texts = list[tuple[str, int, str]]  # (sheet, row, JSON text) of lines
_CHUNK = 8192  # lines whose numbers are encoded at once (their texts are all held only that long)
_LINE = "{" + ", ".join(f'"{key}": %s' for key in LINE_KEYS) + "%s}"  # the last: payment_basis or nothing
_NUMBERS = 7  # units, work_rvu, payment, non_participating, limiting_charge, rank, reduction (LINE_KEYS)


class _Encoded(dict[Any, str]):
    """Text (or a tuple of texts) -> its JSON, each distinct value encoded once."""

    def __missing__(self, value: Any) -> str:
        text = self[value] = _json_value(list(value) if type(value) is tuple else value)
        return text


def _findings_text(findings: tuple[Finding, ...]) -> str:
    return "[" + ", ".join(_FINDING % tuple(map(_json_value, f)) for f in _finding_rows(findings)) + "]"


_ENCODE = json.JSONEncoder(default=str).encode  # what json.dumps(value, default=str) writes
_STRING = json.encoder.encode_basestring_ascii  # the C encoder json itself uses
_FINDING = '{"rule": %s, "severity": %s, "message": %s}'
_SHEET_ROW = operator.itemgetter(0, 1)
_INFINITY = float("inf")


def _json_value(value: Any) -> str:
    """One value as json.dumps(value, default=str) writes it; the common types without an encoder call."""
    kind = type(value)
    if kind is str:
        return _STRING(value)
    if kind is float and -_INFINITY < value < _INFINITY:
        return float.__repr__(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is list:
        return "[" + ", ".join(map(_json_value, value)) + "]"
    return _ENCODE(value)


def _line_values(r: LineResult) -> tuple[Any, ...]:
    """A line's values in LINE_KEYS' order (findings and documentation as placeholders)."""
    line = r.line
    non_participating, limiting_charge = _nonpar(r.payment, r.status_code)
    return (
        line.source.sheet, line.source.row, line.hcpcs, list(line.modifiers), line.units, r.work_rvu,
        r.payment, non_participating, limiting_charge, r.rank, r.reduction, r.basis, None, None,
    )  # fmt: skip


def _finding_rows(findings: tuple[Finding, ...]) -> list[tuple[str, str, str]]:
    return [(f.rule, f.severity, f.message) for f in findings]


def _finding_dicts(findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    return [dict(zip(("rule", "severity", "message"), row, strict=True)) for row in _finding_rows(findings)]


def _payment_basis(summary: Summary) -> Callable[[str], str] | None:
    """With the profile's medicare_payers and a payer column: what a line's est. payment is for its payer."""
    run = summary.extra.get("run") or {}
    payers = tuple(run.get("medicare_payers") or ()) if run.get("payers") else ()
    if not payers:
        return None
    return lambda payer: PAYMENT_BASIS[payer_status(payer, payers)]


def _unreadable_lines(report: Report) -> list[dict[str, Any]]:
    unreadable_findings = {(f.source.sheet, f.source.row): f for f in report.run_findings if f.rule == "RD01"}
    lines = []
    for item in report.unreadable:
        finding = unreadable_findings.get((item.source.sheet, item.source.row))
        message = finding.message if finding else f"{item.source.place()} could not be read: {item.reason}"
        lines.append(
            {
                "sheet": item.source.sheet,
                "row": item.source.row,
                **_segment(item.source),
                "hcpcs": "",
                "modifiers": [],
                "units": None,
                "work_rvu": None,
                "payment": None,
                "non_participating": None,
                "limiting_charge": None,
                "rank": None,
                "reduction": None,
                "basis": "",
                "findings": [{"rule": "RD01", "severity": "error", "message": message}],
                "documentation": [],
            }
        )
    return lines


def _head(report: Report, summary: Summary) -> dict[str, Any]:
    return {
        "run": summary.extra.get("run"),
        "summary": {
            "lines": summary.lines,
            "checked": summary.checked,
            "unreadable": summary.unreadable,
            "totals": len(summary.totals_rows),  # rows apart from `lines` (not checked), as `blank` is
            "blank": summary.blank_rows,
            "findings": dict(summary.findings),
            "work_rvu": summary.work_rvu,
            "payment": summary.payment,
            "release": summary.release,
        },
    }


def _warnings(source: CellRef) -> dict[str, list[str]]:
    """`warnings`, only on a line whose cells held Excel errors read as blank (report.summary)."""
    text = blanked_warning(source)
    return {"warnings": [text]} if text else {}


def _segment(source: CellRef) -> dict[str, int]:
    """An X12 line's `row` is its segment number: said as `segment` too (added; `row` stays for readers)."""
    return {"segment": source.row} if source.unit == "segment" else {}


def _notes(report: Report) -> list[dict[str, Any]]:
    return [note_dict(f) for f in run_notes(report)]


def _documentation(result: LineResult) -> list[dict[str, str]]:
    """What a flagged line's documentation must show (refdata.documentation), each with its source."""
    return [
        {
            "id": d.id,
            "trigger": d.trigger,
            "text": d.text,
            "source": d.source,
            "before_billing": d.before_billing,
        }
        for d in result.documentation
    ]


def _nonpar(payment: float | None, status_code: str) -> tuple[float | None, float | None]:
    """The line's non-participating amount and limiting charge; None: a drug, an unpaid status, no price."""
    if payment is None or not nonpar.applies(status_code):
        return None, None
    return _nonpar_amounts(payment)


@functools.lru_cache(maxsize=65536)
def _nonpar_amounts(payment: float) -> tuple[float, float]:
    """Decimal rounding per line costs 10 us; a month repeats a few thousand fees (100k lines: 0.7 s)."""
    amounts = nonpar.amounts(payment)
    return amounts["non_participating"], amounts["limiting_charge"]


CSV_COLUMNS = (
    "sheet", "row", "cell", "hcpcs", "modifiers", "units", "rule", "severity", "message", "fix", "reference",
    "dollars_at_stake", "wrvu_at_stake",
)  # fmt: skip


def safe_text(value: object) -> str:
    """Text that Excel will not run as a formula when it opens the file (formula injection): a CSV cell
    has no quote prefix, so a leading apostrophe stands in for it."""
    text = "" if value is None else str(value)
    if looks_like_formula(text):
        return "'" + text
    return text


def to_csv(report: Report) -> str:
    """One row per finding (line findings, then run findings), safe to open in Excel. An X12 file's rows
    add a last column, `segment` (the same number as `row`, which counts segments there)."""
    by_row = {(r.line.source.sheet, r.line.source.row): r.line for r in report.results}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    findings = all_findings(report)
    segments = bool(findings) and findings[0].source.unit == "segment"
    writer.writerow(CSV_COLUMNS + (("segment",) if segments else ()))
    for finding in findings:
        line = by_row.get((finding.source.sheet, finding.source.row))
        cell = cell_address(finding_cell(finding, line))
        writer.writerow(
            [
                safe_text(finding.source.sheet),
                finding.source.row,
                safe_text(cell),
                safe_text(line.hcpcs if line else ""),
                safe_text(" ".join(line.modifiers) if line else ""),
                line.units if line else "",
                finding.rule,
                finding.severity,
                safe_text(finding.message),
                safe_text(finding.fix),
                safe_text(finding.ref),
                "" if finding.dollars_at_stake is None else finding.dollars_at_stake,
                "" if finding.wrvu_at_stake is None else finding.wrvu_at_stake,
                *((finding.source.row,) if segments else ()),
            ]
        )
    return out.getvalue()
