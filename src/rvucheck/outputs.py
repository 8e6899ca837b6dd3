"""Every file a command writes goes through here: checked against the run's inputs first, written to a temp
file beside its target, renamed into place only when every output of the run is complete.

    with Outputs(inputs=[export], force=args.force) as outputs:
        out = outputs.plan(Path("audit.xlsx"))     # before any work: refused here, nothing is written
        ...                                        # the work
        book.save(outputs.stage(out))              # a temp beside out (.rvucheck-tmp-<pid>-...)
        written = outputs.commit()                 # all renamed at the end (all-or-nothing)

What it guarantees:
- an output is never an input of the same run, a link to one (hard or symbolic) or another output;
- without `force`, an existing file is never replaced: the check happens at the rename (a hard link made
  only if the name is free), so two runs racing for one name cannot overwrite each other;
- temp files are removed on every exit path: errors, Ctrl-C, SIGTERM (`install_signal_handlers`); after a
  SIGKILL the next run that writes into the folder removes the temps whose process is gone;
- write errors (disk full, file-size limit, permissions, a folder in the way) become one line naming the file.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from rvucheck.errors import OutputError, RvucheckError

TEMP_PREFIX = ".rvucheck-tmp-"
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")
_LIVE_TEMPS: set[Path] = set()  # temps of this process, removed by the signal handler
_OWNER = {"pid": os.getpid()}

# errno -> what the user can do about it
_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space or write elsewhere",
    errno.EDQUOT: "the disk quota is used up; free some space or write elsewhere",
    errno.EFBIG: "the file is larger than the file-size limit allows; write elsewhere or raise the limit",
    errno.EACCES: "permission denied; choose a folder you can write to",
    errno.EPERM: "permission denied; choose a folder you can write to",
    errno.EROFS: "the file system is read-only; choose another folder",
    errno.EISDIR: "that is a folder; give a file name",
    errno.ENOTDIR: "part of the path is not a folder; check the path",
    errno.ENOENT: "the folder does not exist; create it or choose another path",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter path",
    errno.EEXIST: "it already exists; use --force to replace it or choose another name",
}


def describe_os_error(exc: OSError, path: Path | str | None = None, doing: str = "cannot write it") -> str:
    """One line for an OSError met while reading or writing `path`: the file, then what to do. Only the path
    and the system's error text are shown (never data)."""
    name = path if path is not None else (exc.filename or "a file")
    advice = _ADVICE.get(exc.errno or 0) or f"{exc.strerror or type(exc).__name__}; check the path and retry"
    return f"{name}: {doing}: {advice}"


def same_file(a: Path, b: Path) -> bool:
    """True when `a` and `b` name one file: the same path after resolving symlinks, or the same inode (a hard
    link). A path that does not exist yet is compared by its resolved name."""
    try:
        if a.resolve() == b.resolve():
            return True
        return os.path.samefile(a, b)
    except (OSError, RuntimeError):
        return False


class Outputs:
    """The outputs of one run (see the module docstring). A context manager: leaving it without `commit()`
    (an error, an interrupt) removes every temp file it made."""

    def __init__(self, inputs: Iterable[Path] = (), force: bool = False) -> None:
        self.inputs = [Path(p) for p in inputs]
        self.force = force
        self.planned: list[Path] = []
        self._staged: dict[Path, Path] = {}  # target -> its complete temp
        self._temps: list[Path] = []

    def __enter__(self) -> Outputs:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.discard()

    def plan(self, path: Path, force: bool | None = None) -> Path:
        """Check one output before the work: not an input (nor a link to one), not another output, not a
        folder, in an existing folder, and (without force) not already there. Returns the path."""
        force = self.force if force is None else force
        for source in self.inputs:
            if same_file(path, source):
                raise OutputError(
                    f"{path}: the output would replace the input {source.name}; choose another name"
                )
        for other in self.planned:
            if same_file(path, other):
                raise OutputError(f"{path}: two outputs of this run would have the same name; choose another")
        if path.is_dir():
            raise OutputError(f"{path}: that is a folder; give a file name for the output")
        parent = path.parent
        if not parent.is_dir():
            what = "is not a folder" if parent.exists() else "does not exist"
            raise OutputError(f"{path}: folder {parent} {what}; create it or choose another path")
        if not force and (path.exists() or path.is_symlink()):
            raise OutputError(f"{path} already exists; use --force to replace it or choose another name")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise OutputError(f"{path}: folder {parent} is not writable; choose a folder you can write to")
        self.planned.append(path)
        return path

    def scratch(self, beside: Path) -> Path:
        """A temp file beside `beside` for an intermediate step; removed when the run ends."""
        return self._temp(beside)

    def stage(self, path: Path) -> Path:
        """The temp file to write `path`'s content to; it becomes `path` at `commit()`."""
        if path not in self.planned:
            self.plan(path)
        temp = self._temp(path)
        self._staged[path] = temp
        return temp

    def write(self, path: Path, writer: Callable[[Path], Any]) -> None:
        """Stage `path` and call `writer(temp)`, turning a write error into one line naming `path`."""
        temp = self.stage(path)
        failed: OSError | None = None
        try:
            writer(temp)
        except OSError as exc:
            raise OutputError(describe_os_error(exc, path)) from None
        except Exception as exc:
            if type(exc).__name__ != "SerialisationError":  # lxml's, over an OSError it does not chain
                raise
            failed = _write_failure()
        if failed is not None:  # raised outside the handler: the failed writer's frames are freed now
            raise OutputError(describe_os_error(failed, path))

    def commit(self) -> list[Path]:
        """Rename every staged output into place, in order. Without force a name that appeared since the
        plan is not replaced: the run stops, naming what was already written."""
        done: list[Path] = []
        for path, temp in list(self._staged.items()):
            try:
                _finish_mode(temp)
                if any(same_file(path, source) for source in self.inputs):
                    raise OutputError(f"{path}: the output would replace an input; choose another name")
                _place(temp, path, replace=self.force)
            except (OSError, RvucheckError) as exc:
                message = str(exc) if isinstance(exc, RvucheckError) else describe_os_error(exc, path)
                if done:
                    message += f" (already written: {', '.join(str(p) for p in done)})"
                raise OutputError(message) from None
            done.append(path)
            del self._staged[path]
        self.discard()
        return done

    def discard(self) -> None:
        for temp in self._temps:
            _remove(temp)
        self._temps.clear()
        self._staged.clear()

    def _temp(self, beside: Path) -> Path:
        sweep_stale(beside.parent)
        try:
            handle, name = tempfile.mkstemp(
                prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=beside.suffix, dir=beside.parent
            )
        except OSError as exc:
            raise OutputError(describe_os_error(exc, beside)) from None
        os.close(handle)
        temp = Path(name)
        self._temps.append(temp)
        _LIVE_TEMPS.add(temp)
        return temp


