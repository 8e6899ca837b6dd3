"""`rvucheck excel install|workbook` and `rvucheck workbook template|procedure-log`: the spreadsheet side.

rvucheck excel install              xlwings add-in; UDF Modules = rvucheck.excel.udfs (xlwings.conf)
rvucheck excel workbook [--out F]   the workbook set up to import the functions, with examples
rvucheck workbook template [--out F] [--with-descriptions] [--date D] [--locality L]
rvucheck workbook procedure-log [--out F] [--with-descriptions] [--date D]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

from rvucheck.cli.common import date_option
from rvucheck.errors import InputFileError, RvucheckError
from rvucheck.outputs import Outputs


def register(subparsers: Any) -> None:
    excel = subparsers.add_parser("excel", help="use rvucheck's functions (=RVU(...)) in Excel via xlwings")
    excel_commands = excel.add_subparsers(dest="excel_command", metavar="ACTION", required=True)
    install = excel_commands.add_parser(
        "install",
        help="install the xlwings add-in and point it at rvucheck's functions (rvucheck.excel.udfs)",
    )
    install.add_argument("--config", type=Path, help="xlwings user config (default ~/.xlwings/xlwings.conf)")
    install.add_argument("--no-addin", action="store_true", help="only write the config; skip the add-in")
    install.set_defaults(func=run_install)
    book = excel_commands.add_parser("workbook", help="write the .xlsm set up to import the functions")
    book.add_argument("--out", type=Path, default=Path("rvucheck-functions.xlsm"))
    book.set_defaults(func=run_functions_workbook)

    workbook = subparsers.add_parser("workbook", help="write workbooks that need no add-in")
    workbook_commands = workbook.add_subparsers(dest="workbook_command", metavar="KIND", required=True)
    template = workbook_commands.add_parser(
        "template", help="fee-schedule calculator with native formulas and your installed release"
    )
    template.add_argument("--out", type=Path, default=Path("rvucheck-template.xlsx"))
    template.add_argument("--locality", default="NATIONAL", help="default locality (MAC-LOC), e.g. 01112-05")
    _common(template)
    template.set_defaults(func=run_template)
    log = workbook_commands.add_parser("procedure-log", help="procedure log with wRVU/payment formulas")
    log.add_argument("--out", type=Path, default=Path("procedure-log.xlsx"))
    log.add_argument(
        "--empty", action="store_true", help="leave the RVU/GPCI sheets empty (the copy in workbooks/)"
    )
    _common(log)
    log.set_defaults(func=run_procedure_log)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--with-descriptions",
        action="store_true",
        help="also copy the DESCRIPTION column (AMA CPT text from your CMS file: keep the workbook private)",
    )
    parser.add_argument("--date", help="use the release in effect on this date (YYYY-MM-DD); default newest")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")


def _out(outputs: Outputs, path: Path, suffix: str) -> Path:
    """The output checked before any work (rvucheck.outputs: existence is checked again at the rename)."""
    if path.suffix.lower() != suffix:
        raise InputFileError(f"{path}: the output must be an {suffix} file")
    return outputs.plan(path)


def _reference(args: argparse.Namespace) -> Any:
    from rvucheck.refdata import open_reference

    return open_reference(getattr(args, "data_dir", None))


def run_template(args: argparse.Namespace) -> int:
    from rvucheck.cli.progress import busy
    from rvucheck.excel.template import write_template

    with Outputs((), args.force) as outputs:
        out = _out(outputs, args.out, ".xlsx")
        ref = _reference(args)
        locality = args.locality.strip()
        if locality.upper() != "NATIONAL":
            locality = ref.locality(locality).key
        on, descriptions = date_option(args.date), args.with_descriptions
        with busy(f"writing {out.name}"):
            outputs.write(
                out,
                lambda temp: write_template(
                    ref, temp, on=on, with_descriptions=descriptions, default_locality=locality
                ),
            )
            outputs.commit()
    print(f"wrote {out}")
    if args.with_descriptions:
        print("it contains CPT descriptors (AMA-licensed) from your CMS file: do not share it")
    return 0


def run_procedure_log(args: argparse.Namespace) -> int:
    from rvucheck.excel.procedure_log import build_procedure_log, write_procedure_log

    with Outputs((), args.force) as outputs:
        out = _out(outputs, args.out, ".xlsx")
        if args.empty:
            outputs.write(out, lambda temp: build_procedure_log(None).save(temp))
        else:
            ref, on, descriptions = _reference(args), date_option(args.date), args.with_descriptions
            outputs.write(
                out, lambda temp: write_procedure_log(ref, temp, on=on, with_descriptions=descriptions)
            )
        outputs.commit()
    print(f"wrote {out}")
    return 0


def run_functions_workbook(args: argparse.Namespace) -> int:
    from rvucheck.excel.addin_workbook import build_functions_workbook

    with Outputs((), force=True) as outputs:  # a generated file, replaced as before
        out = _out(outputs, args.out, ".xlsm")
        outputs.write(out, build_functions_workbook)
        outputs.commit()
    print(f"wrote {args.out}: open it in Excel and click Import Functions on the xlwings tab")
    return 0


def run_install(args: argparse.Namespace) -> int:
    from rvucheck.excel.addin_workbook import user_config_path, write_user_config

    config = args.config or user_config_path()
    keys = write_user_config(config)
    print(
        f"{config}: set {', '.join(keys)} (UDF MODULES = rvucheck.excel.udfs, this Python as the interpreter)"
    )
    if args.no_addin:
        return 0
    if not sys.platform.startswith(("win", "darwin")):
        print("the xlwings add-in needs Excel on Windows or macOS; there, run `xlwings addin install`")
        return 0
    # the `xlwings` console script of this Python (it may not be on PATH)
    command = [sys.executable, "-c", "from xlwings.cli import main; main()", "addin", "install"]
    done = subprocess.run(command, check=False)
    if done.returncode != 0:
        raise RvucheckError("`xlwings addin install` failed (see its message above); is Excel installed?")
    print("done: restart Excel, then on the xlwings tab click Import Functions")
    return 0
