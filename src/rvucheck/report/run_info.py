"""What a run was priced and checked with: the locality, the conversion factor, QPP, every dataset used,
and whether that data is older than the dates checked. One block, built once per run (`run_block`), shown
by every output: the console, JSON (`run`), the Summary sheet (`run_rows`) and the audit.

The staleness banner (`stale_banner`) is built from the run notes that say the data does not cover the dates
of service: RD02 (NCCI quarter), RD03 (PFS release of another quarter), RD09 (ICD-10-CM code set) and RD13
(ASP drug prices). Those notes stay in the findings too; the banner makes them impossible to miss.
"""

from __future__ import annotations

import re
from typing import Any

from rvucheck.model import Report
from rvucheck.report.summary import payer_figures
from rvucheck.settings import Settings

STALE_RULES = ("RD02", "RD03", "RD09", "RD13")
NATIONAL = "national"
# datasets of kinds other than the fee schedule, as the catalog names them -> the words shown
OTHER_KINDS = {
    "ncci": "NCCI edits",
    "icd10cm": "ICD-10-CM",
    "icd9cm": "ICD-9-CM",
    "mce": "Medicare Code Editor",
    "labncd": "lab NCDs",
    "asp": "ASP drug prices",
    "anes_base": "anesthesia base units",
    "benchmarks": "benchmarks",
}


def run_block(report: Report, ref: Any, settings: Settings) -> dict[str, Any]:
    """The `run` object of JSON (see the module doc); `ref` is the session's reference data."""
    releases = [r for r in report.release.split(", ") if r]
    key = report.meta.get("locality", NATIONAL)
    place = _place(ref, releases, key)
    stale = [f.message for f in report.run_findings if f.rule in STALE_RULES and not _newer(f.message)]
    return {
        "locality": {
            "id": key,
            "name": place.name if place else "national (no geographic adjustment, GPCI 1.000)",
            "state": place.state if place else None,
        },
        "qpp": settings.qpp,
        "conversion_factor": _cf(ref, releases, settings.qpp),
        "conversion_factor_variant": "QPP" if settings.qpp else "non-QPP",
        "releases": _datasets(ref, releases, report.ncci_quarter),
        "config": str(settings.config_path) if settings.config_path else None,
        "medicare_payers": list(settings.medicare_payers),  # from the practice profile (rvucheck init)
        "payers": payer_figures(report, settings.medicare_payers),  # Medicare vs other payers' lines
        "providers_in_roster": len(settings.providers),
        "stale": bool(stale),
        "stale_notes": stale,
    }


# selection.choose_release's note: "the Q2 2026 release is not installed; RVU26C (Q3 2026) answered for ..."
_ANSWERED = re.compile(r"the Q(\d) (\d{4}) release is not installed; \S+ \(Q(\d) (\d{4})\)")


def _newer(message: str) -> bool:
    """An RD03 note of a date priced from a later quarter's release: not data older than the date."""
    found = _ANSWERED.search(message)
    if found is None:
        return False
    return (int(found[4]), int(found[3])) > (int(found[2]), int(found[1]))


def _place(ref: Any, releases: list[str], key: str) -> Any:
    if key == NATIONAL or not releases:
        return None
    try:
        return ref.localities(releases[0]).get(key)
    except (AttributeError, LookupError):
        return None


def _cf(ref: Any, releases: list[str], qpp: bool) -> float | None:
    if not releases:
        return None
    try:
        return float(ref.conversion_factor(releases[0], qpp))
    except (AttributeError, LookupError):
        return None


def _datasets(ref: Any, releases: list[str], ncci_quarter: str) -> dict[str, Any]:
    """PFS releases used (with the release that supplied their GPCIs/counties), NCCI quarters used, and
    the other installed datasets the rules read."""
    out: dict[str, Any] = {"pfs": releases, "ncci": [q for q in ncci_quarter.split(", ") if q]}
    store = getattr(ref, "store", None)
    if releases and store is not None:
        from rvucheck.refdata.selection import companion_for

        base = ref.dataset(releases[0])
        for content in ("GPCI", "LOCCO"):
            found = companion_for(ref.datasets, base, content)
            out[content.lower()] = found.dataset_id if found else None
    if store is not None:
        for info in store.datasets():
            if info.kind in OTHER_KINDS and info.kind != "ncci":
                out.setdefault(info.kind, []).append(info.dataset_id)
    return out


def with_run(summary: Any, run: dict[str, Any]) -> Any:
    """The summary with its run block (Summary.extra["run"]): what every output echoes."""
    import dataclasses

    return dataclasses.replace(summary, extra={**summary.extra, "run": run})


def stale_banner(run: dict[str, Any]) -> str | None:
    """One loud line when the reference data does not cover the dates checked, else None."""
    notes = run.get("stale_notes") or []
    if not notes:
        return None
    more = f" (and {len(notes) - 1} more data notes)" if len(notes) > 1 else ""
    return (
        f"REFERENCE DATA OUT OF DATE FOR THESE DATES: {notes[0]}{more}. "
        "Run `rvucheck data update` (or `rvucheck data install`) and check again."
    )


