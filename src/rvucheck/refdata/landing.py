"""Find the current file on a CMS landing page, for datasets whose download name changes every quarter
(NCCI add-on code edits, the lab NCD code lists): `rvucheck data install` reads the page CMS links them
from and picks, among the links that match the dataset's pattern (data/releases.toml `link`), the one
whose text or file name names the newest period.

CMS links some files through its AMA licence page (`/license/ama?file=/files/zip/x.zip`); the file itself
is at the `file=` address, which is what is downloaded.

`data update` knows an installed file by the address the catalog records for it (the URL, or `URL!member`
for a file out of a zip): a dataset whose file names the current quarter is not looked for again, and a
page whose newest link is a file already installed is not downloaded again.
"""

from __future__ import annotations

import re
import tempfile
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from rvucheck.errors import InputFileError
from rvucheck.refdata.periods import periods_named, years_named
from rvucheck.refdata.store import DatasetInfo, Store

FILE_SUFFIXES = (".zip", ".xlsx", ".csv", ".txt")


def period_of(text: str) -> tuple[int, int] | None:
    """(year, month) named by a link's text or file name (a quarter counts as its first month; a bare year
    as month 0), the latest when it names several; None when it names none."""
    if found := periods_named(text):
        return max(found)
    years = years_named(text)
    return (max(years), 0) if years else None


def file_links(html: bytes, page: str) -> list[tuple[str, str]]:
    """(absolute file URL, link text) of every link on the page to a file (zip, xlsx, csv, txt)."""
    import lxml.etree  # type: ignore[import-untyped]
    import lxml.html  # type: ignore[import-untyped]

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):  # an empty or non-HTML body
        return []
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href:
            continue
        url = urllib.parse.urljoin(page, href)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
        if query.get("file"):  # CMS's AMA licence page: /license/ama?file=/files/zip/x.zip
            url = urllib.parse.urljoin(page, query["file"][0])
        if urllib.parse.urlparse(url).path.lower().endswith(FILE_SUFFIXES):
            links.append((url, " ".join(anchor.text_content().split())))
    return links


def _matches(words: str, pattern: str, unlike: str) -> bool:
    return bool(re.search(pattern, words, re.I)) and not (unlike and re.search(unlike, words, re.I))


def choose(links: list[tuple[str, str]], pattern: str, unlike: str = "") -> str | None:
    """The link whose text or file name matches `pattern` (and not `unlike`) and names the newest period;
    among equally new ones the first on the page. None when no link matches."""
    best: tuple[tuple[int, int], str] | None = None
    for url, text in links:
        name = urllib.parse.unquote(Path(urllib.parse.urlparse(url).path).name)
        if not _matches(f"{text} {name}", pattern, unlike):
            continue
        period = period_of(text) or period_of(name) or (0, 0)
        if best is None or period > best[0]:
            best = (period, url)
    return best[1] if best else None


def current_link(page: str, pattern: str, unlike: str, what: str, say: Callable[[str], None]) -> str:
    """Read the CMS page and return the URL of its newest file matching `pattern`; a one-line error
    naming the page when it cannot be read or has no such link."""
    from rvucheck.refdata.install import download

    say(f"reading {page}")
    with tempfile.TemporaryDirectory(prefix="rvucheck-page-") as tmp:
        html = download(page, Path(tmp)).read_bytes()
    url = choose(file_links(html, page), pattern, unlike)
    if url is None:
        raise InputFileError(
            f"{page}: no link to the {what} found on this CMS page (CMS may have changed it); open the page "
            "in a browser, download the newest file and run rvucheck data install --from FILE"
        )
    return url


def installed_from(store: Store, kind: str, url: str) -> DatasetInfo | None:
    """The installed dataset of `kind` that holds the file downloaded from `url` (or a member of its zip)."""
    for info in store.datasets(kind):
        if any(s.get("file") == url or s.get("file", "").startswith(f"{url}!") for s in info.sources):
            return info
    return None


def installed_for(
    store: Store, kind: str, pattern: str, unlike: str, since: tuple[int, int]
) -> DatasetInfo | None:
    """The installed dataset of `kind` with a file matching `pattern` (not `unlike`) whose name (`zip!member`,
    after the address's last /) names a period from `since` (year, month) on: current, nothing to look for."""
    for info in store.datasets(kind):
        for source in info.sources:
            name = urllib.parse.unquote(source.get("file", "").rsplit("/", 1)[-1])
            if _matches(name, pattern, unlike) and (period_of(name) or (0, 0)) >= since:
                return info
    return None
