"""The routes of `rvucheck serve`: Check, Audit, Code, Data. Each handler parses the form, checks the CSRF
token on a POST, and hands the work to checking/auditing/lookup (the same functions as the command line);
long work runs as a Job that the page polls. Every failure is an error page with the command line's one
line and an HTTP status like its exit code (400 input, 403 refused, 404, 413 too large, 500 a bug)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from rvucheck.errors import InputFileError, RvucheckError
from rvucheck.web import auditing, checking, lookup, uploads
from rvucheck.web.jobs import Job, JobStore, describe_failure
from rvucheck.web.profile import Profile, chosen_mapping
from rvucheck.web.security import CSRF_FIELD, CSRF_HEADER, Guard, Refused, TooLarge, allowed_hosts, token_ok

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


def create_app(config: WebConfig | None = None, token: str | None = None) -> Any:
    """The ASGI app: the routes behind the Guard (Host/Origin, body size, security headers)."""
    from rvucheck.web.security import new_token

    config = config or WebConfig()
    web = Web(config, token or new_token())

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        web.jobs.close()  # every upload and result goes with the server

    routes = [
        Route("/", lambda r: RedirectResponse("/check", 303)),
        Route("/check", _bind(web, check_form), methods=["GET"]),
        Route("/check", _bind(web, check_upload), methods=["POST"]),
        Route("/check/{job}/columns", _bind(web, check_columns)),
        Route("/check/{job}/run", _bind(web, check_run), methods=["POST"]),
        Route("/check/{job}", _bind(web, check_result)),
        Route("/audit", _bind(web, audit_form), methods=["GET"]),
        Route("/audit", _bind(web, audit_upload), methods=["POST"]),
        Route("/audit/{job}/report", _bind(web, audit_report)),
        Route("/audit/{job}", _bind(web, audit_result)),
        Route("/code", _bind(web, code)),
        Route("/data", _bind(web, data), methods=["GET"]),
        Route("/data/install", _bind(web, data_install), methods=["POST"]),
        Route("/data/{job}", _bind(web, data_result)),
        Route("/{kind:str}/{job}/status", _bind(web, job_status)),
        Route("/{kind:str}/{job}/download/{what}", _bind(web, download)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    handlers = {
        HTTPException: _error(web),
        TooLarge: _error(web),
        Refused: _error(web),
        RvucheckError: _error(web),
    }
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.state.web = web
    return Guard(app, allowed_hosts(config.host, config.port), config.max_upload)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _size(limit: int) -> str:
    return f"{limit / 1024**2:,.0f} MB" if limit >= 1024**2 else f"{limit / 1024:,.0f} KB"


def _bind(web: Web, handler: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(web, request)
        except (HTTPException, TooLarge, Refused, RvucheckError):
            raise  # answered by the handlers below
        except Exception as exc:  # a bug, or an OS error: one line, never a traceback in the page or the log
            return web.failed(request, exc)

    return endpoint


def _error(web: Web) -> Any:
    async def handle(request: Request, exc: Exception) -> Response:
        return web.failed(request, exc)

    return handle


# --- Check -------------------------------------------------------------------------------------------


async def check_form(web: Web, request: Request) -> Response:
    return web.page(request, "check.html", nav="check")


async def check_upload(web: Web, request: Request) -> Response:
    form = await web.form(request)
    upload = uploads.uploads_of(form, "file")[0]
    job = web.jobs.new("check")
    try:
        path = await uploads.save(upload, job.inputs, uploads.safe_name(upload.filename))
        info = await run_in_threadpool(
            checking.validate, path
        )  # reading a large file must not stall the page
        preview = await run_in_threadpool(checking.preview, info, web.profile)
        job.facts.update(name=path.name, info=info, preview=preview)
        job.touched = time.monotonic()  # kept from now, however long the preview took
    except BaseException as exc:
        _drop(web, job)
        raise _shown(job, exc) from None
    finally:
        await form.close()
    return RedirectResponse(f"/check/{job.id}/columns", 303)


async def check_columns(web: Web, request: Request) -> Response:
    job = web.job(request.path_params["job"], "check")
    if job.state != "new":
        return RedirectResponse(f"/check/{job.id}", 303)
    return web.page(
        request, "columns.html", nav="check", job=job, preview=job.facts["preview"],
        localities=_localities(web), saved=web.profile.path,
    )  # fmt: skip


async def check_run(web: Web, request: Request) -> Response:
    job = web.job(request.path_params["job"], "check")
    form = await web.form(request)
    if job.state != "new":
        return RedirectResponse(f"/check/{job.id}", 303)
    preview = job.facts["preview"]
    fields = {key: [str(v) for v in form.getlist(key)] for key in form if key.startswith("map.")}
    try:
        chosen = chosen_mapping(fields, preview["headers"])
        detected = {f["name"]: f["chosen"] for f in preview["fields"]}
        choices = checking.Choices(
            sheet=preview["sheet"],
            mapping=checking.changed(chosen, detected),
            locality=web.profile.locality(str(form.get("locality") or "")),
            qpp=form.get("qpp") == "yes",
            save=form.get("save") == "yes",
        )
    except RvucheckError as exc:
        raise _shown(job, exc) from None
    info = job.facts["info"]
    web.jobs.start(job, lambda j: checking.run_check(j, info, web.profile, choices))
    return RedirectResponse(f"/check/{job.id}", 303)


async def check_result(web: Web, request: Request) -> Response:
    job = web.job(request.path_params["job"], "check")
    if job.state == "new":
        return RedirectResponse(f"/check/{job.id}/columns", 303)
    return _job_page(web, request, job, "result.html", nav="check")


# --- Audit -------------------------------------------------------------------------------------------


async def audit_form(web: Web, request: Request) -> Response:
    return web.page(request, "audit.html", nav="audit")


async def audit_upload(web: Web, request: Request) -> Response:
    form = await web.form(request)
    job = web.jobs.new("audit")
    try:
        month = auditing.month_option(str(form.get("month") or ""))
        taken: set[str] = set()
        paths = []
        for upload in uploads.uploads_of(form, "files"):
            path = await uploads.save(upload, job.inputs, uploads.safe_name(upload.filename, taken))
            checking.validate(path)
            paths.append(path)
    except BaseException as exc:
        _drop(web, job)
        raise _shown(job, exc) from None
    finally:
        await form.close()
    job.facts["names"] = [p.name for p in paths]
    web.jobs.start(job, lambda j: auditing.run_audit_job(j, paths, month, web.profile))
    return RedirectResponse(f"/audit/{job.id}", 303)


async def audit_result(web: Web, request: Request) -> Response:
    job = web.job(request.path_params["job"], "audit")
    return _job_page(web, request, job, "audit_result.html", nav="audit")


async def audit_report(web: Web, request: Request) -> Response:
    """The audit's own HTML, shown in the page's frame: no script may run in it."""
    job = web.job(request.path_params["job"], "audit")
    if "html" not in job.files:
        raise HTTPException(404, "the audit report is not ready")
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    return FileResponse(
        job.files["html"], media_type="text/html", headers={"content-security-policy": policy}
    )


# --- Code and Data ------------------------------------------------------------------------------------


async def code(web: Web, request: Request) -> Response:
    form = {k: str(v) for k, v in request.query_params.items()}
    page, message = None, ""
    if form.get("code", "").strip():
        try:
            page = await run_in_threadpool(lookup.code_page, web.config.data_dir, form)
        except RvucheckError as exc:
            message = str(exc)
    return web.page(
        request, "code.html", 400 if message else 200, nav="code", form=form, page=page, message=message,
        localities=_localities(web),
    )  # fmt: skip


async def data(web: Web, request: Request) -> Response:
    return web.page(request, "data.html", nav="data", store=lookup.status(web.config.data_dir))


async def data_install(web: Web, request: Request) -> Response:
    form = await web.form(request)
    folder = lookup.install_folder(str(form.get("folder") or ""))
    job = web.jobs.new("install")
    job.facts["folder"] = str(folder)
    web.jobs.start(job, lambda j: lookup.run_install(j, folder, web.config.data_dir))
    return RedirectResponse(f"/data/{job.id}", 303)


async def data_result(web: Web, request: Request) -> Response:
    job = web.job(request.path_params["job"], "install")
    return _job_page(web, request, job, "install_result.html", nav="data")


# --- Jobs --------------------------------------------------------------------------------------------

KINDS = {"check": "check", "audit": "audit", "data": "install"}


async def job_status(web: Web, request: Request) -> Response:
    kind = KINDS.get(request.path_params["kind"])
    job = web.job(request.path_params["job"], kind or "-")
    return JSONResponse(job.status(), headers={"cache-control": "no-store"})


async def download(web: Web, request: Request) -> Response:
    """A file the job wrote, by its fixed name (annotated, json, csv, workbook); never a path from the URL."""
    kind = KINDS.get(request.path_params["kind"])
    job = web.job(request.path_params["job"], kind or "-")
    path = job.files.get(request.path_params["what"])
    if path is None or not path.is_file():
        raise HTTPException(404, "no such download: results are kept for an hour; run the check again")
    return FileResponse(path, filename=path.name, headers={"cache-control": "no-store"})


def _job_page(web: Web, request: Request, job: Job, name: str, **context: Any) -> Response:
    status = job.status_code if job.state == "failed" else 200
    return web.page(request, name, status, job=job, **context)


def _localities(web: Web) -> list[tuple[str, str]]:
    try:
        return web.profile.localities()
    except RvucheckError:  # no data installed: the page says so on the Data page; national prices only
        return []


def _drop(web: Web, job: Job) -> None:
    web.jobs.drop(job)


def _shown(job: Job, exc: BaseException) -> BaseException:
    """The exception to answer with, its message naming the upload, not the private folder."""
    if isinstance(exc, RvucheckError):
        return InputFileError(job.shown(str(exc)))
    return exc
