"""Uploaded files into a job's private folder: a plain name of our own (never the client's path), written
with mode 0600, then the command line's input checks (read/safety.check_input)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from rvucheck.errors import InputFileError
from rvucheck.read.safety import SUPPORTED

_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+-]")
CHUNK = 1024 * 1024


def safe_name(filename: str | None, taken: set[str] | None = None) -> str:
    """The client's file name without any folder part or unusual character, never hidden, never taken."""
    base = re.split(r"[\\/]", filename or "")[-1]
    name = _UNSAFE.sub("_", base).strip(" .")[-120:] or "upload"
    if name.startswith("."):
        name = "_" + name
    if taken is not None:
        stem, suffix = os.path.splitext(name)
        n = 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}{suffix}"
        taken.add(name)
    return name


def is_upload(value: Any) -> bool:
    return hasattr(value, "filename") and hasattr(value, "read")


async def save(upload: Any, folder: Path, name: str) -> Path:
    """Copy one UploadFile into `folder` (a new file: O_EXCL, mode 0600)."""
    target = folder / name
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        while chunk := await upload.read(CHUNK):
            out.write(chunk)
    return target


def uploads_of(form: Any, field: str) -> list[Any]:
    files = [v for v in form.getlist(field) if is_upload(v) and v.filename]
    if not files:
        raise InputFileError(f"choose a charge export to upload ({SUPPORTED})")
    return files
