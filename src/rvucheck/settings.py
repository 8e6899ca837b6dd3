"""Run settings: `rvucheck.toml` beside the workbook (or `--config FILE`), then command-line overrides.

locality = "01112-05"      # MAC-locality, or a name; national when absent
qpp = false                # qualifying APM participant conversion factor
release = "RVU26C"         # pin a PFS release instead of the one in effect on each date
select = ["GS", "NC01"]    # rule ids or family prefixes to run (default: all)
ignore = ["DX03"]
fail_on = "error"          # "error" | "warning" | "never"
rules = ["payer-rules"]    # extra rule folders, relative to this file

[severities]
MU03 = "error"

medicare_payers = ["MEDICARE PART B"]   # payer names that are Medicare (case and spaces do not matter):
                           # with a payer column, other payers' lines get Medicare-only rules as info

[columns]                  # which column holds a field, as `rvucheck columns FILE --save` writes it
hcpcs = "Billing Item"     # (--map FIELD=HEADER on the command line overrides it)
modifiers = ["Mod A", "Mod B"]

[providers.1234567893]     # the roster (NPI): the audit shows work RVUs against target and per FTE
name = "Rivera, Ana"
specialty = "08"           # CMS specialty code
fte = 1.0
wrvu_target = 420          # work RVUs a month at this FTE

`rvucheck init` writes this file; schemas/profile.json is its schema (checked by cli/profile.py).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from rvucheck.errors import RuleFileError
from rvucheck.model import SEVERITIES

CONFIG_NAME = "rvucheck.toml"
PayerStatus = Literal["medicare", "other", "unknown"]
FAIL_ON = ("error", "warning", "never")
_KNOWN_KEYS = {
    "locality", "qpp", "release", "select", "ignore", "severities", "rules", "fail_on", "columns",
    "medicare_payers", "providers",
}  # fmt: skip


@dataclass(frozen=True)
class Provider:
    """One clinician of the practice's roster ([providers.NPI] of rvucheck.toml)."""

    npi: str
    name: str
    specialty: str = ""
    fte: float = 1.0
    wrvu_target: float | None = None  # work RVUs a month at this FTE


@dataclass(frozen=True)
class Settings:
    locality: str | None = None
    qpp: bool = False
    release: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: dict[str, str] = field(default_factory=dict)
    rule_dirs: tuple[Path, ...] = ()
    fail_on: str = "error"
    # The date "future date of service" is judged against; None means the machine's today.
    # A setting (not a clock read inside rules) so runs and tests are reproducible.
    today: dt.date | None = None
    config_path: Path | None = None  # the rvucheck.toml that was read, for messages
    # [columns]: field -> the header(s) of its column(s), as --map gives them (--map wins field by field)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    medicare_payers: tuple[str, ...] = ()  # payer names that are Medicare, as the export spells them
    providers: tuple[Provider, ...] = ()  # the roster, by NPI


def payer_key(name: str) -> str:
    """A payer name as compared: case and spaces do not count ("Medicare  Part B" = "MEDICARE PARTB")."""
    return "".join(name.split()).casefold()


@cache
def _payer_keys(medicare_payers: tuple[str, ...]) -> frozenset[str]:
    return frozenset(payer_key(p) for p in medicare_payers if payer_key(p))


def payer_status(payer: str, medicare_payers: tuple[str, ...]) -> PayerStatus:
    """Whether a line's payer is one the profile lists as Medicare: "unknown" when the profile lists none
    or the line names no payer (a blank payer is never taken for a non-Medicare one)."""
    key = payer_key(payer)
    if not key or not medicare_payers:
        return "unknown"
    return "medicare" if key in _payer_keys(medicare_payers) else "other"


def find_config(near: Path | None) -> Path | None:
    """`rvucheck.toml` in the workbook's folder (or in `near` itself when it is a folder)."""
    if near is None:
        return None
    folder = near if near.is_dir() else near.parent
    candidate = folder / CONFIG_NAME
    return candidate if candidate.is_file() else None


def load_settings(config_path: Path | None = None, near: Path | None = None, **overrides: Any) -> Settings:
    """Settings from `config_path` (or the rvucheck.toml found beside `near`), then `overrides`.

    Overrides that are None are ignored, so a CLI can pass every option as is. `rule_dirs` from the
    command line are added after the config file's folders (a payer folder on top of the team's).
    """
    path = config_path if config_path is not None else find_config(near)
    settings = Settings() if path is None else _read_config(Path(path))
    return apply_overrides(settings, **overrides)


