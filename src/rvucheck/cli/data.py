"""`rvucheck data install|status|localities`: the local store of CMS files."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from rvucheck.cli.common import date_option
from rvucheck.errors import RvucheckError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("data", help="install and inspect the CMS reference data")
    actions = parser.add_subparsers(dest="data_command", metavar="ACTION")

    install = actions.add_parser(
        "install",
        help="download every CMS dataset the rules use (or import --from local files/URLs)",
        description="Without --from: download every dataset the rules use, as CMS names its files (fee "
        "schedule with GPCIs and county crosswalk, NCCI PTP and MUE, ICD-10-CM, ASP drug prices, anesthesia "
        "base units, NCCI add-on code edits and lab NCD code lists, whose current file is found on its CMS "
        "page); the Medicare Code Editor, which CMS ships only as software, is listed with its page.",
    )
    install.add_argument(
        "--from",
        dest="sources",
        nargs="+",
        metavar="PATH_OR_URL",
        help="CMS zips, folders or files (or URLs) to import instead of downloading",
    )
    install.add_argument(
        "--release",
        action="append",
        default=[],
        help="download only this dataset (e.g. RVU26C, 2026Q3, FY2026); repeatable",
    )
    install.set_defaults(func=run_install, update=False)

    update = actions.add_parser(
        "update", help="download the datasets of the current quarter that are not installed yet"
    )
    update.add_argument("--date", help="the quarter of this date instead of today's (YYYY-MM-DD)")
    update.set_defaults(func=run_install, update=True, sources=None, release=[])

    status = actions.add_parser("status", help="installed releases and what each contains")
    status.add_argument("--date", help="warn when this date of service is newer than the installed data")
    status.set_defaults(func=run_status)

    localities = actions.add_parser("localities", help="list Medicare payment localities with their GPCIs")
    localities.add_argument("--state", help="two-letter state, e.g. CA")
    localities.add_argument("--date", help="date of service YYYY-MM-DD (picks the release)")
    localities.set_defaults(func=run_localities)
    parser.set_defaults(func=lambda _args: (parser.print_help(), 2)[1])


def _store(args: argparse.Namespace) -> Any:
    from rvucheck.refdata.store import Store

    return Store(getattr(args, "data_dir", None))


def run_install(args: argparse.Namespace) -> int:
    from rvucheck.refdata.excludes1 import ensure_excludes1
    from rvucheck.refdata.icd10cm import ensure_code_set
    from rvucheck.refdata.install import install_from

    store = _store(args)
    say = lambda msg: print(msg, file=sys.stderr)  # noqa: E731 - progress goes to stderr
    if args.sources:
        installed = install_from(list(args.sources), store, progress=say)
    else:
        installed = _download_all(store, {r.upper() for r in args.release}, say, args)
    # The diagnosis code set and its Excludes1 notes come with the simple-icd-10-cm package, not from CMS:
    # keep them in the store too.
    package_sets = [info for info in (ensure_code_set(store), ensure_excludes1(store)) if info]
    for info in [*installed, *package_sets]:
        print(
            f"installed {info.kind} {info.dataset_id}: {', '.join(info.contents)} "
            f"({len(info.sources)} files) into {store.data_dir}"
        )
    return 0


def _download_all(store: Any, wanted: set[str], say: Any, args: argparse.Namespace) -> list[Any]:
    """Each listed dataset on its own, so one moved URL does not stop the others; `data update`: only the
    current quarter's datasets that are not installed."""
    from rvucheck.refdata.calendar import quarter_of
    from rvucheck.refdata.install import install_from
    from rvucheck.refdata.landing import current_link, installed_for, installed_from
    from rvucheck.refdata.releases import current, downloads

    items = downloads()
    if args.update:
        day = date_option(getattr(args, "date", None)) or dt.date.today()
        installed_ids = {(d.kind, d.dataset_id) for d in store.datasets()}
        since = (day.year, 3 * quarter_of(day) - 2)
        items = [
            i
            for i in current(items, day.year, quarter_of(day))
            if (i.kind, i.dataset) not in installed_ids
            # a dataset found on its page (AOC, lab NCD) is current when its file names this quarter
            and not (i.link and installed_for(store, i.kind, i.link, i.unlike, since))
        ]
        if not items:
            say(f"up to date: every dataset listed for Q{quarter_of(day)} {day.year} is installed")
            return []
    items = [i for i in items if not wanted or i.dataset.upper() in wanted]
    if not items:
        raise RvucheckError(f"no dataset {', '.join(sorted(wanted))} in the package's download list")
    installed, failed = [], []
    for item in items:
        if not item.urls and not item.link:
            say(f"{item.what}: {item.manual or 'download it from'} {item.page}")
            if not item.manual:
                say("  then run rvucheck data install --from FILE")
            continue
        say(f"{item.what}:")
        try:
            urls = list(item.urls) or [(current_link(item.page, item.link, item.unlike, item.what, say),)]
            known = installed_from(store, item.kind, urls[0][0]) if args.update and item.link else None
            if known:  # the page's newest file is the one installed
                say(f"  up to date: {urls[0][0]} is installed ({known.kind} {known.dataset_id})")
                continue
            installed += install_from(urls, store, progress=say)
        except RvucheckError as exc:
            failed.append(item)
            say(f"  could not download: {exc}")
    for item in failed:
        say(f"not installed: {item.what}; get it from {item.page} and run rvucheck data install --from FILE")
    if not installed and failed:
        raise RvucheckError(
            f"nothing could be downloaded ({len(failed)} datasets failed): check the internet connection, or "
            "download the files from the CMS pages listed above and run rvucheck data install --from FOLDER"
        )
    return installed


