"""`rvucheck audit FILE... [--month YYYY-MM | --each-month] [--out x.xlsx] [--html x.html] [--json x.json]`
and `rvucheck history list|forget MONTH|reset --yes`."""

from __future__ import annotations

import argparse
import functools
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.cli.common import add_check_options, data_dir_of, reading_map, settings_from
from rvucheck.errors import HistoryError, InputFileError

if TYPE_CHECKING:
    from rvucheck.audit.result import AuditResult
    from rvucheck.outputs import Outputs


def register(subparsers: Any) -> None:
    audit = subparsers.add_parser("audit", help="month-end coding audit of one or more charge exports")
    audit.add_argument("files", nargs="*", type=Path, help="charge exports (.xlsx, .xlsm, .csv)")
    audit.add_argument(
        "--month", help="the audited month, YYYY-MM (default: the one month the dates fall in)"
    )
    audit.add_argument(
        "--each-month",
        action="store_true",
        help="audit each month the dates fall in, in turn (outputs named per month: audit-2026-07.xlsx)",
    )
    audit.add_argument("--out", type=Path, help="audit workbook to write (.xlsx)")
    audit.add_argument("--html", type=Path, help="self-contained HTML report to write")
    audit.add_argument("--json", type=Path, help="figures and findings as JSON")
    audit.add_argument(
        "--force",
        action="store_true",
        help="replace existing outputs (without it an existing file is refused)",
    )
    audit.add_argument("--sample-size", type=int, default=30, help="encounters in the review sample (30)")
    audit.add_argument("--seed", type=int, default=1, help="seed of the review sample's random draw (1)")
    audit.add_argument(
        "--reviewed",
        type=Path,
        metavar="AUDIT_XLSX",
        help="read back the audit workbook's filled-in Review sample: accuracy per provider and the "
        "direction of the errors (console; --json and --out write them too); no FILE with it",
    )
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
    reset = actions.add_parser("reset", help="delete the whole history and its patient-key secret")
    reset.add_argument("--yes", action="store_true", help="really delete it (without it: say what would go)")
    reset.set_defaults(func=history_reset)
    history.set_defaults(func=history_list)


def run_audit_command(args: argparse.Namespace) -> int:
    from rvucheck.audit.run import AuditOptions, run_audit, run_each_month
    from rvucheck.cli.progress import busy
    from rvucheck.outputs import Outputs
    from rvucheck.session import Session

    if args.reviewed is not None:
        return _reviewed(args)
    if not args.files:
        raise InputFileError("audit: give the charge export(s) to audit (rvucheck audit FILE...)")
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
    if not args.each_month:
        # outputs checked before the work (never an input, a link to one, or each other)
        with Outputs(args.files, force=args.force) as outputs:
            wanted = _planned(outputs, args, month=None)
            session = Session.open(data_dir, settings)
            with busy("auditing: reading, checking and writing the outputs"):
                result = run_audit(args.files, data_dir, options, session, record=False)
                written = _write_and_remember(outputs, wanted, result, data_dir)
            _report(written, result)
        return 0
    session = Session.open(data_dir, settings)
    for result in run_each_month(args.files, data_dir, options, session, record=False):
        # each month's outputs are written and the month recorded before the next month is checked
        with Outputs(args.files, force=args.force) as outputs:
            wanted = _planned(outputs, args, month=result.month)
            _report(_write_and_remember(outputs, wanted, result, data_dir), result)
    return 0


def _reviewed(args: argparse.Namespace) -> int:
    """`audit --reviewed audit.xlsx`: the filled sample read back; console, and --json / --out if given."""
    import json

    from rvucheck.audit.review import read_reviewed
    from rvucheck.audit.workbook import write_review_workbook
    from rvucheck.outputs import Outputs

    if args.files:
        raise InputFileError("--reviewed reads a filled-in sample; give it without FILE")
    if args.html is not None:
        raise InputFileError("--reviewed writes --json and --out (.xlsx); leave --html off")
    outcome = read_reviewed(args.reviewed)
    with Outputs([args.reviewed], force=args.force) as outputs:
        for path in (args.out, args.json):
            if path is not None:
                outputs.plan(path)
        if args.out is not None:
            outputs.write(args.out, functools.partial(write_review_workbook, outcome))
        if args.json is not None:
            text = json.dumps(outcome.as_json(), indent=1)
            outputs.write(args.json, lambda path: path.write_text(text, encoding="utf-8"))
        written = [str(path) for path in outputs.commit()]
    for line in outcome.lines():
        print(line)
    if written:
        print("wrote " + ", ".join(written))
    return 0