def run_rows(run: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows for a sheet or a console table: locality, CF, QPP, the data used."""
    loc = run["locality"]
    where = loc["name"] if loc["id"] == NATIONAL else f"{loc['id']} {loc['name']} ({loc['state']})"
    cf = run["conversion_factor"]
    releases = run["releases"]
    rows = [
        ("Locality", where),
        ("Conversion factor", f"{cf:.4f} ({run['conversion_factor_variant']})" if cf else "none"),
        ("QPP (qualifying APM participant)", "yes" if run["qpp"] else "no"),
        ("PFS release", ", ".join(releases.get("pfs", [])) or "none installed"),
    ]
    if releases.get("gpci") or releases.get("locco"):
        rows.append(
            ("GPCI / county file", f"{releases.get('gpci') or 'none'} / {releases.get('locco') or 'none'}")
        )
    rows.append(("NCCI quarter", ", ".join(releases.get("ncci", [])) or "none installed"))
    for kind, words in OTHER_KINDS.items():
        ids = releases.get(kind)
        if kind != "ncci" and ids:
            rows.append((words[0].upper() + words[1:], _short(ids)))
    rows += payer_rows(run)
    if run.get("config"):
        rows.append(("Settings file", run["config"]))
    return rows


def payer_rows(run: dict[str, Any]) -> list[tuple[str, str]]:
    """Medicare vs other payers' lines and est. payment, when the profile lists Medicare payers and the
    export has a payer column (else none)."""
    payers = run.get("payers")
    if not payers:
        return []
    medicare, other, unknown = payers["medicare"], payers["other"], payers["unknown"]
    rows = [
        ("Medicare lines", f"{_lines(medicare)}, ${medicare['payment']:,.2f} est. Medicare payment"),
        (
            "Other-payer lines",
            f"{_lines(other)}, ${other['payment']:,.2f} at Medicare reference rates (not what those payers "
            "pay; Medicare-only rules shown as info)",
        ),
    ]
    if unknown["lines"]:
        rows.append(
            ("Payer not given", f"{_lines(unknown)}, ${unknown['payment']:,.2f} (judged as Medicare)")
        )
    unlisted = payers.get("unlisted") or {}
    if unlisted:
        names = "; ".join(f"{name} ({count})" for name, count in list(unlisted.items())[:5])
        more = f" and {len(unlisted) - 5} more" if len(unlisted) > 5 else ""
        rows.append(
            (
                "Check medicare_payers",
                f"named Medicare but not listed, so judged as other payers: {names}{more}; add a name to "
                "medicare_payers in rvucheck.toml if it is Medicare fee-for-service (not Medicare Advantage)",
            )
        )
    return rows


def _lines(figures: dict[str, float]) -> str:
    count = int(figures["lines"])
    return f"{count:,} line" + ("" if count == 1 else "s")


def _short(ids: list[str]) -> str:
    return ", ".join(ids) if len(ids) <= 4 else f"{', '.join(ids[:3])} and {len(ids) - 3} earlier"


def write_stale_banner(ws: Any, row: int, run: dict[str, Any] | None, columns: int) -> None:
    """The staleness banner across `columns` of `row` (white on red, wrapped), when the data is stale."""
    banner = stale_banner(run) if run else None
    if not banner:
        return
    from openpyxl.styles import Alignment, PatternFill

    from rvucheck.report.xlsx import bold_font, put_text

    cell = put_text(ws, row, 1, banner)
    cell.font = bold_font(ws, 12, color="FFFFFF")
    cell.fill = PatternFill("solid", fgColor="C00000")
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    ws.row_dimensions[row].height = 84


def write_run_block(ws: Any, row: int, run: dict[str, Any] | None, span: int = 1, width: int = 100) -> int:
    """A "Run" block (label/value rows) from `row` of a report sheet; returns the next free row. Shared by
    the Summary sheet and the audit workbook (each puts the banner at its top: write_stale_banner). Values
    sit in `span` columns from B (merged when more than one) that hold about `width` characters a line: a
    longer value wraps there, in a row as tall as its lines, instead of running under the charts beside it."""
    if not run:
        return row
    from openpyxl.styles import Alignment

    from rvucheck.report.xlsx import bold_font, put_text

    put_text(ws, row, 1, "Run").font = bold_font(ws, 12)
    row += 1
    for label, value in run_rows(run):
        label_cell = put_text(ws, row, 1, label)
        label_cell.font = bold_font(ws)
        cell = put_text(ws, row, 2, value)
        if len(value) > width:
            if span > 1:
                ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=1 + span)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            label_cell.alignment = Alignment(vertical="top")  # beside the value's first line
            ws.row_dimensions[row].height = 15 * -(-len(value) // width)
        row += 1
    return row + 1
