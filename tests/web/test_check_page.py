"""The Check page through Starlette's TestClient: upload, the column mapping and its preview, the run, the
summary and the downloads, against `rvucheck check` on the same file; and every way it can go wrong."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from web_helpers import RENAMED, TOKEN, error_of, wait_done

from rvucheck.cli.main import main
from rvucheck.report.formats import CSV_COLUMNS


def cli_json(capsys: pytest.CaptureFixture[str], data: Path, path: Path, *more: str) -> dict[str, Any]:
    capsys.readouterr()
    code = main(["--data-dir", str(data), "check", str(path), "--format", "json", "--no-annotate", *more])
    assert code in (0, 1)
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def upload(client: Any, path: Path, name: str | None = None) -> Any:
    files = {"file": (name or path.name, path.read_bytes())}
    return client.post("/check", files=files, data={"csrf_token": TOKEN}, follow_redirects=False)


def job_of(response: Any) -> str:
    assert response.status_code == 303, response.text[:2000]
    found = re.fullmatch(r"/check/([A-Za-z0-9_-]+)/columns", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def run(client: Any, job: str, **form: Any) -> dict[str, Any]:
    response = client.post(f"/check/{job}/run", data={"csrf_token": TOKEN, **form}, follow_redirects=False)
    assert response.status_code == 303, response.text[:2000]
    return wait_done(client, f"/check/{job}/status")


def test_upload_shows_the_mapping_and_the_first_rows(client: Any, renamed_sample: Path) -> None:
    job = job_of(upload(client, renamed_sample))
    page = client.get(f"/check/{job}/columns")
    assert page.status_code == 200
    html = page.text
    assert "Sheet <b>Charge Detail</b>, header on row 5, 2,000 lines" in html
    # the preview: the header letters and the first data row's values
    assert '<span class="letter">H</span>CPT Code' in html
    rows = re.findall(r"<tr>(.*?)</tr>", html.split('id="preview"')[1].split("</table>")[0], re.S)
    assert len(rows) == 1 + 8  # header + the first 8 rows
    # the detected columns are selected; the renamed one is not the patient's
    assert re.search(r'name="map.hcpcs"[^>]*>.*?<option value="CPT Code" selected>', html, re.S)
    patient = html.split('name="map.patient"')[1].split("</select>")[0]
    assert f'<option value="{RENAMED[1]}" selected>' not in patient
    assert f'<option value="{RENAMED[1]}">' in patient


def test_run_equals_the_command_line_and_downloads(
    client: Any, renamed_sample: Path, web_data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    job = job_of(upload(client, renamed_sample))
    status = run(client, job, **{"map.patient": RENAMED[1], "qpp": "no", "locality": ""})
    assert status["state"] == "done", status
    assert status["done"] == 4
    expected = cli_json(capsys, web_data, renamed_sample, "--map", f"patient={RENAMED[1]}")
    page = client.get(f"/check/{job}").text
    summary = expected["summary"]
    assert f'id="fig-lines">{summary["lines"]:,}<' in page
    assert f'id="fig-wrvu">{summary["work_rvu"]:,.2f}<' in page
    assert f'id="fig-payment">${summary["payment"]:,.2f}<' in page
    for severity, count in summary["findings"].items():
        assert f'id="fig-{severity}">{count:,} {severity}<' in page
    # top rules carry their titles
    assert re.search(r"<td><b>[A-Z]{2}\d\d</b></td><td>[A-Za-z][^<]{5,}</td>", page)
    downloaded = client.get(f"/check/{job}/download/json")
    assert downloaded.status_code == 200
    assert "attachment" in downloaded.headers["content-disposition"]
    assert json.loads(downloaded.content) == expected
    rows = list(csv.reader(io.StringIO(client.get(f"/check/{job}/download/csv").text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) - 1 == sum(summary["findings"].values())
    copy = client.get(f"/check/{job}/download/annotated")
    assert copy.status_code == 200 and copy.content[:2] == b"PK"
    assert 'filename="charges-2026-10.rvucheck.xlsx"' in copy.headers["content-disposition"]


def test_the_mapping_changes_the_result_and_is_saved_to_the_profile(
    client: Any, renamed_sample: Path, profile: Path, web_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    without = cli_json(capsys, web_data, renamed_sample)
    job = job_of(upload(client, renamed_sample))
    assert run(client, job, **{"map.patient": RENAMED[1], "save": "yes"})["state"] == "done"
    with_map = json.loads(client.get(f"/check/{job}/download/json").content)
    assert with_map != without  # without the patient column the rules that link lines are skipped
    assert f'patient = "{RENAMED[1]}"' in profile.read_text()
    assert "saved as [columns] in" in client.get(f"/check/{job}").text
    # the next upload starts from the saved mapping
    again = client.get(f"/check/{job_of(upload(client, renamed_sample))}/columns").text
    patient = again.split('name="map.patient"')[1].split("</select>")[0]
    assert f'<option value="{RENAMED[1]}" selected>' in patient


def test_locality_prices_the_file_there(client: Any, renamed_sample: Path) -> None:
    page = client.get(f"/check/{job_of(upload(client, renamed_sample))}/columns").text
    label = re.search(r'<option value="(01112-05 CA [^"]+)">', page)
    assert label, "the locality list holds San Francisco"
    national = job_of(upload(client, renamed_sample))
    there = job_of(upload(client, renamed_sample))
    assert run(client, national)["state"] == "done"
    assert run(client, there, locality=label.group(1).replace("&#39;", "'"))["state"] == "done"
    pay = [
        json.loads(client.get(f"/check/{j}/download/json").content)["summary"]["payment"]
        for j in (national, there)
    ]
    assert pay[1] > pay[0] * 1.1  # San Francisco's GPCIs are well above 1


def test_an_unknown_locality_is_refused_before_the_run(client: Any, renamed_sample: Path) -> None:
    job = job_of(upload(client, renamed_sample))
    response = client.post(f"/check/{job}/run", data={"csrf_token": TOKEN, "locality": "Atlantis"})
    assert response.status_code == 400
    assert "no Medicare locality matches 'Atlantis'" in error_of(response.text)


def test_a_column_that_is_not_in_the_file_is_refused(client: Any, renamed_sample: Path) -> None:
    job = job_of(upload(client, renamed_sample))
    response = client.post(f"/check/{job}/run", data={"csrf_token": TOKEN, "map.units": "Nope"})
    assert response.status_code == 400
    assert error_of(response.text) == "units: the file has no column 'Nope'; reload the page"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.xlsx", b"hello", "bad.xlsx is not an Excel workbook (its content is not a zip package); "
         "export it again as .xlsx"),
        ("notes.pdf", b"%PDF-1.4", "notes.pdf: unsupported file type '.pdf'; rvucheck reads .xlsx, .xlsm, "
         ".xls, .ods and .csv files"),
        ("empty.csv", b"", "empty.csv is empty (0 bytes); export the charges again"),
        ("../../etc/passwd.csv", b"", "passwd.csv is empty (0 bytes); export the charges again"),
    ],
)  # fmt: skip
def test_a_bad_file_gets_the_command_lines_one_line(
    client: Any, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    response = upload(client, path, name)
    assert response.status_code == 400
    assert error_of(response.text) == message
    assert "Traceback" not in response.text and "rvucheck-web-" not in response.text


def test_no_file_chosen(client: Any) -> None:
    response = client.post("/check", data={"csrf_token": TOKEN})
    assert response.status_code == 400
    assert error_of(response.text).startswith("choose a charge export to upload")


def test_inputs_are_deleted_after_the_run_and_everything_when_the_server_stops(
    web_data: Path, profile: Path, renamed_sample: Path
) -> None:
    from starlette.testclient import TestClient
    from web_helpers import BASE, make_app

    app = make_app(web_data, profile)
    with TestClient(app, base_url=BASE) as client:
        job_id = job_of(upload(client, renamed_sample))
        jobs = app.app.state.web.jobs
        job = jobs.get(job_id)
        assert (job.inputs / renamed_sample.name).is_file()
        assert oct(job.folder.stat().st_mode & 0o777) == "0o700"
        assert oct((job.inputs / renamed_sample.name).stat().st_mode & 0o777) == "0o600"
        assert run(client, job_id)["state"] == "done"
        assert not job.inputs.exists()
        assert job.files["annotated"].is_file()
        root = jobs.root
    assert not root.exists()


def test_an_internal_error_is_one_line_without_the_exception_text(
    client: Any, renamed_sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rvucheck.web import checking

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError("patient Jane Doe")

    monkeypatch.setattr(checking, "preview", broken)
    response = upload(client, renamed_sample)
    assert response.status_code == 500
    message = error_of(response.text)
    assert message.startswith("internal error (ValueError); this is a bug")
    assert "Jane" not in response.text


def test_a_failed_run_shows_its_message(
    client: Any, renamed_sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rvucheck.errors import InputFileError
    from rvucheck.web import checking

    job = job_of(upload(client, renamed_sample))
    folder = client.app.app.state.web.jobs.get(job).inputs

    def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise InputFileError(f"{folder}/charges-2026-10.xlsx: the disk is full")

    monkeypatch.setattr(checking, "run_check", failing)
    assert run(client, job)["state"] == "failed"
    page = client.get(f"/check/{job}")
    assert page.status_code == 400
    assert error_of(page.text) == "charges-2026-10.xlsx: the disk is full"


def test_the_progress_page_polls_the_status_while_the_check_runs(
    client: Any, renamed_sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from rvucheck.web import checking

    release = threading.Event()

    def slow(job: Any, *_args: Any) -> None:
        with job.progress() as step:
            step("reading and checking", 1)
            release.wait(30)

    monkeypatch.setattr(checking, "run_check", slow)
    job = job_of(upload(client, renamed_sample))
    client.post(f"/check/{job}/run", data={"csrf_token": TOKEN}, follow_redirects=False)
    status = client.get(f"/check/{job}/status")
    assert status.json() == {
        "state": "running",
        "step": "reading and checking",
        "done": 1,
        "of": 4,
        "error": "",
    }
    assert status.headers["cache-control"] == "no-store"
    page = client.get(f"/check/{job}").text
    assert f'data-status="/check/{job}/status" data-state="running"' in page
    assert '<progress max="4" value="1">' in page
    # a second run of the same upload is not started
    again = client.post(f"/check/{job}/run", data={"csrf_token": TOKEN}, follow_redirects=False)
    assert again.headers["location"] == f"/check/{job}"
    release.set()
    assert wait_done(client, f"/check/{job}/status")["state"] == "done"


@pytest.mark.parametrize("name", ["CPTEVENTS.csv", "desynpuf_carrier_claims_sample.csv"])
def test_real_claims_files_check_as_on_the_command_line(
    client: Any, web_data: Path, shared_cms: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """MIMIC-III's CPT events and a DE-SynPUF wide carrier sample (one row per claim): files we did not write.
    The form is sent back as the page shows it (every detected column selected): nothing changes."""
    path = shared_cms.parent / "claims" / name
    job = job_of(upload(client, path))
    page = client.get(f"/check/{job}/columns").text
    form: dict[str, list[str]] = {}
    for field, options in re.findall(r'name="(map\.[a-z_]+)"[^>]*>(.*?)</select>', page, re.S):
        form[field] = re.findall(r'<option value="([^"]*)" selected>', options)
    if name.startswith("desynpuf"):
        assert "One row per claim" in page
        assert len(form["map.hcpcs"]) > 1  # a multiple list, all of HCPCS_CD_1..13 sent back
    response = client.post(
        f"/check/{job}/run", data={"csrf_token": TOKEN, **form, "save": "yes"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert wait_done(client, f"/check/{job}/status")["state"] == "done"
    web = json.loads(client.get(f"/check/{job}/download/json").content)
    assert web == cli_json(capsys, web_data, path)
    assert web["summary"]["lines"] > 0
    copy = client.get(f"/check/{job}/download/annotated")
    assert 'filename="' + path.stem + '.rvucheck.xlsx"' in copy.headers["content-disposition"]
    if name.startswith("desynpuf"):
        assert "nothing saved: a wide claim layout" in client.get(f"/check/{job}").text


def test_results_expire(web_data: Path, profile: Path, renamed_sample: Path) -> None:
    from starlette.testclient import TestClient
    from web_helpers import BASE, make_app

    app = make_app(web_data, profile, ttl_seconds=4.0)
    with TestClient(app, base_url=BASE) as client:
        job = job_of(upload(client, renamed_sample))
        assert run(client, job)["state"] == "done"
        folder = app.app.state.web.jobs.get(job).folder
        assert folder.is_dir()
        import time

        time.sleep(4.5)  # not used for longer than the time-to-live
        response = client.get(f"/check/{job}/download/json")
        assert response.status_code == 404
        assert error_of(response.text).startswith("no such job: results are kept for an hour")
        assert not folder.exists()
