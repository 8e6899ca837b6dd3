"""The ASGI app of `rvucheck serve`: the routes (routes.py) behind the Guard (security.py). Every failure is
an error page with the command line's one line and an HTTP status like its exit code (400 input, 403
refused, 404, 413 too large, 500 a bug); no traceback reaches the page or the log."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rvucheck.errors import RvucheckError
from rvucheck.web import routes as r
from rvucheck.web.security import Guard, Refused, TooLarge, allowed_hosts
from rvucheck.web.state import HERE, Web, WebConfig

__all__ = ["WebConfig", "create_app"]


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
        Route("/check", _bind(web, r.check_form), methods=["GET"]),
        Route("/check", _bind(web, r.check_upload), methods=["POST"]),
        Route("/check/{job}/columns", _bind(web, r.check_columns)),
        Route("/check/{job}/run", _bind(web, r.check_run), methods=["POST"]),
        Route("/check/{job}", _bind(web, r.check_result)),
        Route("/audit", _bind(web, r.audit_form), methods=["GET"]),
        Route("/audit", _bind(web, r.audit_upload), methods=["POST"]),
        Route("/audit/{job}/report", _bind(web, r.audit_report)),
        Route("/audit/{job}", _bind(web, r.audit_result)),
        Route("/code", _bind(web, r.code)),
        Route("/data", _bind(web, r.data), methods=["GET"]),
        Route("/data/install", _bind(web, r.data_install), methods=["POST"]),
        Route("/data/{job}", _bind(web, r.data_result)),
        Route("/{kind:str}/{job}/status", _bind(web, r.job_status)),
        Route("/{kind:str}/{job}/download/{what}", _bind(web, r.download)),
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
