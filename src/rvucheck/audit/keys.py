"""Patient identifiers as HMAC-SHA256 keys under a local secret: the audit history never holds them in clear.

The secret is 32 random bytes made at first use in the data dir (file mode 0600); the same patient gets the
same key every month, so cross-month matching works, while the history file alone does not say who anyone is.
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from rvucheck.model import ChargeLine

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
        # What dataclasses.replace does, without re-running __init__ (ChargeLine is a plain frozen dataclass
        # with a __dict__): about 10x faster on a 50k-line month.
        keyed = []
        new = object.__new__
        for line in lines:
            twin = new(ChargeLine)
            state = twin.__dict__
            state.update(line.__dict__)
            state["patient"] = self.key(line.patient)
            keyed.append(twin)
        return keyed


def load_or_create_secret(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)  # someone widened it: the secret is only for this user
        return bytes.fromhex(path.read_text().strip())
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())
