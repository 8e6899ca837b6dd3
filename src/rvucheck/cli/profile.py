"""The practice profile (rvucheck.toml) checked against its schema (schemas/profile.json, beside the rules'
schema): a wrong type, an NPI that is not 10 digits or an unknown key is one line naming the file and the
key. settings.py reads the values; this module only says whether the file is well-formed."""

from __future__ import annotations

import json
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from rvucheck.errors import RuleFileError

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "profile.json"


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def check_profile(data: dict[str, Any], where: Path | str) -> None:
    """RuleFileError naming the first problem of a profile's values (the schema's best match)."""
    from jsonschema.exceptions import best_match

    data = data.get("rvucheck", data) if set(data) == {"rvucheck"} else data
    error = best_match(_validator().iter_errors(data))
    if error is None:
        return
    key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    raise RuleFileError(
        f"{where}: {key}: {error.message}; fix rvucheck.toml or write it again with `rvucheck init`"
    )


def check_profile_file(path: Path) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return  # settings.py reports an unreadable file with its own message
    check_profile(data, path)
