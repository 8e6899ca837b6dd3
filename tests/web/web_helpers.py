"""What the web tests share: the page's token, the app on a data dir, waiting for a job."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

TOKEN = "t" * 43
BASE = "http://127.0.0.1:8765"
SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "sample-charges-2026-10.xlsx"
RENAMED = ("Patient MRN", "Field 2")  # a header the reader does not know: the page maps it


def make_app(data: Path, profile: Path, **more: Any) -> Any:
    from rvucheck.web.app import WebConfig, create_app

    profile.parent.mkdir(parents=True, exist_ok=True)
    return create_app(WebConfig(data_dir=data, profile=profile, **more), token=TOKEN)


def wait_done(client: Any, status_url: str, timeout: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = client.get(status_url).json()
        if status["state"] != "running" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def error_of(html: str) -> str:
    """The one-line message of an error page."""
    found = re.search(r'id="error-message">([^<]*)<', html)
    assert found, html[:2000]
    return found.group(1).replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')
