"""Background work in private folders: each upload, check, audit or install is a Job with its own folder
(mode 0700) under one temp root of the server; its work runs in a thread while the page polls
`status()`. Inputs are deleted as soon as the work is done; results stay until the job expires (or the
server stops), and a download is only ever a file the job itself wrote, found by a fixed name."""

from __future__ import annotations

import atexit
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rvucheck.errors import RvucheckError
from rvucheck.outputs import describe_os_error

JOB_ID = re.compile(r"[A-Za-z0-9_-]{20,40}")
STEPS = 4  # pipeline.check_file reports progress 0..4
BUG_REPORT = "https://github.com/rvucheck/rvucheck/issues"


@dataclass
class Job:
    id: str
    kind: str  # "check", "audit" or "install"
    folder: Path
    touched: float  # the job and its results are kept `ttl` seconds from its last use
    state: str = "new"  # new -> running -> done | failed
    step: str = ""
    done: int = 0
    error: str = ""
    status_code: int = 200  # what the failure would be as an HTTP status (400 the user's input, 500 a bug)
    facts: dict[str, Any] = field(default_factory=dict)  # what the pages show
    files: dict[str, Path] = field(default_factory=dict)  # download name -> a file this job wrote

    @property
    def inputs(self) -> Path:
        return self.folder / "in"

    @property
    def outputs(self) -> Path:
        return self.folder / "out"

    def status(self) -> dict[str, Any]:
        return {"state": self.state, "step": self.step, "done": self.done, "of": STEPS, "error": self.error}

    @contextmanager
    def progress(self) -> Iterator[Callable[[str, int | None], None]]:
        """The `progress()` context pipeline.check_file takes: each step lands in `status()`."""

        def step(description: str, done: int | None = None) -> None:
            self.step = description
            if done is not None:
                self.done = done

        yield step

    def shown(self, message: str) -> str:
        """A message with this job's private folders taken out: the user sees the file's own name."""
        for folder in (self.inputs, self.outputs, self.folder):
            message = message.replace(f"{folder}/", "").replace(str(folder), "the uploaded files")
        return message


class JobStore:
    """The jobs of one server; every folder lives under one private temp root, removed by `close()`."""

    def __init__(self, ttl_seconds: float = 3600.0) -> None:
        self.ttl = ttl_seconds
        self._root: Path | None = None
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    @property
    def root(self) -> Path:
        """The private temp root (mode 0700), made on first use and removed at exit at the latest."""
        with self._lock:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix="rvucheck-web-"))
                atexit.register(self.close)
            return self._root

    def new(self, kind: str) -> Job:
        self.sweep()
        job_id = secrets.token_urlsafe(18)
        folder = self.root / job_id
        for part in (folder, folder / "in", folder / "out"):
            part.mkdir(mode=0o700)
        job = Job(job_id, kind, folder, time.monotonic())
        with self._lock:
            self._jobs[job_id] = job
        return job

    def get(self, job_id: str, kind: str | None = None) -> Job | None:
        """The job named by a URL; None for anything that is not one of ours (the id is never a path)."""
        self.sweep()
        if not JOB_ID.fullmatch(job_id):
            return None
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (kind is not None and job.kind != kind):
            return None
        job.touched = time.monotonic()
        return job

    def start(self, job: Job, work: Callable[[Job], None]) -> None:
        """Run `work(job)` in a thread; a failure becomes the job's one-line error, never a traceback."""
        job.state, job.step, job.done = "running", "starting", 0

        def run() -> None:
            state = "failed"
            try:
                work(job)
                state = "done"
            except BaseException as exc:  # every failure is reported on the page
                job.status_code, message = describe_failure(exc)
                job.error = job.shown(message)
            finally:
                shutil.rmtree(job.inputs, ignore_errors=True)  # the uploads go once the work is done
                job.touched = time.monotonic()
                job.state = state  # last: a page that sees "done" finds the inputs gone

        threading.Thread(target=run, name=f"rvucheck-{job.kind}", daemon=True).start()

    def drop(self, job: Job) -> None:
        """Forget a job whose upload failed, and delete its folder."""
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def sweep(self) -> None:
        """Forget and delete the jobs older than the time-to-live (a running one is left to finish)."""
        now = time.monotonic()
        with self._lock:
            old = [j for j in self._jobs.values() if j.state != "running" and now - j.touched > self.ttl]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            self._jobs.clear()
            root, self._root = self._root, None
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)


def describe_failure(exc: BaseException) -> tuple[int, str]:
    """(HTTP status, one line) as the command line would say it: 400 for what the user can fix (exit 2),
    500 for a bug (exit 3), with the exception's type only (its message may hold cell values)."""
    if isinstance(exc, RvucheckError):
        return 400, str(exc)
    if isinstance(exc, MemoryError):
        return 400, "ran out of memory; split the file into smaller ones or use a larger machine"
    if isinstance(exc, ModuleNotFoundError):
        package = (exc.name or "").split(".")[0]
        return 400, f"this needs {package}: pip install 'rvucheck[all]'"
    if isinstance(exc, OSError) and exc.errno is not None:
        return 400, describe_os_error(exc, doing="failed")
    return 500, (
        f"internal error ({type(exc).__name__}); this is a bug: please report it at {BUG_REPORT} with what "
        "you did (not your data)"
    )
