"""`rvucheck audit FILE... [--month YYYY-MM] [--out x.xlsx] [--html x.html] [--json x.json]` and
`rvucheck history list|forget MONTH`."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from rvucheck.cli.common import add_check_options, data_dir_of, reading_map, settings_from
from rvucheck.errors import InputFileError


def register(subparsers: Any) -> None:
    audit = subparsers.add_parser("audit", help="month-end coding audit of one or more charge exports")
    audit.add_argument("files", nargs="+", type=Path, help="charge exports (.xlsx, .xlsm, .csv)")
    audit.add_argument("--month", help="the audited month, YYYY-MM (default: the month most lines fall in)")
    audit.add_argument("--out", type=Path, help="audit workbook to write (.xlsx)")
    audit.add_argument("--html", type=Path, help="self-contained HTML report to write")
    audit.add_argument("--json", type=Path, help="figures and findings as JSON")
    audit.add_argument("--sample-size", type=int, default=30, help="encounters in the review sample (30)")
    audit.add_argument("--seed", type=int, default=1, help="seed of the review sample's random draw (1)")
    audit.add_argument("--late-days", type=int, default=30, help="posting lag that counts as late (30 days)")
    add_check_options(audit)  # the options of `rvucheck check`, defined once for both
    audit.set_defaults(func=run_audit_command)

    history = subparsers.add_parser("history", help="months remembered by the audit")
    actions = history.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="list audited months")
    listing.set_defaults(func=history_list)
    forget = actions.add_parser("forget", help="remove one month from the history")
    forget.add_argument("month", help="YYYY-MM")
    forget.set_defaults(func=history_forget)
    history.set_defaults(func=history_list)


def run_audit_command(args: argparse.Namespace) -> int:
    from rvucheck.audit.run import AuditOptions, run_audit
    from rvucheck.session import Session

    if args.sample_size < 0:
        raise InputFileError("--sample-size must be 0 or more")
    options = AuditOptions(
        month=args.month,
        sample_size=args.sample_size,
        seed=args.seed,
        late_days=args.late_days,
        sheet=args.sheet,
    )
    data_dir = data_dir_of(args)
    settings = settings_from(args, near=args.files[0])
    options = replace(options, mapping=reading_map(args, settings))
    session = Session.open(data_dir, settings)
    result = run_audit(args.files, data_dir, options, session)
    written = []
    if args.out:
        from rvucheck.audit.workbook import write_workbook

        write_workbook(result, args.out)
        written.append(str(args.out))
    if args.html:
        from rvucheck.audit.html import write_html

        write_html(result, args.html)
        written.append(str(args.html))
    if args.json:
        from rvucheck.audit.jsonout import write_json

        write_json(result, args.json)
        written.append(str(args.json))
    counts = result.report.counts_by_severity()
    print(
        f"audit {result.month}: {len(result.report.results)} lines, {len(result.providers)} providers, "
        f"{counts['error']} errors, {counts['warning']} warnings; "
        f"{sum(1 for m in result.mix if m.flagged)} E&M mixes flagged; review sample {len(result.sample)}; "
        f"earlier months used: {', '.join(result.previous_months) or 'none'}"
    )
    for p in result.providers:
        print(
            f"  {p.provider}: {p.lines} lines, credited wRVU {p.credited_work_rvu:,.2f}, "
            f"${p.payment:,.2f}, mod 25 {p.modifier_25_rate:.0%} of E&M, 59/X {p.distinct_procedure_rate:.0%}"
        )
    if written:
        print("wrote " + ", ".join(written))
    return 0


def history_list(args: argparse.Namespace) -> int:
    from rvucheck.audit.history import HistoryStore

    months = HistoryStore(data_dir_of(args)).months()
    if not months:
        print("no audited months yet (run rvucheck audit FILE)")
        return 0
    print(f"{'month':8} {'lines':>8} {'providers':>9} {'work RVU':>10}  audited at           files")
    for m in months:
        print(
            f"{m.month:8} {m.line_count:>8} {m.providers:>9} {m.work_rvu:>10.2f}  {m.audited_at:20} "
            f"{', '.join(m.sources)}"
        )
    return 0


def history_forget(args: argparse.Namespace) -> int:
    from rvucheck.audit.history import HistoryStore

    month = args.month
    if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
        raise InputFileError(f"history forget {month!r}: give the month as YYYY-MM, e.g. 2026-10")
    if HistoryStore(data_dir_of(args)).forget(month):
        print(f"forgot {month}")
        return 0
    raise InputFileError(
        f"history forget {month}: that month is not in the history (see rvucheck history list)"
    )
