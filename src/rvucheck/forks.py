"""Work on the machine's second core: forked children that compute part of a run and send it back pickled
through a pipe. Whoever calls these decides whether a core is spare (pipeline.spare_core); here, one process
whenever forking is not safe (no fork, or another thread runs: a forked child must not inherit a lock that
thread holds), and a child that fails has its part computed in this process, errors and all."""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable, Collection, Iterator
from typing import NoReturn, TypeVar

_A = TypeVar("_A")
_B = TypeVar("_B")


def two_processes(here: Callable[[], _A], there: Callable[[], _B]) -> tuple[_A, _B]:
    """`here()` in this process while a forked child computes `there()` (the machine's second core) and
    sends its value back pickled through a pipe. One process where fork is missing or another thread runs
    (a forked child must not inherit a lock that thread holds); `there()` runs here if the child fails."""
    if not _may_fork():
        return here(), there()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without any teardown (no atexit, no flush)
        os.close(read_end)
        _send_and_exit(write_end, there)
    os.close(write_end)
    mine, data = _in_parent(pid, read_end, here)
    if data is None:  # the child failed (it says nothing): its half runs here, errors and all
        return mine, there()
    return mine, pickle.loads(data)  # our own child's data, through our own pipe


MAX_SHARED_UNITS = 256  # a unit's ticket is one byte (see shared)


def shared(count: int, work: Callable[[int], _A], pinned: Collection[int] = ()) -> list[_A]:
    """`[work(0), ..., work(count - 1)]`, computed by this process and a forked child at once, each taking
    the next unit as soon as it is free: what a unit costs depends on the file (a rule family on a month of
    E&M visits, a chunk of lines with many findings), so a fixed split leaves one process waiting for the
    other (measured on 100,000 lines: the parent's third of the rules took 2.6x the child's two thirds).
    The units are handed out as one-byte tickets in a pipe filled before the fork (a read of one byte takes
    one ticket whole, whoever reads it); the child sends its values back pickled when none is left.
    `pinned` units run here only (their work leaves state this process reads afterwards). One process
    where fork is missing or another thread runs (see two_processes), or for more than MAX_SHARED_UNITS
    units; the units the child took run here if it fails."""
    if count < 2 or count > MAX_SHARED_UNITS or not _may_fork():
        return [work(unit) for unit in range(count)]
    tickets, filler = os.pipe()
    os.write(filler, bytes(unit for unit in range(count) if unit not in pinned))  # <= 256 bytes: one write
    os.close(filler)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _send_and_exit(write_end, lambda: {unit: work(unit) for unit in _taken(tickets)})
    os.close(write_end)

    def mine() -> dict[int, _A]:
        values = {unit: work(unit) for unit in sorted(pinned)}
        values.update((unit, work(unit)) for unit in _taken(tickets))
        return values

    try:
        values, data = _in_parent(pid, read_end, mine)
    finally:
        os.close(tickets)
    if data is not None:
        values.update(pickle.loads(data))  # our own child's data, through our own pipe
    # a unit the child took but never sent (it failed) runs here, errors and all
    return [values[unit] if unit in values else work(unit) for unit in range(count)]


def _taken(tickets: int) -> Iterator[int]:
    """The units this process takes, one ticket at a time, until none is left."""
    while ticket := os.read(tickets, 1):
        yield ticket[0]


def _may_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def _send_and_exit(write_end: int, compute: Callable[[], object]) -> NoReturn:
    """In a forked child: compute, send pickled, and leave without any teardown (no atexit, no flush)."""
    code = 1
    try:
        with os.fdopen(write_end, "wb") as out:
            out.write(pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)


def _in_parent(pid: int, read_end: int, here: Callable[[], _A]) -> tuple[_A, bytes | None]:
    """`here()` while the child `pid` works, then the child's pickled value (None: it failed). An error
    (or Ctrl+C) here kills and reaps the child: its part is not wanted any more."""
    try:
        with os.fdopen(read_end, "rb") as stream:
            mine = here()
            data = stream.read()
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    return mine, data if status == 0 and data else None
