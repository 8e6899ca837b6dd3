"""What guards the page: the CSRF token on every POST, same-origin only (Host and Origin), the upload
limit (413 with its message, whether or not the client declares the size), no client path ever opened,
and the headers every page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web_helpers import BASE, SAMPLE, TOKEN, error_of, make_app

POSTS = ["/check", "/audit", "/data/install"]


@pytest.mark.parametrize("url", POSTS)
def test_a_post_without_the_token_is_refused(client: Any, url: str) -> None:
    response = client.post(url, files={"file": ("a.csv", b"x")}, data={"folder": "/tmp"})
    assert response.status_code == 403
    assert error_of(response.text).startswith("the form has expired or came from another page")


@pytest.mark.parametrize("url", POSTS)
def test_a_post_with_a_wrong_token_is_refused(client: Any, url: str) -> None:
    response = client.post(url, data={"csrf_token": "x" * 43, "folder": "/tmp"})
    assert response.status_code == 403


def test_the_run_needs_the_token_too(client: Any) -> None:
    created = client.post(
        "/check", files={"file": ("s.xlsx", SAMPLE.read_bytes())}, data={"csrf_token": TOKEN},
        follow_redirects=False,
    )  # fmt: skip
    assert created.status_code == 303
    job = created.headers["location"].split("/")[2]
    assert client.post(f"/check/{job}/run", data={}).status_code == 403
    assert (
        client.post(f"/check/{job}/run", headers={"x-csrf-token": TOKEN}, follow_redirects=False).status_code
        == 303
    )


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"origin": "http://evil.example"}, 403),
        ({"origin": "null"}, 403),
        ({"origin": "http://127.0.0.1:9999"}, 403),
        ({"host": "evil.example"}, 403),  # DNS rebinding: another name resolving to 127.0.0.1
        ({"host": "127.0.0.1:8765", "origin": "http://localhost:8765"}, 200),
        ({"origin": BASE}, 200),
    ],
)
def test_only_its_own_origin(client: Any, headers: dict[str, str], status: int) -> None:
    assert client.get("/check", headers=headers).status_code == status


def test_a_foreign_origin_cannot_post_even_with_the_token(client: Any) -> None:
    response = client.post(
        "/data/install",
        data={"csrf_token": TOKEN, "folder": "/tmp"},
        headers={"origin": "http://evil.example"},
    )
    assert response.status_code == 403
    assert "answers only its own address" in response.text


def test_an_oversize_upload_is_413_with_the_message(web_data: Path, profile: Path) -> None:
    from starlette.testclient import TestClient

    with TestClient(make_app(web_data, profile, max_upload=50_000), base_url=BASE) as client:
        big = client.post(
            "/check", files={"file": ("s.xlsx", SAMPLE.read_bytes())}, data={"csrf_token": TOKEN}
        )
        assert big.status_code == 413
        assert error_of(big.text) == "the upload is larger than 49 KB; split the export by month"
        small = client.post("/check", files={"file": ("s.csv", b"a,b\n")}, data={"csrf_token": TOKEN})
        assert small.status_code == 400  # under the limit: the input checks run


def test_an_oversize_body_without_a_length_is_stopped_while_it_arrives(web_data: Path, profile: Path) -> None:
    from starlette.testclient import TestClient

    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\n\r\n' + b"x" * 100_000

    def chunks() -> Any:
        yield body[:1000]
        yield body[1000:]

    with TestClient(make_app(web_data, profile, max_upload=50_000), base_url=BASE) as client:
        response = client.post(
            "/check", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"}
        )
        assert response.status_code == 413


@pytest.mark.parametrize(
    "url",
    [
        "/check/AAAAAAAAAAAAAAAAAAAAAAAA",
        "/check/..%2F..%2Fetc%2Fpasswd/download/annotated",
        "/check/AAAAAAAAAAAAAAAAAAAAAAAA/download/annotated",
        "/audit/AAAAAAAAAAAAAAAAAAAAAAAA/report",
        "/check/AAAAAAAAAAAAAAAAAAAAAAAA/status",
        "/nowhere",
    ],
)
def test_unknown_jobs_and_paths_are_404(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "root:" not in response.text


def test_a_download_is_only_a_file_the_job_wrote(client: Any) -> None:
    created = client.post(
        "/check", files={"file": ("s.xlsx", SAMPLE.read_bytes())}, data={"csrf_token": TOKEN},
        follow_redirects=False,
    )  # fmt: skip
    job = created.headers["location"].split("/")[2]
    for what in ("annotated", "../in/s.xlsx", "in", "s.xlsx"):
        assert client.get(f"/check/{job}/download/{what}").status_code == 404  # not run yet: nothing written
    # a check job is not an audit job
    assert client.get(f"/audit/{job}").status_code == 404


def test_every_page_carries_the_security_headers(client: Any) -> None:
    response = client.get("/code")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "unsafe-inline" not in policy  # no inline script can run in the app's pages


def test_a_wrong_method_is_an_error_page(client: Any) -> None:
    response = client.get("/data/install")
    assert response.status_code in (404, 405)
    assert "Traceback" not in response.text
