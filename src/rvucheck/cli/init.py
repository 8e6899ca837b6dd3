"""`rvucheck init`: write the practice profile (rvucheck.toml) by asking a few questions, or entirely from
options for a script (--no-input). The locality is resolved now, against the installed county crosswalk, and
saved as its MAC-locality id; the file is checked against schemas/profile.json before it is written, and an
existing file is never replaced without --force."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rvucheck.errors import RvucheckError
from rvucheck.settings import CONFIG_NAME, Provider

Ask = Callable[[str], str]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="write rvucheck.toml: locality, QPP, Medicare payers, provider roster",
        description="Write the practice profile rvucheck.toml (asks a few questions; every answer can be "
        "given as an option instead). Example: rvucheck init --locality 'Dallas, TX' --no-qpp "
        "--provider '1234567893|Rivera, Ana|08|1.0|420' --medicare-payer 'MEDICARE PART B' --no-input",
    )
    parser.add_argument("--out", type=Path, default=Path(CONFIG_NAME), help="where to write (rvucheck.toml)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.add_argument("--locality", "-l", help='MAC-locality (04412-11), a name, or "county, state"')
    parser.add_argument("--qpp", action=argparse.BooleanOptionalAction, default=None, help="QPP CF or not")
    parser.add_argument(
        "--medicare-payer", action="append", default=[], metavar="NAME", help="a payer name that is Medicare"
    )
    parser.add_argument(
        "--provider",
        action="append",
        default=[],
        metavar="'NPI|NAME|SPECIALTY|FTE|TARGET'",
        help="a provider of the roster: NPI, name, CMS specialty code, FTE, monthly work RVU target",
    )
    parser.add_argument("--no-input", action="store_true", help="ask nothing: use the options and defaults")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ask: Ask | None = None if args.no_input or not sys.stdin.isatty() else input
    return write_profile(args, ask)


def write_profile(args: argparse.Namespace, ask: Ask | None) -> int:
    from rvucheck.cli.profile import check_profile
    from rvucheck.outputs import write_file

    if args.out.exists() and not args.force:
        raise RvucheckError(f"{args.out} already exists; use --force to replace it")
    locality, where = _locality(args, ask)
    qpp = args.qpp if args.qpp is not None else _yes(ask, "Qualifying APM participant (QPP)? [y/N] ")
    payers = args.medicare_payer or _list(ask, "Payer names that are Medicare, comma-separated [MEDICARE]: ")
    providers = [parse_provider(text) for text in args.provider] or _ask_providers(ask)
    text = profile_text(locality, where, qpp, payers or ["MEDICARE"], providers)
    import tomllib

    check_profile(tomllib.loads(text), args.out)
    write_file(args.out, lambda temp: temp.write_text(text, encoding="utf-8"), force=args.force)
    print(
        f"written to {args.out}: locality {where}, {'QPP' if qpp else 'non-QPP'}, "
        f"{len(providers)} provider(s)"
    )
    return 0


def _locality(args: argparse.Namespace, ask: Ask | None) -> tuple[str | None, str]:
    """(the id to save, words for the file's comment); asks again after an unknown or ambiguous answer."""
    from rvucheck.refdata.locality_search import UnknownLocality

    query = args.locality
    for _ in range(3):
        if query is None and ask is not None:
            query = ask('Locality: MAC-locality id, locality name or "county, state" (empty: national): ')
        if not query:
            return None, "national"
        try:
            return _resolve(args, query)
        except UnknownLocality as exc:
            if ask is None:
                raise
            print(str(exc), *exc.details, sep="\n  ", file=sys.stderr)
            query = None
    raise RvucheckError("no locality chosen: run rvucheck init again with --locality MAC-LOCALITY")


def _resolve(args: argparse.Namespace, query: str) -> tuple[str, str]:
    from rvucheck.refdata import open_reference

    try:
        ref = open_reference(getattr(args, "data_dir", None))
        place = ref.locality(query)
    except RvucheckError as exc:
        if type(exc).__name__ == "UnknownLocality" and "GPCI" not in str(exc):
            raise
        return query, f"{query} (not checked: no CMS data installed; run rvucheck data install)"
    return place.key, f"{place.key} {place.name} ({place.state})"


def parse_provider(text: str) -> Provider:
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 2 or not npi_valid(parts[0]):
        raise RvucheckError(
            f"--provider {text!r}: write 'NPI|NAME|SPECIALTY|FTE|TARGET' with a valid 10-digit NPI"
        )
    parts += [""] * (5 - len(parts))
    try:
        fte = float(parts[3]) if parts[3] else 1.0
        target = float(parts[4]) if parts[4] else None
    except ValueError:
        raise RvucheckError(f"--provider {text!r}: FTE and TARGET are numbers (e.g. 1.0|420)") from None
    return Provider(parts[0], parts[1], parts[2].upper(), fte, target)


def npi_valid(npi: str) -> bool:
    """A 10-digit NPI whose last digit is its Luhn check digit (computed with the 80840 prefix, per CMS)."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(d) for d in "80840" + npi[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += sum(divmod(d * 2, 10)) if i % 2 == 0 else d
    return (10 - total % 10) % 10 == int(npi[9])


def _ask_providers(ask: Ask | None) -> list[Provider]:
    found: list[Provider] = []
    while ask is not None:
        npi = ask("Provider NPI (empty when done): ").strip()
        if not npi:
            break
        if not npi_valid(npi):
            print(f"  {npi} is not a valid NPI (10 digits with a check digit)", file=sys.stderr)
            continue
        name = ask("  name: ").strip() or npi
        specialty = ask("  CMS specialty code (e.g. 08 family practice, 11 internal medicine): ").strip()
        fte = ask("  FTE [1.0]: ").strip() or "1.0"
        target = ask("  monthly work RVU target (empty: none): ").strip()
        found.append(parse_provider("|".join((npi, name.replace("|", " "), specialty, fte, target))))
    return found


def _yes(ask: Ask | None, question: str) -> bool:
    return ask is not None and ask(question).strip().lower() in ("y", "yes")


def _list(ask: Ask | None, question: str) -> list[str]:
    answer = ask(question) if ask is not None else ""
    return [p.strip() for p in answer.split(",") if p.strip()]


def profile_text(
    locality: str | None, where: str, qpp: bool, payers: list[str], providers: list[Provider]
) -> str:
    q = json.dumps  # a JSON string is a TOML basic string
    lines = [
        "# rvucheck practice profile, written by `rvucheck init` (schema: rvucheck/schemas/profile.json)"
    ]
    lines.append(f"locality = {q(locality)}   # {where}" if locality else "# locality: national (none set)")
    lines += [
        f"qpp = {'true' if qpp else 'false'}   # qualifying APM participant conversion factor",
        f"medicare_payers = [{', '.join(q(p) for p in payers)}]",
        "",
        "# [columns] maps fields to your export's headers: `rvucheck columns FILE --save` writes it",
    ]
    for p in providers:
        lines += ["", f"[providers.{p.npi}]", f"name = {q(p.name)}"]
        lines += [f"specialty = {q(p.specialty)}"] if p.specialty else []
        lines.append(f"fte = {p.fte:g}")
        lines += (
            [f"wrvu_target = {p.wrvu_target:g}   # work RVUs a month"] if p.wrvu_target is not None else []
        )
    return "\n".join(lines) + "\n"
