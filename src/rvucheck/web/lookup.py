"""The Code and Data pages: `rvucheck code` (refdata.code_page.lookup) and `rvucheck data status|install`
(the store's catalog, refdata.install.install_from) as data for the templates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.errors import InputFileError

if TYPE_CHECKING:
    from rvucheck.web.jobs import Job

STATUS_HEADINGS = {
    "pfs": "Fee schedule releases",
    "ncci": "NCCI edits",
    "benchmarks": "Benchmarks",
    "icd10cm": "ICD-10-CM code sets",
    "icd9cm": "ICD-9-CM code set",
    "asp": "Part B drug payment limits (ASP)",
    "anes_base": "Anesthesia base units",
    "mce": "Medicare Code Editor",
    "labncd": "Lab NCD edits",
}


def code_page(data_dir: Path | None, form: dict[str, str]) -> dict[str, Any]:
    """The page `rvucheck code CODE -m MOD -l LOCALITY --pos POS --date D [--qpp]` prints, as data."""
    from rvucheck.cli.common import date_option
    from rvucheck.refdata import open_reference
    from rvucheck.refdata.code_page import lookup

    on = date_option(form.get("date") or None)
    mods = tuple(m for m in form.get("modifiers", "").replace(",", " ").split() if m)
    locality = form.get("locality", "").strip() or None
    if locality:
        from rvucheck.web.profile import LOCALITY_ID

        match = LOCALITY_ID.match(locality)
        locality = match.group(1) if match else locality
    pos = form.get("pos", "").strip() or None
    ref = open_reference(data_dir)
    return lookup(ref, form.get("code", ""), mods, locality, pos, on, bool(form.get("qpp")), explain=True)


def status(data_dir: Path | None, today: dt.date | None = None) -> dict[str, Any]:
    """Installed datasets by kind with their dates, and whether the newest fee schedule is older than the
    quarter of today (`rvucheck data status`)."""
    from rvucheck.refdata.calendar import quarter_of
    from rvucheck.refdata.store import Store

    store = Store(data_dir)
    datasets = store.datasets()
    groups = []
    for kind in sorted({d.kind for d in datasets}, key=lambda k: list(STATUS_HEADINGS).index(k)
                       if k in STATUS_HEADINGS else 99):  # fmt: skip
        items = [d for d in datasets if d.kind == kind]
        groups.append({"heading": STATUS_HEADINGS.get(kind, kind), "items": [_item(d) for d in items]})
    day = today or dt.date.today()
    pfs = [d for d in datasets if d.kind == "pfs" and "RVU" in d.contents]
    stale = ""
    if pfs and (pfs[0].year or 0, pfs[0].quarter or 0) < (day.year, quarter_of(day)):
        stale = (
            f"The newest fee schedule installed is {pfs[0].dataset_id} (Q{pfs[0].quarter} {pfs[0].year}), "
            f"older than the quarter of today ({day.isoformat()}): install the current release."
        )
    return {"data_dir": str(store.data_dir), "groups": groups, "stale": stale, "empty": not datasets}


def _item(info: Any) -> dict[str, Any]:
    return {
        "id": info.dataset_id,
        "span": _span(info.effective_from, info.effective_to),
        "contents": ", ".join(info.contents),
        "label": info.label,
        "installed": str(info.installed_at)[:19].replace("T", " "),
    }


def _span(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"{start} to {end}"
    return f"from {start}" if start else (f"until {end}" if end else "any date")


def install_folder(text: str) -> Path:
    """The folder the local user typed for `data install --from`: an existing folder on this machine, never a
    URL (the web page makes no network calls). The only path the app opens that a request names."""
    text = text.strip()
    if not text:
        raise InputFileError("give the folder that holds the CMS files (e.g. /home/me/Downloads/RVU26C)")
    if "://" in text:
        raise InputFileError(f"{text}: give a folder on this computer; the page downloads nothing")
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise InputFileError(f"{text}: give the folder's full path (starting with /)")
    if not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "does not exist"
        raise InputFileError(f"{path} {what}; give the folder that holds the CMS files")
    return path


def run_install(job: Job, folder: Path, data_dir: Path | None) -> None:
    from rvucheck.refdata.icd10cm import ensure_code_set
    from rvucheck.refdata.install import install_from
    from rvucheck.refdata.store import Store

    store = Store(data_dir)
    said: list[str] = []

    def say(message: str) -> None:
        said.append(message)
        job.step = message[:200]

    installed = install_from([folder], store, progress=say)
    code_set = ensure_code_set(store)
    done = [*installed, *([code_set] if code_set else [])]
    if not done:
        raise InputFileError(f"{folder}: no CMS file rvucheck knows was found in it")
    job.facts["installed"] = [f"{d.kind} {d.dataset_id}: {', '.join(d.contents)}" for d in done]
    job.step, job.done = "done", 4
