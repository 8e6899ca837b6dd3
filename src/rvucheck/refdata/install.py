"""Install CMS files into the store: walk folders, open zips (nested too), download URLs, recognise each
file by its content, group by (kind, dataset_id) and import each group atomically.

Recognisers: `pfs.importer`, `ncci.edits`, `benchmarks.importer`, `asp`, `icd_files`, `mce` and `lab_ncd`,
each with `recognize(path)` and `import_group`.
"""

from __future__ import annotations

import dataclasses
import importlib
import shutil
import tempfile
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType

from rvucheck.errors import InputFileError
from rvucheck.refdata.store import DatasetInfo, Recognized, Store

RECOGNIZER_MODULES = (
    "rvucheck.refdata.pfs.importer",
    "rvucheck.refdata.ncci.edits",
    "rvucheck.refdata.benchmarks.importer",
    "rvucheck.refdata.asp",
    "rvucheck.refdata.anes_base",
    "rvucheck.refdata.icd_files",
    "rvucheck.refdata.mce",
    "rvucheck.refdata.lab_ncd",
)
URL_SCHEMES = ("http://", "https://", "file://")


def recognizers() -> list[ModuleType]:
    return [importlib.import_module(name) for name in RECOGNIZER_MODULES]


def install_from(
    paths: Sequence[Path | str | tuple[str, ...]],
    store: Store,
    progress: Callable[[str], None] | None = None,
) -> list[DatasetInfo]:
    """Import every recognised file under `paths` (folders, zips, single files or URLs).

    Returns the installed datasets. Unrecognised files are skipped (reported through `progress`).
    """
    say = progress or (lambda _msg: None)
    modules = recognizers()
    with tempfile.TemporaryDirectory(prefix="rvucheck-install-") as tmp:
        groups: dict[tuple[str, str], tuple[ModuleType, list[Recognized]]] = {}
        items = [p if isinstance(p, tuple) or _is_url(p) else Path(p) for p in paths]
        for path, display in _walk(items, Path(tmp), say):
            item, module = _recognize(modules, path)
            if item is None or module is None:
                say(f"skipped (not a file rvucheck reads): {display}")
                continue
            item = dataclasses.replace(item, meta=(*item.meta, ("source", display)))
            groups.setdefault((item.kind, item.dataset_id), (module, []))[1].append(item)
        if not groups:
            raise InputFileError(
                f"no CMS files recognised in {', '.join(map(str, paths))}: "
                "point --from at the CMS zips or folders"
            )
        installed = []
        for (kind, dataset_id), (module, group) in sorted(groups.items()):
            say(f"importing {kind} {dataset_id} ({len(group)} files)")
            installed.append(module.import_group(store, group))
        return installed


def _recognize(modules: list[ModuleType], path: Path) -> tuple[Recognized | None, ModuleType | None]:
    for module in modules:
        item = module.recognize(path)
        if item is not None:
            return item, module
    return None, None


def _is_url(p: object) -> bool:
    return isinstance(p, str) and p.startswith(URL_SCHEMES)


def _walk(
    items: list[Path | str | tuple[str, ...]], tmp: Path, say: Callable[[str], None]
) -> Iterator[tuple[Path, str]]:
    """(file on disk, name to show) for every file under the inputs; zips are unpacked into `tmp`. A tuple
    is one file under alternative URLs (CMS renamed some), tried in order."""
    for item in items:
        if isinstance(item, str | tuple):
            local, url = download_any((item,) if isinstance(item, str) else item, tmp, say)
            yield from _walk_path(local, tmp, url)
            continue
        if not item.exists():
            raise InputFileError(f"{item}: no such file or folder")
        yield from _walk_path(item, tmp, str(item))


def _walk_path(path: Path, tmp: Path, display: str) -> Iterator[tuple[Path, str]]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not child.name.startswith("."):
                yield from _walk_path(child, tmp, str(child))
        return
    if _is_archive(path):
        # The folder keeps the zip's stem: CMS zip names (rvu26c-updated-...) tell the release.
        target = Path(tempfile.mkdtemp(dir=tmp)) / path.stem
        try:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(target)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputFileError(f"{display}: cannot open this zip ({exc}); download it again") from None
        for child in sorted(target.rglob("*")):
            if child.is_file():
                member = child.relative_to(target).as_posix()
                yield from _walk_path(child, tmp, f"{display}!{member}")
        return
    yield path, display


def _is_archive(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return "[Content_Types].xml" not in archive.namelist()  # an xlsx is a zip too


def download_any(urls: tuple[str, ...], tmp: Path, say: Callable[[str], None]) -> tuple[Path, str]:
    """The first of `urls` that downloads, and its URL; the last failure when none does."""
    failure: InputFileError | None = None
    for url in urls:
        say(f"downloading {url}")
        try:
            return download(url, tmp), url
        except InputFileError as exc:
            failure = exc
    assert failure is not None
    raise failure


def download(url: str, tmp: Path) -> Path:
    """Fetch a URL into `tmp` (the only network call in rvucheck)."""
    name = Path(urllib.parse.urlparse(url).path).name or "download.zip"
    target = Path(tempfile.mkdtemp(dir=tmp)) / name
    request = urllib.request.Request(url, headers={"User-Agent": "rvucheck (CMS fee schedule installer)"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out)
    except (OSError, ValueError) as exc:
        raise InputFileError(
            f"{url}: download failed ({exc}); "
            "download it in a browser and run rvucheck data install --from FILE"
        ) from None
    return target
