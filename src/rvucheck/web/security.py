"""What guards every request: the Host and Origin checks (a page of another site, or a DNS-rebinding name,
cannot drive the app), the upload size limit (counted as the body arrives, whatever Content-Length says)
and the CSRF token every POST carries."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")


class TooLarge(Exception):
    """The request body passed the upload limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class Refused(Exception):
    """A request from another origin or for another host name, or a POST without the page's token."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_ok(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given), expected)


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers the app answers: the address it is bound to and the loopback names, with the port."""
    names = {host, *LOCAL_NAMES} if host in ("127.0.0.1", "localhost", "::1") else {host}
    names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    return frozenset({*(f"{n}:{port}" for n in names), *names})


class Guard:
    """ASGI middleware: refuses a foreign Host or Origin (403) and stops a body larger than `limit` bytes
    (the route sees TooLarge and answers 413). Lifespan events pass through."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str], limit: int) -> None:
        self.app, self.hosts, self.limit = app, hosts, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self._same_origin(headers):
            await _plain(send, 403, "rvucheck: this page answers only its own address (127.0.0.1)")
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            scope["rvucheck.too_large"] = True  # the route answers 413 without reading the body
        await self.app(scope, _counting(receive, self.limit), _with_headers(send))

    def _same_origin(self, headers: dict[str, str]) -> bool:
        if headers.get("host", "") not in self.hosts:
            return False
        origin = headers.get("origin")
        if origin is None:  # a browser sends Origin on every POST; a GET typed in the address bar has none
            return True
        parts = urlsplit(origin)
        return parts.scheme == "http" and parts.netloc in self.hosts


# every page: its own scripts and styles only, never framed by another site, no referrer sent elsewhere
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-src 'self'; "
    "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make Chromium send `Origin: null`
    (b"x-frame-options", b"SAMEORIGIN"),
]


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                headers.append((b"content-security-policy", POLICY.encode()))
            message["headers"] = headers + HEADERS
        await send(message)

    return wrapped


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge(limit)
        return message

    return wrapped


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
