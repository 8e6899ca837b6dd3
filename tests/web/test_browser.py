"""End to end in a real browser: Debian's headless Chromium driven by selenium through Debian's
chromedriver (nothing is downloaded), against `rvucheck serve`'s app under uvicorn on a free port.

Upload the sample month, change one column mapping, run, download the annotated copy and compare its
figures with the copy `rvucheck check` writes for the same file and mapping; upload a bad file and read the
one-line error; look up 20983; audit the month; open the data status. A screenshot of each page is saved
in $RVUCHECK_SCREENSHOTS (default: a pytest temp folder)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import RENAMED, TOKEN

from rvucheck.cli.main import main

pytestmark = pytest.mark.chromium

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WAIT = 180.0


@pytest.fixture
def server(web_data: Path, profile: Path) -> Iterator[str]:
    """The app under uvicorn on a free port of 127.0.0.1, in a thread; its URL."""
    import uvicorn

    from rvucheck.web.app import WebConfig, create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    profile.parent.mkdir(parents=True, exist_ok=True)
    app = create_app(WebConfig(data_dir=web_data, profile=profile, port=port), token=TOKEN)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("RVUCHECK_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(tmp_path: Path, downloads: Path) -> Iterator[Any]:
    for needed in (CHROMIUM, DRIVER):
        if not Path(needed).exists():
            pytest.fail(f"{needed} is needed: apt-get install -y chromium chromium-driver (.ci/run does it)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'profile-chromium'}",
    ):  # fmt: skip
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


def shoot(driver: Any, folder: Path, name: str) -> Path:
    """The whole page (the window stretched to the page's height)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(int(height) + 40, 900), 6000))
    driver.execute_script("window.scrollTo(0, 0)")
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)
    return path


def wait_for(driver: Any, css: str, timeout: float = WAIT) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def downloaded(folder: Path, suffix: str, timeout: float = 60.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        partial = [p for p in folder.iterdir() if p.name.endswith(".crdownload")]
        if done and not partial:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded into {folder}: {list(folder.iterdir())}")


def figures(path: Path) -> dict[str, Any]:
    """The label -> value rows of the copy's Summary sheet (but the file name and the time), and the
    Findings sheet's rows."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    facts = {}
    for label, value, *_ in book["Summary"].iter_rows(min_row=3, max_row=40, max_col=2, values_only=True):
        if isinstance(label, str) and label not in ("File", "Checked on") and value is not None:
            facts[label] = value
    findings = [row for row in book["Findings"].iter_rows(values_only=True)]
    book.close()
    return {"facts": facts, "findings": findings}


def test_check_a_workbook_in_the_browser(
    server: str, browser: Any, downloads: Path, screenshots: Path, renamed_sample: Path, web_data: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{server}/check")
    shoot(browser, screenshots, "1-check")
    browser.find_element(By.ID, "file").send_keys(str(renamed_sample))
    assert browser.find_element(By.ID, "chosen").text == renamed_sample.name
    browser.find_element(By.ID, "upload").click()
    wait_for(browser, "#run-form")
    patient = Select(browser.find_element(By.ID, "map-patient"))
    assert patient.first_selected_option.text == "(automatic)"
    patient.select_by_visible_text(RENAMED[1])  # the one column mapping changed
    shoot(browser, screenshots, "2-columns")
    browser.find_element(By.ID, "run").click()
    wait_for(browser, "#summary")
    shoot(browser, screenshots, "3-result")
    page_lines = browser.find_element(By.ID, "fig-lines").text
    page_wrvu = browser.find_element(By.ID, "fig-wrvu").text
    browser.find_element(By.ID, "dl-annotated").click()
    web_copy = downloaded(downloads, ".rvucheck.xlsx")

    cli_copy = tmp_path / "cli" / "copy.xlsx"
    cli_copy.parent.mkdir()
    code = main([
        "--data-dir", str(web_data), "check", str(renamed_sample), "--map", f"patient={RENAMED[1]}",
        "--out", str(cli_copy), "--fail-on", "never",
    ])  # fmt: skip
    assert code == 0
    web, cli = figures(web_copy), figures(cli_copy)
    assert web["facts"]["Lines read"] == cli["facts"]["Lines read"] == 2000
    assert web["facts"]["Work RVU"] == pytest.approx(cli["facts"]["Work RVU"])
    for severity in ("error", "warning", "info"):
        assert web["facts"][f"Findings: {severity}"] == cli["facts"][f"Findings: {severity}"]
    assert web == cli  # every figure and every finding
    assert page_lines == f"{web['facts']['Lines read']:,}"
    assert page_wrvu == f"{web['facts']['Work RVU']:,.2f}"


def test_a_bad_file_shows_the_one_line_error(
    server: str, browser: Any, screenshots: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    bad = tmp_path / "january.xlsx"
    bad.write_bytes(b"this is not a workbook")
    browser.get(f"{server}/check")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    browser.find_element(By.ID, "upload").click()
    message = wait_for(browser, "#error-message").text
    shoot(browser, screenshots, "4-error")
    expected = (
        "january.xlsx is not an Excel workbook (its content is not a zip package); export it again as .xlsx"
    )
    assert message == expected


def test_look_up_20983(server: str, browser: Any, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/code")
    browser.find_element(By.ID, "code").send_keys("20983")
    browser.find_element(By.ID, "lookup").click()
    wait_for(browser, "#code-page")
    shoot(browser, screenshots, "5-code")
    assert browser.find_element(By.ID, "work-rvu").text == "6.71"
    assert browser.find_element(By.ID, "pay-nonfacility").text == "$4,905.92"


def test_audit_and_data_pages(server: str, browser: Any, screenshots: Path, downloads: Path) -> None:
    from selenium.webdriver.common.by import By
    from web_helpers import SAMPLE

    browser.get(f"{server}/audit")
    shoot(browser, screenshots, "6-audit")
    browser.find_element(By.ID, "files").send_keys(str(SAMPLE))
    browser.find_element(By.ID, "audit").click()
    wait_for(browser, "#audit-report")
    time.sleep(1)  # the report loads in its frame
    browser.switch_to.frame(browser.find_element(By.ID, "audit-report"))
    assert "2026-10" in browser.find_element(By.TAG_NAME, "body").text
    browser.switch_to.default_content()
    shoot(browser, screenshots, "7-audit-result")
    assert browser.find_element(By.ID, "audit-summary").text.startswith("Month 2026-10: 2,000 lines")
    browser.find_element(By.ID, "dl-workbook").click()
    assert downloaded(downloads, ".xlsx").name == "audit-2026-10.xlsx"
    browser.get(f"{server}/data")
    shoot(browser, screenshots, "8-data")
    assert "RVU26C" in browser.find_element(By.TAG_NAME, "main").text
    if os.environ.get("RVUCHECK_SCREENSHOTS"):
        shutil.copytree(downloads, screenshots / "downloads", dirs_exist_ok=True)