def run_status(args: argparse.Namespace) -> int:
    from rvucheck.refdata.calendar import quarter_of

    store = _store(args)
    datasets = store.datasets()
    print(f"Data dir: {store.data_dir}")
    if not datasets:
        print("Nothing installed: run `rvucheck data install` (or `rvucheck data install --from FOLDER`).")
        return 0
    headings = {
        "pfs": "Fee schedule releases",
        "ncci": "NCCI edits",
        "benchmarks": "Benchmarks",
        "icd10cm": "ICD-10-CM code sets",
        "icd9cm": "ICD-9-CM code set",
        "asp": "Part B drug payment limits (ASP)",
        "anes_base": "Anesthesia base units",
        "labncd": "Lab NCD ICD-10 edits",
        "mce": "Medicare Code Editor tables",
    }
    for kind, heading in headings.items():
        items = [d for d in datasets if d.kind == kind]
        if not items:
            continue
        print(heading + ":")
        for info in items:
            span = f"{info.effective_from or '?'} to {info.effective_to or '?'}"
            if info.effective_from is None and info.effective_to is None:
                span = "undated (newest used)"
            print(f"  {info.dataset_id:<10} {span:<26} {', '.join(info.contents):<32} {info.label}")
            cfs: Any = info.meta.get("conversion_factors") or {}
            if cfs:
                print("             conversion factors: " + ", ".join(f"{k} {v}" for k, v in cfs.items()))
            for note in info.meta.get("notes", []) or []:
                print(f"             note: {note}")
            if kind == "pfs" and "RVU" in info.contents:
                borrowed = _borrowed(datasets, info)
                if borrowed:
                    print(f"             uses {borrowed}")
    pfs = [d for d in datasets if d.kind == "pfs" and "RVU" in d.contents]
    on = date_option(getattr(args, "date", None))
    for label, day in (("today", dt.date.today()), ("the date given", on)):
        if day is None or not pfs:
            continue
        newest = pfs[0]
        if (newest.year or 0, newest.quarter or 0) < (day.year, quarter_of(day)):
            print(
                f"warning: the newest fee schedule installed is {newest.dataset_id} (Q{newest.quarter} "
                f"{newest.year}), older than the quarter of {label} ({day.isoformat()}): "
                "run `rvucheck data install` for the current release"
            )
    return 0


def _borrowed(datasets: list[Any], info: Any) -> str:
    from rvucheck.refdata.selection import companion_for

    pfs = [d for d in datasets if d.kind == "pfs"]
    parts = []
    for content in ("GPCI", "LOCCO", "ANES", "OPPSCAP"):
        if content not in info.contents:
            source = companion_for(pfs, info, content)
            parts.append(f"{content} of {source.dataset_id}" if source else f"no {content} for CY{info.year}")
    return ", ".join(parts)


def run_localities(args: argparse.Namespace) -> int:
    from rvucheck.refdata import open_reference

    ref = open_reference(getattr(args, "data_dir", None))
    release = ref.release_for(date_option(args.date)).release_id
    table = ref.localities(release)
    if not table:
        raise RvucheckError(f"{release} has no GPCI file installed: install the release's GPCI file")
    state = (args.state or "").strip().upper()
    rows = [x for x in table.values() if not state or x.state == state]
    if not rows:
        raise RvucheckError(f"no localities for state {state!r}: give a two-letter state code, e.g. CA")
    print(f"Localities of {release} (GPCI work / PE / MP)")
    for x in sorted(rows, key=lambda x: (x.state, x.name)):
        print(
            f"{x.mac}-{x.locality}  {x.state}  {x.name:<60} {x.work_gpci:.3f} {x.pe_gpci:.3f} {x.mp_gpci:.3f}"
        )
        if x.counties:
            print(f"            counties: {x.counties}")
    return 0
