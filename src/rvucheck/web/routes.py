"""The pages of `rvucheck serve`: Check, Audit, Code, Data, and the jobs' status and downloads. Each handler
parses the form (the token checked on a POST) and hands the work to checking/auditing/lookup, the same
functions as the command line; long work runs as a Job that the page polls."""

from __future__ import annotations

import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from rvucheck.errors import InputFileError, RvucheckError
from rvucheck.web import auditing, checking, lookup, uploads
from rvucheck.web.jobs import Job
from rvucheck.web.profile import chosen_mapping
from rvucheck.web.state import Web

# --- Check -------------------------------------------------------------------------------------------


async def check_form(web: Web, request: Request) -> Response:
    return web.page(request, "check.html", nav="check")


async def check_upload(web: Web, request: Request) -> Response:
    form = await web.form(request)
    upload = uploads.uploads_of(form, "file")[0]
    job = web.jobs.new("check")
    try:
        path = await uploads.save(upload, job.inputs, uploads.safe_name(upload.filename))
        # in a worker thread: reading a large file must not stall the other pages
        info = await run_in_threadpool(checking.validate, path)
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
