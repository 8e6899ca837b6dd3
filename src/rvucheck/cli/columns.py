"""`rvucheck columns FILE [--json] [--save]`: which column the reader takes for each field, why (the header's
words, or the column's values), and which fields that matter it did not find. `--save` writes the mapping as
`[columns]` in the rvucheck.toml beside the file, which check, audit and RVU_CHECK_RANGE then honour."""

from __future__ import annotations

import argparse
import json
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.cli.common import reading_map
from rvucheck.errors import InputFileError
from rvucheck.model import CellRef

if TYPE_CHECKING:
    from rvucheck.read.charges import ReadResult

# the fields whose absence changes what can be checked (same patient, same day, pairs, units, who)
MATTER = ("patient", "dos", "modifiers", "units", "provider", "diagnoses")


def register(subparsers: argparse._SubParsersAction) -> None:
    from rvucheck.cli.common import add_reading_options

    columns = subparsers.add_parser("columns", help="show how the columns of a charge export are mapped")
    columns.add_argument("files", nargs=1, metavar="FILE")
    add_reading_options(columns)
    columns.add_argument("--json", action="store_true", help="the mapping as JSON on stdout")
    columns.add_argument(
        "--save", action="store_true", help="write the mapping as [columns] in rvucheck.toml"
    )
    columns.add_argument("--config", type=Path, help="rvucheck.toml (default: the one beside FILE)")
    columns.set_defaults(func=run_columns)


def run_columns(args: argparse.Namespace) -> int:
    from rvucheck.read.charges import read_charges
    from rvucheck.read.safety import check_input
    from rvucheck.settings import load_settings

    info = check_input(Path(args.files[0]))
    settings = load_settings(args.config, near=info.path)
    mapping = reading_map(args, settings)
    read = read_charges(info.path, sheet=args.sheet, mapping=mapping or None, info=info)
    found = describe(read, info.path)
    if args.save and read.wide:
        found["saved_to"] = None  # a wide claim layout is found again by its numbered columns
    elif args.save:
        target = save_columns(
            read, args.config or settings.config_path or info.path.parent / "rvucheck.toml", info.path
        )
        found["saved_to"] = str(target)
    if args.json:
        print(json.dumps(found, indent=1))
    else:
        print(_text(found))
    return 0


def letters(column: int) -> str:
    return CellRef("", 1, column).a1().split("!")[-1].rstrip("0123456789")


def describe(read: ReadResult, path: Path) -> dict[str, Any]:
    """The mapping as data: field -> columns, headers, evidence; the fields not found; unused columns."""
    from rvucheck.read.headers import FIELDS

    fields: dict[str, Any] = {}
    used: set[int] = set()
    for name in FIELDS:
        columns = read.columns_of.get(name, ())
        if not columns:
            continue
        used.update(columns)
        fields[name] = {
            "columns": [letters(c) for c in columns],
            "headers": [read.headers[c - 1] if c <= len(read.headers) else "" for c in columns],
            "evidence": read.evidence.get(name, "--map / [columns]"),
        }
    missing = [n for n in MATTER if n not in fields and not (n == "provider" and "provider_npi" in fields)]
    return {
        "file": str(path),
        "sheet": read.sheet,
        "header_row": read.header_row,
        "lines": read.rows_read,
        "readable": len(read.lines),
        "wide": read.wide,
        "columns": fields,
        "not_found": missing,
        "not_used": [f"{letters(i)} {h}" for i, h in enumerate(read.headers, start=1) if h and i not in used],
    }


def _text(found: dict[str, Any]) -> str:
    out = [
        f"{found['file']}: sheet '{found['sheet']}', header on row {found['header_row']}, "
        f"{found['lines']:,} lines below it ({found['readable']:,} readable)"
        + ("; one row per claim, a line per filled code column" if found["wide"] else "")
    ]
    for name, info in found["columns"].items():
        shown = ", ".join(f"{c} '{h}'" for c, h in zip(info["columns"], info["headers"], strict=True))
        if len(info["columns"]) > 4:
            first, last = (f"{info['columns'][i]} '{info['headers'][i]}'" for i in (0, -1))
            shown = f"{first} ... {last} ({len(info['columns'])} columns)"
        out.append(f"  {name:<13} {shown}  [{info['evidence']}]")
    if found["not_found"]:
        out.append(
            f"  not found: {', '.join(found['not_found'])} (name a column with --map FIELD=HEADER, "
            "or --save the mapping and edit [columns] in rvucheck.toml)"
        )
    if found["not_used"]:
        out.append(f"  not used: {', '.join(found['not_used'])[:400]}")
    if found.get("saved_to"):
        out.append(f"  saved as [columns] in {found['saved_to']}")
    elif "saved_to" in found:
        out.append("  nothing saved: a wide claim layout is found again by its numbered columns")
    return "\n".join(out)


_TABLE = re.compile(r"^\s*\[")


def save_columns(read: ReadResult, target: Path, export: Path) -> Path:
    """Write the mapping as the [columns] table of `target` (other keys and tables kept as written), through
    the output layer: never over the export itself, and whole or not at all."""
    from rvucheck.outputs import write_file

    lines = ["[columns]"]
    for name, columns in read.columns_of.items():
        headers = [read.headers[c - 1] for c in columns if c <= len(read.headers) and read.headers[c - 1]]
        if not headers:
            continue
        value = json.dumps(headers[0]) if len(headers) == 1 else json.dumps(headers)
        lines.append(f"{name} = {value}")
    old = target.read_text(encoding="utf-8") if target.is_file() else ""
    kept: list[str] = []
    skipping = False
    for line in old.splitlines():
        if _TABLE.match(line):
            skipping = line.strip() == "[columns]"
        if not skipping:
            kept.append(line)
    text = "\n".join([*kept, "", *lines]).lstrip("\n") + "\n"
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{target}: cannot add [columns] to it ({exc}); fix the file first") from None
    return write_file(target, lambda temp: temp.write_text(text, encoding="utf-8"), inputs=[export])