def _planned(
    outputs: Outputs, args: argparse.Namespace, month: str | None
) -> list[tuple[Path, Callable[[Any, Path], None]]]:
    """The outputs asked for, planned (checked) in `outputs`; with --each-month named per month:
    audit.xlsx -> audit-2026-07.xlsx."""
    wanted = []
    for path, writer in _writers(args):
        if path is not None:
            named = path.with_name(f"{path.stem}-{month}{path.suffix}") if month else path
            outputs.plan(named)
            wanted.append((named, writer))
    return wanted


def _write_and_remember(
    outputs: Outputs,
    wanted: list[tuple[Path, Callable[[Any, Path], None]]],
    result: AuditResult,
    data_dir: Path | None,
) -> list[str]:
    """Write every output through its temp, rename them together, then record the month: the history never
    holds a month whose outputs failed."""
    from rvucheck.audit.run import remember

    for path, writer in wanted:
        outputs.write(path, functools.partial(writer, result))
    written = [str(path) for path in outputs.commit()]
    try:
        remember(result, data_dir)
    except HistoryError as exc:
        done = f"{', '.join(written)} written; " if written else ""
        raise HistoryError(f"{exc} ({done}month {result.month} not recorded)") from None
    return written


def _report(written: list[str], result: AuditResult) -> None:
    """Print the month's summary and the outputs written."""
    counts = result.report.counts_by_severity()
    print(
        f"audit {result.month}: {len(result.report.results)} lines, {len(result.providers)} providers, "
        f"{counts['error']} errors, {counts['warning']} warnings; "
        f"{sum(1 for m in result.mix if m.flagged)} E&M mixes flagged; review sample {len(result.sample)}; "
        f"earlier months used: {', '.join(result.previous_months) or 'none'}"
    )
    if result.outside_note:
        print(f"  {result.outside_note}")
    for p in result.providers:
        print(
            f"  {p.provider}: {p.lines} lines, credited wRVU {p.credited_work_rvu:,.2f}, "
            f"${p.payment:,.2f}, mod 25 {p.modifier_25_rate:.0%} of E&M, 59/X {p.distinct_procedure_rate:.0%}"
        )
    if written:
        print("wrote " + ", ".join(written))


def _writers(args: argparse.Namespace) -> list[tuple[Path | None, Callable[[Any, Path], None]]]:
    """(path or None, writer(result, path)) of each output the command line asks for."""

    def workbook(result: Any, path: Path) -> None:
        from rvucheck.audit.workbook import write_workbook

        write_workbook(result, path)

    def html(result: Any, path: Path) -> None:
        from rvucheck.audit.html import write_html

        write_html(result, path)

    def json(result: Any, path: Path) -> None:
        from rvucheck.audit.jsonout import write_json

        write_json(result, path)

    return [(args.out, workbook), (args.html, html), (args.json, json)]


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
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise InputFileError(f"history forget {month!r}: give the month as YYYY-MM, e.g. 2026-10")
    if HistoryStore(data_dir_of(args)).forget(month):
        print(f"forgot {month}")
        return 0
    raise InputFileError(
        f"history forget {month}: that month is not in the history (see rvucheck history list)"
    )


def history_reset(args: argparse.Namespace) -> int:
    from rvucheck.audit.history import HistoryStore

    store = HistoryStore(data_dir_of(args))
    try:
        months = [m.month for m in store.months()]
        held = f"{len(months)} audited months ({', '.join(months)})" if months else "no audited months"
    except HistoryError:  # a damaged history is what a reset is for
        held = "a damaged history"
    lost = (
        f"{store.data_dir}: history reset deletes {held} and the patient-key secret; later audits cannot "
        "look back at those months (post-op global windows, the 3-year new-patient rule, trends)"
    )
    if not args.yes:
        raise InputFileError(f"{lost}; run `rvucheck history reset --yes` to do it")
    removed = store.reset()
    print(f"deleted {len(removed)} files: {held} and the secret are gone" if removed else "nothing to delete")
    return 0
