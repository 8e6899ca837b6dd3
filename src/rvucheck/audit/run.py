"""One audit run: read the exports, key the patients, bring in earlier months, check, compute, remember.

reader -> the audited month's lines -> HMAC patients -> history (earlier months) -> engine -> figures /
E&M mix / sample -> history store.
The writers (workbook, HTML, JSON) take the AuditResult this returns.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rvucheck.audit import benchmark
from rvucheck.audit.documentation import documentation_figures
from rvucheck.audit.emmix import em_mix
from rvucheck.audit.history import HistoryStore, ProviderMonth
from rvucheck.audit.metrics import (
    LATE_DAYS,
    ProviderFigures,
    findings_by_rule,
    lag_distribution,
    provider_figures,
    target_rows,
    top_codes,
)
from rvucheck.audit.result import AuditResult, OutsideMonth
from rvucheck.audit.sample import encounters, review_sample
from rvucheck.errors import InputFileError
from rvucheck.model import CellRef, ChargeLine, Report, UnreadableLine
from rvucheck.report.run_info import run_block
from rvucheck.report.summary import RUN_NOTE_TITLES
from rvucheck.session import GLOBAL_EM_KINDS, NEW_PATIENT_KINDS, Session


@dataclass(frozen=True)
class AuditOptions:
    month: str | None = None
    sample_size: int = 30
    seed: int = 1
    late_days: int = LATE_DAYS
    sheet: str | None = None
    mapping: Mapping[str, Sequence[str]] = field(default_factory=dict)  # --map: field -> headers


def month_of(lines: Sequence[ChargeLine], given: str | None, first_file: Path | str) -> str:
    """The audited month: `--month`, else the one month the dates of service fall in. Exports that span
    several months name them and ask for one (or for --each-month): counting them all as one month would
    store July's lines as August's."""
    if given:
        try:
            dt.date.fromisoformat(given + "-01")
        except ValueError:
            raise InputFileError(f"--month {given!r}: give the month as YYYY-MM, e.g. 2026-10") from None
        return given
    months = months_in(lines, first_file)
    if len(months) > 1:
        found = ", ".join(f"{m} ({n:,} lines)" for m, n in sorted(months.items()))
        raise InputFileError(
            f"{first_file}: dates of service in {len(months)} months: {found}; give the month to audit with "
            "--month YYYY-MM, or audit each month in turn with --each-month"
        )
    return next(iter(months))


def months_in(lines: Sequence[ChargeLine], first_file: Path | str) -> Counter[str]:
    """Lines per month of service (YYYY-MM); an export without a single date cannot be placed in a month."""
    months = Counter(line.dos.strftime("%Y-%m") for line in lines if line.dos)
    if not months:
        raise InputFileError(
            f"{first_file}: no dates of service were read; give the month with --month YYYY-MM"
        )
    return months


def split_month(
    lines: Sequence[ChargeLine], month: str, keep_undated: bool = True
) -> tuple[list[ChargeLine], tuple[OutsideMonth, ...]]:
    """The lines of `month`, and the other months' lines summed up by month (they are reported, never
    counted or stored). Undated lines belong to no month: they stay with the audited month (`keep_undated`),
    where the date rules report them, so that no line of the export goes unreported."""
    kept: list[ChargeLine] = []
    others: dict[str, list[dt.date]] = {}
    for line in lines:
        if line.dos is None:
            if keep_undated:
                kept.append(line)
        elif line.dos.strftime("%Y-%m") == month:
            kept.append(line)
        else:
            others.setdefault(line.dos.strftime("%Y-%m"), []).append(line.dos)
    outside = tuple(OutsideMonth(m, len(days), min(days), max(days)) for m, days in sorted(others.items()))
    return kept, outside


def read_all(
    paths: Sequence[Path], session: Session, options: AuditOptions = AuditOptions()
) -> tuple[list[ChargeLine], list[UnreadableLine]]:
    """Read every export; with several files, row references name the file too. Every file is validated
    before any is read (a bad second file stops the run before work is done), and only once."""
    from rvucheck.read.safety import check_input

    lines: list[ChargeLine] = []
    unreadable: list[UnreadableLine] = []
    for info in [check_input(path) for path in paths]:
        path = info.path
        read = session.read(path, sheet=options.sheet, mapping=options.mapping or None, info=info)
        if len(paths) == 1:
            lines += read.lines
            unreadable += read.unreadable
            continue
        lines += [replace(ln, source=_prefixed(path, ln.source)) for ln in read.lines]
        unreadable += [replace(u, source=_prefixed(path, u.source)) for u in read.unreadable]
    return lines, unreadable


def _prefixed(path: Path, source: CellRef) -> CellRef:
    return replace(source, sheet=f"{path.name}:{source.sheet}")


@dataclass(frozen=True)
class RuleKinds:
    global_em: tuple[str, ...] = ()
    new_patient: tuple[str, ...] = ()


def run_audit(
    paths: Sequence[Path],
    data_dir: Path | None,
    options: AuditOptions,
    session: Session | None = None,
    record: bool = True,
) -> AuditResult:
    """`session`: the settings, rules and reference data to check with (default: the rvucheck.toml beside
    the first export, the built-in rules, the data in `data_dir`). Only the lines of the audited month are
    checked, counted and stored; the others are listed in the result (`AuditResult.outside_month`).
    `record=False`: the month is not stored in the history; the caller does it with `remember` once its
    outputs are written."""
    session = session or _default_session(paths, data_dir)
    lines, unreadable = read_all(paths, session, options)
    month = month_of(lines, options.month, exports_named(paths))
    month_lines, outside = split_month(lines, month)
    if not month_lines:
        found = ", ".join(o.month for o in outside)
        raise InputFileError(
            f"{exports_named(paths)}: no line is dated in {month} (the dates of service are in {found}); "
            "check --month, or audit each month with --each-month"
        )
    result = audit_month(month_lines, unreadable, month, paths, data_dir, options, session, record)
    return replace(result, outside_month=outside)


def run_each_month(
    paths: Sequence[Path],
    data_dir: Path | None,
    options: AuditOptions,
    session: Session | None = None,
    record: bool = True,
) -> Iterator[AuditResult]:
    """--each-month: every month the dates of service fall in, oldest first, each checked and stored as its
    own month, so the history holds a month before the next one is checked (with `record=False` the caller
    must `remember` each month before asking for the next). The exports are read once.
    Undated and unreadable lines are reported with the first month (no month can claim them)."""
    if options.month:
        raise InputFileError("--month and --each-month: give one of them")
    session = session or _default_session(paths, data_dir)
    lines, unreadable = read_all(paths, session, options)
    for i, month in enumerate(sorted(months_in(lines, exports_named(paths)))):
        month_lines, _ = split_month(lines, month, keep_undated=i == 0)
        yield audit_month(
            month_lines, unreadable if i == 0 else [], month, paths, data_dir, options, session, record
        )


def exports_named(paths: Sequence[Path]) -> str:
    """How messages name the exports: the file, or all of them when the months may come from several."""
    if len(paths) == 1:
        return str(paths[0])
    return f"the {len(paths)} exports ({', '.join(p.name for p in paths)})"


def _default_session(paths: Sequence[Path], data_dir: Path | None) -> Session:
    from rvucheck.settings import load_settings

    return Session.open(data_dir, load_settings(None, near=paths[0]))


def audit_month(
    lines: Sequence[ChargeLine],
    unreadable: Sequence[UnreadableLine],
    month: str,
    paths: Sequence[Path],
    data_dir: Path | None,
    options: AuditOptions,
    session: Session,
    record: bool = True,
) -> AuditResult:
    """Check one month's lines with the earlier months of the history, and record the month (unless not
    `record`)."""
    store = HistoryStore(data_dir)
    keyed = store.keyer().apply(lines)
    new_codes = session.new_patient_codes()
    new_patients = {line.patient for line in keyed if line.hcpcs in new_codes}
    patients = {line.patient for line in keyed}
    wants = (session.frequency_codes(), session.threshold_modifiers())
    history = store.lines_before(month, patients, new_patients, *wants)
    report = session.check(keyed, unreadable, history)
    kinds = RuleKinds(session.rule_ids(GLOBAL_EM_KINDS), session.rule_ids(NEW_PATIENT_KINDS))
    sources = [p.name for p in paths]
    result = summarize(report, month, sources, store, options, len(history), data_dir, kinds, record)
    titles = {**RUN_NOTE_TITLES, **{rule.id: rule.title for rule in session.ruleset}}
    exported = {twin.patient: line.patient for line, twin in zip(lines, keyed, strict=True) if line.patient}
    return replace(
        result,
        run=run_block(report, session.reference, session.settings),
        targets=tuple(target_rows(result.providers, session.settings.providers)),
        titles=titles,
        patients=exported,
    )


def remember(result: AuditResult, data_dir: Path | None) -> None:
    """Store the audited month in the history (one transaction, replacing an earlier audit of it)."""
    months = [_provider_month(result.month, p) for p in result.providers]
    HistoryStore(data_dir).record(result.month, result.report.results, months, result.sources)


def summarize(
    report: Report,
    month: str,
    sources: Sequence[str],
    store: HistoryStore,
    options: AuditOptions,
    history_lines_used: int,
    data_dir: Path | None,
    rule_kinds: RuleKinds = RuleKinds(),
    record: bool = True,
) -> AuditResult:
    """Figures for the checked month; with `record`, the month is stored in the history (replacing an
    earlier audit of it). The trend is the same either way: earlier months from the history, then this one."""
    results = report.results
    providers = provider_figures(results, rule_kinds.global_em, rule_kinds.new_patient, options.late_days)
    lookup, note = benchmark.lookup(data_dir)
    mix = em_mix([r.line for r in results], lookup)
    flagged = {(m.provider, m.family.key) for m in mix if m.flagged}
    sample = review_sample(encounters(results, flagged), options.sample_size, options.seed)
    previous_months = tuple(m.month for m in store.months() if m.month < month)
    this_month = [_provider_month(month, p) for p in providers]
    if record:
        store.record(month, results, this_month, sources)
    trend = (*store.provider_months(before=month), *sorted(this_month, key=lambda p: p.provider))
    year = month[:4]
    ytd: dict[str, float] = {}
    for p in trend:
        if p.month.startswith(year):
            ytd[p.provider] = round(ytd.get(p.provider, 0.0) + p.credited_work_rvu, 2)
    return AuditResult(
        month=month,
        sources=tuple(sources),
        report=report,
        providers=tuple(providers),
        mix=tuple(mix),
        benchmark_note=note,
        trend=trend,
        ytd_work_rvu=ytd,
        lag_distribution=tuple(lag_distribution(results)),
        late_days=options.late_days,
        top_by_work_rvu=tuple(top_codes(results, "work_rvu")),
        top_by_payment=tuple(top_codes(results, "payment")),
        findings_by_rule=tuple(findings_by_rule(results)),
        sample=tuple(sample),
        sample_seed=options.seed,
        history_lines_used=history_lines_used,
        previous_months=previous_months,
        documentation=documentation_figures(results),
    )


def _provider_month(month: str, p: ProviderFigures) -> ProviderMonth:
    return ProviderMonth(
        month,
        p.provider,
        p.lines,
        p.encounters,
        p.work_rvu,
        p.credited_work_rvu,
        p.payment,
        p.findings_by_rule,
    )
