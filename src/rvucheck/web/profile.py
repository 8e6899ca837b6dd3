"""The practice profile as the web page sees it: the settings file (rvucheck.toml), its saved `[columns]`
mapping and the localities to choose from. Every call the page makes about the profile or a locality is
here, so a richer profile (strict locality ids, a practice section) replaces this one module."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.errors import InputFileError

if TYPE_CHECKING:
    from rvucheck.read.charges import ReadResult
    from rvucheck.settings import Settings

LOCALITY_ID = re.compile(r"^\s*(\d{5}-\d{2})\b")


@dataclass(frozen=True)
class Profile:
    path: Path  # the practice's rvucheck.toml (created by the first save)
    data_dir: Path | None  # the CMS data store (None: $RVUCHECK_DATA or the user data dir)

    def settings(self, **overrides: Any) -> Settings:
        from rvucheck.settings import load_settings

        return load_settings(self.path if self.path.is_file() else None, **overrides)

    def mapping(self) -> dict[str, list[str]]:
        """The saved `[columns]`: field -> headers, as `rvucheck check` reads them."""
        from rvucheck.cli.common import reading_map

        return reading_map(argparse.Namespace(map=[]), self.settings())

    def save_columns(self, read: ReadResult, export: Path) -> Path:
        from rvucheck.cli.columns import save_columns

        return save_columns(read, self.path, export)

    def localities(self) -> list[tuple[str, str]]:
        """(id, label) of every locality of the release in force, by state and name; [] without GPCIs."""
        from rvucheck.refdata import open_reference

        table = open_reference(self.data_dir).localities()
        rows = sorted(table.values(), key=lambda x: (x.state, x.name))
        return [(f"{x.mac}-{x.locality}", _label(x)) for x in rows]

    def locality(self, text: str) -> str | None:
        """The locality the user picked (an entry of the list, an id, or a name), checked now so that a
        wrong one is reported before the run; None: national."""
        from rvucheck.refdata import open_reference

        text = text.strip()
        if not text:
            return None
        match = LOCALITY_ID.match(text)
        query = match.group(1) if match else text
        place = open_reference(self.data_dir).locality(query)
        return f"{place.mac}-{place.locality}"


def _label(x: Any) -> str:
    counties = f": {x.counties}" if x.counties else ""
    return f"{x.mac}-{x.locality} {x.state} {x.name.rstrip('* ')}{counties}"[:160]


# how the column form names each field (the reader's field names are short keys)
FIELD_LABELS = {
    "hcpcs": "Procedure code (CPT/HCPCS)", "modifiers": "Modifiers", "units": "Units",
    "dos": "Date of service", "provider_npi": "Provider NPI", "provider": "Provider name",
    "patient": "Patient (MRN or account)", "diagnoses": "Diagnoses (ICD-10-CM)", "pos": "Place of service",
    "charge": "Charge amount", "payer": "Payer", "claim": "Claim or encounter", "specialty": "Specialty",
    "group": "Group or practice", "posted": "Posted date", "birth_date": "Birth date", "age": "Age",
    "minutes": "Documented time (minutes)", "note_status": "Note status", "signed": "Note signed date",
    "attachment": "Report / attachment on file",
}  # fmt: skip


def field_names() -> list[str]:
    from rvucheck.read.headers import FIELDS

    return list(FIELDS)


def chosen_mapping(form: dict[str, list[str]], headers: list[str]) -> dict[str, list[str]]:
    """field -> headers from the mapping form (`map.FIELD` values, each a header of the file)."""
    names = set(field_names())
    known = {h for h in headers if h}
    mapping: dict[str, list[str]] = {}
    for key, values in form.items():
        if not key.startswith("map."):
            continue
        name = key[4:]
        if name not in names:
            raise InputFileError(f"the column form names an unknown field {name!r}; reload the page")
        picked = [v for v in values if v]
        unknown = [v for v in picked if v not in known]
        if unknown:
            raise InputFileError(f"{name}: the file has no column {unknown[0]!r}; reload the page")
        if picked:
            mapping[name] = picked
    return mapping