def apply_overrides(settings: Settings, **overrides: Any) -> Settings:
    changes: dict[str, Any] = {}
    valid = set(Settings.__dataclass_fields__) - {"config_path"}
    for key, value in overrides.items():
        if key not in valid:
            raise TypeError(f"load_settings() got an unknown setting {key!r}")
        if value is None:
            continue
        if key in ("select", "ignore"):
            value = _id_list(value)
        elif key == "rule_dirs":
            value = settings.rule_dirs + tuple(Path(p) for p in value)
        elif key == "severities":
            value = {**settings.severities, **_severities(dict(value), "--severity")}
        elif key == "fail_on" and value not in FAIL_ON:
            raise RuleFileError(f"--fail-on: {value!r} is not one of {', '.join(FAIL_ON)}")
        changes[key] = value
    return replace(settings, **changes)


def _read_config(path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleFileError(f"{path}: config file not found; pass an existing rvucheck.toml") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from None
    data = data.get("rvucheck", data) if set(data) == {"rvucheck"} else data
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise RuleFileError(
            f"{path}: unknown key {unknown[0]!r}; valid keys are {', '.join(sorted(_KNOWN_KEYS))}"
        )
    fail_on = data.get("fail_on", "error")
    if fail_on not in FAIL_ON:
        raise RuleFileError(f"{path}: fail_on: {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    rules = data.get("rules", [])
    if isinstance(rules, str):
        rules = [rules]
    return Settings(
        locality=_optional_str(data, "locality", path),
        qpp=_bool(data, "qpp", path),
        release=_optional_str(data, "release", path),
        select=_id_list(data.get("select", ()), path, "select"),
        ignore=_id_list(data.get("ignore", ()), path, "ignore"),
        severities=_severities(data.get("severities", {}), f"{path}: severities"),
        rule_dirs=tuple((path.parent / str(folder)).resolve() for folder in rules),
        fail_on=fail_on,
        config_path=path,
        columns=_columns(data.get("columns", {}), path),
        medicare_payers=tuple(str(p) for p in data.get("medicare_payers", ())),
        providers=_providers(data.get("providers", {}), path),
    )


def _providers(value: Any, path: Path) -> tuple[Provider, ...]:
    if not isinstance(value, dict):
        raise RuleFileError(f"{path}: providers: expected [providers.NPI] tables")
    out = []
    for npi, entry in value.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise RuleFileError(f'{path}: providers.{npi}: expected a table with name = "..."')
        numbers: dict[str, float | None] = {}
        for key, default in (("fte", 1.0), ("wrvu_target", None)):
            value = entry.get(key, default)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise RuleFileError(f"{path}: providers.{npi}.{key}: expected a number, got {value!r}")
            numbers[key] = float(value) if value is not None else None
        fte = numbers["fte"] if numbers["fte"] is not None else 1.0
        out.append(
            Provider(str(npi), entry["name"], str(entry.get("specialty", "")), fte, numbers["wrvu_target"])
        )
    return tuple(out)


def _columns(value: Any, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise RuleFileError(f'{path}: columns: expected a table of field = "Header", got {value!r}')
    out: dict[str, tuple[str, ...]] = {}
    for name, headers in value.items():
        headers = [headers] if isinstance(headers, str) else headers
        if not isinstance(headers, list) or not headers or not all(isinstance(h, str) and h for h in headers):
            raise RuleFileError(f"{path}: columns.{name}: expected a header or a list of headers")
        out[str(name)] = tuple(headers)
    return out


def _optional_str(data: dict[str, Any], key: str, path: Path) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int):
        raise RuleFileError(f"{path}: {key}: expected a text value, got {value!r}")
    return str(value)


def _bool(data: dict[str, Any], key: str, path: Path) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise RuleFileError(f"{path}: {key}: expected true or false, got {value!r}")
    return value


def _id_list(value: Any, path: Path | None = None, key: str = "") -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        where = f"{path}: {key}" if path else key
        raise RuleFileError(f"{where}: expected a list of rule ids or families, got {value!r}")
    return tuple(v.strip().upper() for v in value if v.strip())


def _severities(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise RuleFileError(f"{where}: expected a table of RULE = severity, got {value!r}")
    out: dict[str, str] = {}
    for rule_id, severity in value.items():
        if severity not in SEVERITIES:
            raise RuleFileError(f"{where}.{rule_id}: {severity!r} is not one of {', '.join(SEVERITIES)}")
        out[str(rule_id).upper()] = severity
    return out
