"""The Findings sheet as a biller's work queue: an Excel Table, one row per finding, with the line's date of
service, patient, claim and provider, the rule's id and title, and empty Status / Owner / Note columns for
the people working the list. With `--since` a Change column says new / still open / fixed against the last
run's copy (annotate/since.py), and what the user typed in Status / Owner / Note is carried over.

Thousands of rows: cells are made directly with prepared styles (the styled API costs 3x as much). Every
text cell goes through the report toolkit (text from an export is never a formula).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from rvucheck.annotate.late_rows import LateCell, LateRows, Styles, rows_of, write_rows
from rvucheck.annotate.plan import FindingRow
from rvucheck.annotate.since import CARRIED, Comparison, PreviousFinding
from rvucheck.report.summary import sheet_prefix
from rvucheck.report.xlsx import (
    DATE,
    HEADER_FILL,
    MONEY,
    SEVERITY_FILLS,
    header_row,
    print_setup,
    set_widths,
    sized_note,
    unique_title,
)

STAKE_NOTE = (
    "$ at stake: what this finding puts at risk of this line's estimated Medicare payment. rvucheck prices "
    "each line from the CMS Physician Fee Schedule (RVUs x the locality's GPCIs x the conversion factor, "
    "after multiple-procedure and modifier adjustments, times units) and multiplies that payment by the "
    "rule's share at risk: 1.0 when the line would be denied or not paid (most rules), a part when only part "
    "of the payment is at risk (for example the technical share of a code billed without -26). Blank when "
    "the line has no fee schedule price or the rule puts no payment at risk (information, documentation "
    "warnings). Several findings on one line each show their own figure; the Summary's total counts each "
    "line once, capped at its payment."
)
WRVU_NOTE = "wRVU at stake: the line's credited work RVUs times the same share at risk as $ at stake."
# (title, width, style name, printed); the unprinted columns come last, so the print area is one range
COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("Cell", 19, "link"),
    ("Date of service", 12, "date"),
    ("Patient / MRN", 14, "plain"),
    ("Claim / encounter", 14, "plain"),
    ("Provider", 18, "plain"),
    ("Code", 8, "center"),
    ("Modifiers", 10, "center"),
    ("Rule", 7, "center"),
    ("Rule title", 32, "wrap"),
    ("Severity", 9, "severity"),
    ("Message", 55, "wrap"),
    ("$ at stake", 12, "money"),
    ("wRVU at stake", 9, "rvu"),
    ("Change", 11, "center"),
    ("Status", 11, "plain"),
    ("Owner", 11, "plain"),
    ("Note", 24, "wrap"),
    ("Fix", 70, "wrap"),
    ("Reference", 60, "plain"),  # one line: a long reference would make every row as tall as itself
    ("Documentation needed", 60, "wrap"),  # what the line's record must show (issue 18)
)
FINDINGS_COLUMNS = tuple(title for title, _width, _style in COLUMNS)
LAST_PRINTED = "Note"  # Fix and Reference are on screen; a printed work list stops at the user's note
TABLE_NAME = "rvucheck_findings"


def write_findings_sheet(
    wb: Workbook,
    findings: list[FindingRow],
    link_to_cells: bool,
    since: Comparison | None = None,
    late: list[LateRows] | None = None,
) -> Worksheet:
    """One row per finding (already in severity order), its cell address linked to the cell; with `since`
    (the last run's copy compared) a Change column and the last run's fixed findings at the end. The data
    rows go to `late` (written as XML into the copy: annotate.late_rows); without it, into the sheet."""
    ws = wb.create_sheet(unique_title(wb, "Findings"))
    columns = [c for c in COLUMNS if since is not None or c[0] != "Change"]
    titles = [title for title, _w, _s in columns]
    header_row(ws, 1, titles, fill=HEADER_FILL)
    for cell in ws[1]:  # "Date of service" on two lines rather than a column as wide as its title
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.cell(1, titles.index("$ at stake") + 1).comment = sized_note(STAKE_NOTE)
    ws.cell(1, titles.index("wRVU at stake") + 1).comment = sized_note(WRVU_NOTE)
    styles = Styles(ws)
    ids = {name: styles.of(style) for name, style in _prepared_styles(ws).items()}
    fixed = since.fixed if since else []

    def row_cells(index: int) -> list[LateCell]:
        if index < len(findings):
            item = findings[index]
            values = _current_values(item, since, index)
            link = (
                f"{quote_sheetname(item.sheet)}!{get_column_letter(item.column)}{item.row}"
                if link_to_cells and item.sheet else ""
            )  # fmt: skip
        else:
            values, link = _fixed_values(fixed[index - len(findings)]), ""
        return _cells(columns, values, ids, styles, link)

    count = len(findings) + len(fixed)
    rows = LateRows(ws.title, 2, count, rows_of(range(count), row_cells), wb.epoch)
    if late is not None:
        late.append(rows)
    else:
        write_rows(ws, rows)
    row = len(findings) + len(fixed) + 1
    set_widths(ws, [width for _t, width, _s in columns])
    ws.freeze_panes = "B2"
    last = get_column_letter(len(columns))
    _add_table(wb, ws, f"A1:{last}{max(row, 2)}", titles)
    print_setup(ws, title_rows=1, area=f"A1:{get_column_letter(titles.index(LAST_PRINTED) + 1)}{max(row, 2)}")
    return ws


def _current_values(item: FindingRow, since: Comparison | None, index: int) -> dict[str, object]:
    values: dict[str, object] = {
        "Cell": f"{sheet_prefix(item.sheet)}{get_column_letter(item.column)}{item.row}" if item.sheet else "",
        "Date of service": item.dos,
        "Patient / MRN": item.patient,
        "Claim / encounter": item.claim,
        "Provider": item.provider,
        "Code": item.hcpcs,
        "Modifiers": item.modifiers,
        "Rule": item.rule,
        "Rule title": item.title,
        "Severity": item.severity,
        "Message": item.message,
        "$ at stake": item.dollars,
        "wRVU at stake": item.wrvu,
        "Fix": item.fix,
        "Reference": item.reference,
        "Documentation needed": item.documentation,
    }
    if since is not None:
        values["Change"] = since.changes[index]
        values.update(zip(CARRIED, since.carried[index], strict=True))
    return values


def _fixed_values(gone: PreviousFinding) -> dict[str, object]:
    """A finding of the last run that this run no longer reports: listed so the list shows what was done."""
    return {**gone.values, "Cell": "", "Change": "fixed"}


def _cells(
    columns: Sequence[tuple[str, float, str]],
    values: dict[str, object],
    ids: dict[str, int],
    styles: Styles,
    link: str,
) -> list[LateCell]:
    cells: list[LateCell] = []
    for column, (title, _width, style) in enumerate(columns, start=1):
        value = values.get(title)
        if style == "severity":
            style = str(value) if value in SEVERITY_FILLS else "center"
        if value is None or value == "":
            continue
        if style in ("money", "rvu", "date") and not isinstance(value, str):
            cells.append((column, value, ids[style], ""))
        else:
            text, style_id = styles.text(ids[style], value)
            cells.append((column, text, style_id, link if column == 1 else ""))
    return cells


def _add_table(wb: Workbook, ws: Worksheet, ref: str, titles: list[str]) -> None:
    """The rows as an Excel Table (filter buttons, sorting, a name `--since` and formulas can use); the
    name is made unique among the workbook's tables (a user's copy may hold tables of its own)."""
    taken = {name.casefold() for sheet in wb.worksheets for name in sheet.tables}
    name, number = TABLE_NAME, 2
    while name.casefold() in taken:
        name, number = f"{TABLE_NAME}{number}", number + 1
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    # columns named from the header row now: left to the save, openpyxl reads them with `ws[ref]`, which
    # makes an empty cell object for every cell of the table (150,000 at 8,000 findings)
    table._initialise_columns()
    for column, title in zip(table.tableColumns, titles, strict=True):
        column.name = title
    ws.add_table(table)


def _prepared_styles(ws: Worksheet) -> dict[str, StyleArray]:
    """Style arrays made once through the styled API on probe cells. Long texts wrap; every cell sits at the
    top of its (taller) row."""
    names = ("plain", "quoted", "link", "money", "rvu", "date", "center", "wrap", *SEVERITY_FILLS)
    probes: dict[str, Cell] = {name: Cell(ws) for name in names}
    probes["quoted"].quotePrefix = True
    probes["link"].style = "Hyperlink"
    probes["money"].number_format = MONEY
    probes["rvu"].number_format = "0.00"
    probes["date"].number_format = DATE
    for severity, fill in SEVERITY_FILLS.items():
        probes[severity].fill = copy(fill)
    for name, probe in probes.items():
        centred = name in ("center", "date", *SEVERITY_FILLS)
        probe.alignment = Alignment(
            horizontal="center" if centred else None, vertical="top", wrap_text=name in ("wrap", "quoted")
        )
    return {
        name: probe._style if probe._style is not None else StyleArray() for name, probe in probes.items()
    }
