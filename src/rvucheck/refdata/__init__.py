"""CMS reference data: install CMS files into a versioned local store, and look things up in it.

    from rvucheck.refdata import open_reference
    ref = open_reference()            # or open_reference(data_dir)
    row = ref.rvu("20983")            # RvuRow from the release in effect (default: newest installed)
    ref.payment(row, ref.locality("01112-05"), facility=False)
    fee_schedule("20983", locality="01112-05")   # everything `rvucheck code` shows, as a dict

One implementation serves the CLI, the rules engine, the workbook annotator, the Excel UDFs and the audit.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rvucheck.refdata.reference import Reference


def open_reference(data_dir: Path | str | None = None) -> Reference:
    """Open the installed reference data (raises DataNotInstalled with what to run when there is none)."""
    from rvucheck.refdata.reference import Reference

    return Reference.open(data_dir)


def fee_schedule(code: str, data_dir: Path | str | None = None, **options: Any) -> dict[str, Any]:
    """One code's fee-schedule page as a dict (keys of `rvucheck code --json`); options are those of
    `refdata.code_page.lookup`: modifiers, locality, pos, on, qpp."""
    from rvucheck.refdata.code_page import lookup

    return lookup(open_reference(data_dir), code, **options)
