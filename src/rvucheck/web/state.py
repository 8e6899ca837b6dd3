"""One server's state (`Web`): its config, its jobs, the practice profile, its CSRF token and templates, and
what every page does with them: render, answer an error, read a POSTed form, find a job."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from rvucheck.web.jobs import Job, JobStore, describe_failure
from rvucheck.web.profile import Profile
from rvucheck.web.security import CSRF_FIELD, CSRF_HEADER, Refused, TooLarge, token_ok

HERE = Path(__file__).parent
MAX_FILES = 24  # exports in one audit


@dataclass(frozen=True)
class WebConfig:
    data_dir: Path | None = None
    profile: Path = Path("rvucheck.toml")
    host: str = "127.0.0.1"
    port: int = 8765
    max_upload: int = 200 * 1024**2  # bytes in one request
    ttl_seconds: float = 3600.0  # results kept this long


class Web:
    """One server's state: its config, its jobs, its CSRF token and its templates."""

    def __init__(self, config: WebConfig, token: str) -> None:
        self.config, self.token = config, token
        self.jobs = JobStore(config.ttl_seconds)
        self.profile = Profile(config.profile, config.data_dir)
        self.templates = Jinja2Templates(directory=HERE / "templates")
        env = self.templates.env
        env.globals.update(csrf=token, csrf_field=CSRF_FIELD)
        env.filters.update(
            money=lambda v: "" if v is None else f"${v:,.2f}", num=lambda v: f"{v:,.2f}", ordinal=_ordinal
        )

    def page(self, request: Request, name: str, http_status: int = 200, **context: Any) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=http_status)

    def failed(self, request: Request, exc: BaseException, status: int | None = None) -> Response:
        """The error page: the one line the command line would print, a status like its exit code."""
        code, message = describe_failure(exc)
        if isinstance(exc, TooLarge):
            code, message = 413, f"the upload is larger than {_size(exc.limit)}; split the export by month"
        elif isinstance(exc, Refused):
            code, message = 403, str(exc)
        elif isinstance(exc, HTTPException):
            code, message = exc.status_code, str(exc.detail)
            if code == 405:
                message = "that page does not take this request; start again from the menu"
        return self.page(request, "error.html", status or code, message=message, status=status or code)

    async def form(self, request: Request) -> FormData:
        """The POSTed form, size-limited (413) and carrying the page's token (403 without it)."""
        if request.scope.get("rvucheck.too_large"):
            raise TooLarge(self.config.max_upload)
        form = await request.form(max_files=MAX_FILES)
        given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        if not token_ok(given if isinstance(given, str) else None, self.token):
            raise Refused("the form has expired or came from another page; reload the page and try again")
        return form

    def job(self, job_id: str, kind: str) -> Job:
        job = self.jobs.get(job_id, kind)
        if job is None:
            raise HTTPException(404, "no such job: results are kept for an hour; upload the file again")
        return job


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _size(limit: int) -> str:
    return f"{limit / 1024**2:,.0f} MB" if limit >= 1024**2 else f"{limit / 1024:,.0f} KB"
