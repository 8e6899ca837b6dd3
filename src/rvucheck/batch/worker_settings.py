"""Run settings as JSON, the form they travel to a worker in (a Spark task, a pool worker): dates as ISO
text, paths as text, the roster as objects. `settings_from_json(settings_to_json(s)) == s`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

from rvucheck.settings import Provider, Settings


def settings_to_json(settings: Settings) -> str:
    """Settings as JSON a worker rebuilds with settings_from_json (dates ISO, paths as text)."""
    values = asdict(settings)
    values["today"] = settings.today.isoformat() if settings.today else None
    values["rule_dirs"] = [str(path) for path in settings.rule_dirs]
    values["config_path"] = str(settings.config_path) if settings.config_path else None
    return json.dumps(values, sort_keys=True)


def settings_from_json(text: str) -> Settings:
    values = json.loads(text)
    values["today"] = dt.date.fromisoformat(values["today"]) if values.get("today") else None
    values["rule_dirs"] = tuple(Path(path) for path in values.get("rule_dirs", ()))
    values["config_path"] = Path(values["config_path"]) if values.get("config_path") else None
    values["providers"] = tuple(Provider(**item) for item in values.get("providers", ()))
    values["columns"] = {name: tuple(headers) for name, headers in values.get("columns", {}).items()}
    for name in ("select", "ignore", "medicare_payers"):
        values[name] = tuple(values.get(name, ()))
    return Settings(**values)