def _write_failure() -> OSError:
    """The OSError behind a failed XML write (openpyxl streams a sheet's XML through lxml to a temp file,
    and lxml reports the write error as its own SerialisationError): a file-size limit when one is set."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY:
        return OSError(errno.EFBIG, os.strerror(errno.EFBIG))
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def write_file(
    path: Path, writer: Callable[[Path], Any], inputs: Sequence[Path] = (), force: bool = True
) -> Path:
    """One output on its own: planned, written through a temp, renamed."""
    with Outputs(inputs, force) as outputs:
        outputs.plan(path)
        outputs.write(path, writer)
        outputs.commit()
    return path


def _place(temp: Path, path: Path, replace: bool) -> None:
    if replace:
        os.replace(temp, path)
        return
    try:
        os.link(temp, path)  # fails if the name exists: the existence check and the write are one step
    except FileExistsError:
        raise OutputError(
            f"{path} already exists; use --force to replace it or choose another name"
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if path.exists() or path.is_symlink():  # no hard links here (some network/FAT shares): best effort
            raise OutputError(
                f"{path} already exists; use --force to replace it or choose another name"
            ) from None
        os.replace(temp, path)
        return
    _remove(temp)


def _finish_mode(temp: Path) -> None:
    """mkstemp makes 0600; an output gets a normal new file's mode (the umask decides)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(temp, 0o666 & ~mask)


def _remove(temp: Path) -> None:
    _LIVE_TEMPS.discard(temp)
    try:
        temp.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass  # a folder made read-only meanwhile: the next run's sweep removes it


def sweep_stale(folder: Path) -> list[Path]:
    """Remove temps left in `folder` by runs that were killed (SIGKILL, power loss): only names this module
    makes, and only when the process that made them is gone."""
    removed: list[Path] = []
    try:
        names = [entry for entry in os.scandir(folder) if entry.name.startswith(TEMP_PREFIX)]
    except OSError:
        return removed
    for entry in names:
        match = _TEMP_NAME.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        path = Path(entry.path)
        _remove(path)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or a name we cannot judge: leave it
    return True


class Terminated(BaseException):
    """SIGTERM (or SIGHUP) arrived: unwinds like Ctrl-C so every `finally` removes its temps."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_terminate(signum: int, frame: FrameType | None) -> None:
    if os.getpid() == _OWNER["pid"]:
        for temp in list(_LIVE_TEMPS):
            _remove(temp)
    raise Terminated(signum)


def install_signal_handlers() -> dict[int, Any]:
    """For a command-line run: SIGTERM/SIGHUP unwind (temps removed); SIGXFSZ (file-size limit) is ignored
    so the write fails with EFBIG and the run can say so instead of dying. Returns the handlers replaced."""
    _OWNER["pid"] = os.getpid()
    wanted: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            wanted[getattr(signal, name)] = _on_terminate
    if hasattr(signal, "SIGXFSZ"):
        wanted[signal.SIGXFSZ] = signal.SIG_IGN
    previous = {}
    for signum, handler in wanted.items():
        try:
            previous[signum] = signal.signal(signum, handler)
        except ValueError:  # not the main thread (an embedding application): leave its handlers alone
            break
    return previous


def restore_signal_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
