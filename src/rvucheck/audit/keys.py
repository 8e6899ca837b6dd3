"""Patient identifiers as HMAC-SHA256 keys under a local secret: the audit history never holds them in clear.

The secret is 32 random bytes made at first use in the data dir (file mode 0600); the same patient gets the
same key every month, so cross-month matching works, while the history file alone does not say who anyone is.
A secret file that is empty, shorter than 32 bytes, not hex or a symlink is refused (a weak key would let
anyone recompute the keys); `rvucheck history reset` starts afresh.
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import os
import secrets
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rvucheck.errors import HistoryError
from rvucheck.model import ChargeLine, replace_line

SECRET_FILE = "audit-secret.key"


class PatientKeyer:
    """HMAC-SHA256 of patient identifiers under the local secret (created 0600 on first use)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._cache: dict[str, str] = {}

    @classmethod
    def for_dir(cls, data_dir: Path) -> PatientKeyer:
        return cls(load_or_create_secret(data_dir / SECRET_FILE))

    def key(self, patient: str) -> str:
        if not patient:
            return ""
        cached = self._cache.get(patient)
        if cached is None:
            cached = hmac.digest(self._secret, patient.encode("utf-8"), "sha256").hex()  # one-shot C HMAC
            self._cache[patient] = cached
        return cached

    def apply(self, lines: Iterable[ChargeLine]) -> list[ChargeLine]:
        """Copies of the lines with the patient replaced by its key."""
        keyed = []
        for line in lines:
            keyed.append(replace_line(line, patient=self.key(line.patient)))
        return keyed


MIN_SECRET_BYTES = 32
RESET_HINT = "restore it from your backup, or start the history afresh: rvucheck history reset --yes"


def load_or_create_secret(path: Path) -> bytes:
    """The secret in `path` (hex text, at least 32 bytes), made on first use. The file is created 0600 and
    never followed through a symlink (neither when made, read nor when its mode is tightened)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _create(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise HistoryError(f"{path}: the audit history secret is a symbolic link; {RESET_HINT}") from None
        raise HistoryError(
            f"{path}: cannot read the audit history secret ({exc.strerror}); {RESET_HINT}"
        ) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise HistoryError(f"{path}: the audit history secret is not a file; {RESET_HINT}")
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(handle.fileno(), 0o600)  # someone widened it: the secret is only for this user
        return parse_secret(handle.read(4096), path)


def parse_secret(raw: bytes, path: Path) -> bytes:
    """The key in a secret file's text: hex digits (surrounding whitespace allowed), at least 32 bytes.
    Anything else is refused: an empty key would make every patient key computable by anyone."""
    text = raw.decode("ascii", errors="replace").strip()
    if not text:
        raise HistoryError(f"{path}: the audit history secret is empty; {RESET_HINT}")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise HistoryError(f"{path}: the audit history secret is not hex text; {RESET_HINT}") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise HistoryError(
            f"{path}: the audit history secret is {len(secret)} bytes, at least {MIN_SECRET_BYTES} are "
            f"needed; {RESET_HINT}"
        )
    return secret


def _create(path: Path) -> None:
    """Write a new secret if there is none: complete in a temp file, then linked into place only if the
    name is still free (two first runs at once agree on one secret; a crash leaves no empty secret)."""
    if os.path.lexists(path):
        return
    fd, name = tempfile.mkstemp(prefix=".rvucheck-secret-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(MIN_SECRET_BYTES))
        with contextlib.suppress(FileExistsError):  # another run made it first: theirs is the one
            os.link(name, path)
    finally:
        os.unlink(name)
