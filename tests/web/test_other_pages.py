"""Audit, Code and Data pages through TestClient, and the `rvucheck serve` command's own checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BASE, SAMPLE, TOKEN, error_of, make_app, wait_done

from rvucheck.audit.history import HistoryStore
from rvucheck.cli.main import main


def test_the_menu_pages_open(client: Any) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/check"
    for url, heading in [("/check", "Check a workbook"), ("/audit", "Audit a month"),
                         ("/code", "Look up a code"), ("/data", "Data status")]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200
        assert f"<h1>{heading}</h1>" in response.text
        assert 'aria-current="page"' in response.text


def audit(client: Any, month: str = "", *paths: Path) -> Any:
    files = [("files", (p.name, p.read_bytes())) for p in paths or (SAMPLE,)]
    return client.post(
        "/audit", files=files, data={"csrf_token": TOKEN, "month": month}, follow_redirects=False
    )


def test_audit_a_month_shows_the_report_and_records_the_month(client: Any, web_data: Path) -> None:
    created = audit(client, "2026-10")
    assert created.status_code == 303
    job = created.headers["location"].split("/")[2]
    assert wait_done(client, f"/audit/{job}/status")["state"] == "done"
    page = client.get(f"/audit/{job}").text
    assert re.search(
        r"Month 2026-10: 2,000 lines, \d+ providers, \d+ errors, \d+ warnings; earlier months used: none",
        page,
    )
    assert f'src="/audit/{job}/report" sandbox' in page
    report = client.get(f"/audit/{job}/report")
    assert report.status_code == 200 and "<html" in report.text.lower()
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
    book = client.get(f"/audit/{job}/download/workbook")
    assert (
        book.content[:2] == b"PK" and 'filename="audit-2026-10.xlsx"' in book.headers["content-disposition"]
    )
    assert [m.month for m in HistoryStore(web_data).months()] == ["2026-10"]


def test_audit_refuses_a_bad_month_and_a_bad_file(client: Any, tmp_path: Path) -> None:
    response = audit(client, "October")
    assert response.status_code == 400
    assert error_of(response.text) == "month 'October': give the month as YYYY-MM, e.g. 2026-10"
    bad = tmp_path / "march.xlsx"
    bad.write_bytes(b"not a workbook")
    response = audit(client, "", bad)
    assert response.status_code == 400
    assert error_of(response.text).startswith("march.xlsx is not an Excel workbook")


def test_an_audit_of_a_month_without_lines_fails_with_the_cli_message(client: Any) -> None:
    job = audit(client, "2025-01").headers["location"].split("/")[2]
    assert wait_done(client, f"/audit/{job}/status")["state"] == "failed"
    page = client.get(f"/audit/{job}")
    assert page.status_code == 400
    assert error_of(page.text).startswith("sample-charges-2026-10.xlsx: no line is dated in 2025-01")


def test_code_lookup_20983(client: Any) -> None:
    page = client.get("/code", params={"code": "20983"})
    assert page.status_code == 200
    assert 'id="work-rvu">6.71<' in page.text
    assert 'id="pay-nonfacility">$4,905.92<' in page.text
    assert 'id="where">national<' in page.text
    assert "Ablate bone tumor" in page.text and "Billing notes" in page.text


def test_code_lookup_with_modifier_locality_and_setting(client: Any) -> None:
    page = client.get(
        "/code",
        params={"code": "20983", "modifiers": "51", "locality": "01112-05 CA SAN FRANCISCO", "pos": "22"},
    ).text
    assert 'id="pay-nonfacility">$6,819.45<' in page
    assert "01112-05 CA" in page
    assert "Place of service 22</b> On campus-outpatient hospital: facility rate $328.78" in page
    assert re.search(r"With modifier 51: \$\d", page)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2098", "'2098' is not a HCPCS/CPT code: codes have 5 characters"),
        ("20984", "20984 is not a code of the fee schedule"),
    ],
)
def test_a_bad_code_says_so(client: Any, code: str, message: str) -> None:
    page = client.get("/code", params={"code": code})
    assert page.status_code == 400
    assert error_of(page.text).startswith(message)


def test_data_status_lists_the_releases(client: Any) -> None:
    page = client.get("/data").text
    assert "<h2>Fee schedule releases</h2>" in page
    assert "<td><b>RVU26C</b></td>" in page
    assert 'id="stale"' in page or 'id="fresh"' in page


def test_staleness_is_judged_against_today(data_dir: Path) -> None:
    import datetime as dt

    from rvucheck.web.lookup import status

    assert status(data_dir, dt.date(2026, 8, 1))["stale"] == ""
    later = status(data_dir, dt.date(2026, 11, 1))["stale"]
    assert later.startswith("The newest fee schedule installed is RVU26C (Q3 2026)")


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("", "give the folder that holds the CMS files"),
        (
            "https://www.cms.gov/files/zip/rvu26c.zip",
            "https://www.cms.gov/files/zip/rvu26c.zip: give a folder on",
        ),
        ("relative/folder", "relative/folder: give the folder's full path"),
        ("/no/such/folder", "/no/such/folder does not exist"),
        ("/etc/hostname", "/etc/hostname is a file, not a folder"),
    ],
)
def test_install_validates_the_folder(client: Any, folder: str, message: str) -> None:
    response = client.post("/data/install", data={"csrf_token": TOKEN, "folder": folder})
    assert response.status_code == 400
    assert error_of(response.text).startswith(message)


def test_install_from_a_folder(shared_cms: Path, tmp_path: Path, profile: Path) -> None:
    from starlette.testclient import TestClient

    store = tmp_path / "fresh"
    with TestClient(make_app(store, profile), base_url=BASE) as client:
        assert "Nothing is installed yet" in client.get("/data").text
        created = client.post(
            "/data/install", data={"csrf_token": TOKEN, "folder": str(shared_cms / "ANES2022_BASE")},
            follow_redirects=False,
        )  # fmt: skip
        assert created.status_code == 303
        job = created.headers["location"].split("/")[2]
        assert wait_done(client, f"/data/{job}/status")["state"] == "done"
        assert "anes_base 2022: ANESBASE" in client.get(f"/data/{job}").text
        assert "Anesthesia base units" in client.get("/data").text
        empty = tmp_path / "empty"
        empty.mkdir()
        failed = client.post(
            "/data/install", data={"csrf_token": TOKEN, "folder": str(empty)}, follow_redirects=False
        )
        job = failed.headers["location"].split("/")[2]
        assert wait_done(client, f"/data/{job}/status")["state"] == "failed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "--port 0: give a port between 1 and 65535"),
        (["--max-upload-mb", "0"], "--max-upload-mb must be 1 or more"),
    ],
)
def test_serve_checks_its_options(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", *args]) == 2
    assert message in capsys.readouterr().err


def test_serve_says_when_the_port_is_taken(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rvucheck: cannot listen on 127.0.0.1:{port} (Address already in use)")
