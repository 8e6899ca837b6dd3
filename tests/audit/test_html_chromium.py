"""The HTML report in a real browser (Debian's chromium, headless): it loads without console errors, every
chart image decodes, and a screenshot shows a page that is not blank."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from rvucheck.audit.html import render_html
from rvucheck.audit.result import AuditResult

pytestmark = pytest.mark.chromium

# Added to a copy of the report only: the report itself has no script at all.
PROBE = """<script>
window.addEventListener('load', () => {
  const images = Array.from(document.images);
  const ok = images.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.setAttribute('data-probe', ok + '/' + images.length);
});
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is needed for this test: apt-get install -y chromium (.ci/run installs it)")
    return found


def _console(stderr: str) -> list[str]:
    # The report has no script, so any console line at all (an error, an uncaught exception) is a fault;
    # chromium logs them all as INFO:CONSOLE whatever their level.
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
    ]  # fmt: skip
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120, check=False)


def test_report_loads_and_renders(audits: tuple[AuditResult, AuditResult], tmp_path: Path) -> None:
    html = render_html(audits[1])
    assert "<script" not in html
    page = tmp_path / "audit.html"
    page.write_text(html, encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")

    dom = _run(["--virtual-time-budget=5000", "--dump-dom", probe.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert re.search(r'data-probe="4/4"', dom.stdout), "every chart image decodes"
    console_errors = _console(dom.stderr)
    assert console_errors == []

    shot = tmp_path / "shot.png"
    run = _run(["--window-size=1280,2000", f"--screenshot={shot}", page.as_uri()], tmp_path)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    console_errors = _console(run.stderr)
    assert console_errors == []
    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        colors = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert len(colors) > 50  # text, tables and chart colours, not a blank page
    chart_blue = sum(n for n, rgb in colors if rgb == (0x1F, 0x77, 0xB4))
    assert chart_blue > 500  # the first series' bars are on screen


def test_report_prints_landscape_through_its_print_stylesheet(
    audits: tuple[AuditResult, AuditResult], tmp_path: Path
) -> None:
    page = tmp_path / "audit.html"
    page.write_text(render_html(audits[1]), encoding="utf-8")
    pdf = tmp_path / "audit.pdf"
    printed = _run([f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()], tmp_path)
    assert printed.returncode == 0 and pdf.is_file(), printed.stderr[-2000:]
    data = pdf.read_bytes()
    pages = re.findall(rb"/Type\s*/Page\b", data)
    boxes = {tuple(float(v) for v in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]+)\]", data)}
    assert 1 <= len(pages) <= 8, len(pages)
    assert boxes and all(x1 - x0 > y1 - y0 for x0, y0, x1, y1 in boxes)  # @page size: letter landscape
