"""What several commands share: the options that say how charges are read and checked, and --date."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.errors import InputFileError, RvucheckError

if TYPE_CHECKING:
    from rvucheck.settings import Settings


def date_option(text: str | None) -> dt.date | None:
    """The `--date` option of any command: a date of service as YYYY-MM-DD, or None when not given."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = f"--date {text!r} is not a date: give the date of service as YYYY-MM-DD"
        raise RvucheckError(message) from None


def add_reading_options(parser: argparse.ArgumentParser) -> None:
    """--sheet and --map: which sheet and which columns hold the charges (check, columns, audit)."""
    parser.add_argument("--sheet", help="the charge sheet (default: the one with a procedure code column)")
    parser.add_argument(
        "--map", action="append", default=[], metavar="FIELD=HEADER", help="use this column for a field"
    )


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """Every option that says how charges are read and checked. `check` and `audit` both take exactly
    these (one definition, so the two commands cannot drift apart); `settings_from` reads them back."""
    add_reading_options(parser)
    parser.add_argument(
        "--locality",
        "-l",
        help='MAC-locality (01112-05), a locality name (Manhattan) or "county, state" (Dallas, TX); '
        "default national",
    )
    parser.add_argument("--qpp", action="store_true", default=None, help="use the QPP conversion factor")
    parser.add_argument("--release", help="price with this PFS release (e.g. RVU26C)")
    parser.add_argument("--rules", type=Path, action="append", metavar="DIR", help="extra rule folder")
    parser.add_argument("--select", action="append", help="only these rule ids or families (comma list)")
    parser.add_argument("--ignore", action="append", help="skip these rule ids or families (comma list)")
    parser.add_argument("--config", type=Path, help="rvucheck.toml (default: the one beside FILE)")


def settings_from(args: argparse.Namespace, near: Path | None, **more: Any) -> Settings:
    """The run settings: the config file (--config, or rvucheck.toml beside `near`), then the options
    `add_check_options` defined, then `more` (options of one command, e.g. check's --fail-on)."""
    from rvucheck.cli.profile import check_profile_file
    from rvucheck.settings import load_settings

    settings = load_settings(
        args.config, near=near, locality=args.locality, qpp=args.qpp, release=args.release,
        select=comma_list(args.select), ignore=comma_list(args.ignore), rule_dirs=args.rules, **more,
    )  # fmt: skip
    if settings.config_path is not None:
        check_profile_file(settings.config_path)
    return settings


def data_dir_of(args: argparse.Namespace) -> Path | None:
    """The global --data-dir (None: $RVUCHECK_DATA or the user data dir)."""
    return Path(args.data_dir) if getattr(args, "data_dir", None) else None


def parse_map(items: list[str]) -> dict[str, list[str]]:
    """--map FIELD=HEADER items -> field -> headers (a field may be given several columns)."""
    from rvucheck.read.headers import canonical_field

    mapping: dict[str, list[str]] = {}
    for item in items:
        field, sep, header = item.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise InputFileError(f"--map {item}: write it as FIELD=Header, e.g. --map hcpcs='Proc Code'")
        mapping.setdefault(canonical_field(field), []).append(header.strip())
    return mapping


def reading_map(args: argparse.Namespace, settings: Settings) -> dict[str, list[str]]:
    """The columns to read: [columns] of the config file, then --map (which wins field by field)."""
    from rvucheck.read.headers import canonical_field

    where = settings.config_path or "rvucheck.toml"
    saved: dict[str, list[str]] = {}
    for name, headers in settings.columns.items():
        try:
            saved[canonical_field(name)] = list(headers)
        except InputFileError:
            raise InputFileError(
                f"{where}: [columns] {name}: not a field; see `rvucheck columns FILE`"
            ) from None
    return {**saved, **parse_map(args.map)}


def comma_list(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def exit_code(counts: dict[str, int], fail_on: str) -> int:
    """1 when the findings reach --fail-on (error, or error and warning), else 0: every check engine's."""
    if fail_on == "never":
        return 0
    levels = ("error",) if fail_on == "error" else ("error", "warning")
    return 1 if any(counts.get(level, 0) for level in levels) else 0
