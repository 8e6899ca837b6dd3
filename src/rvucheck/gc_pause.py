"""Pause Python's cyclic garbage collector around phases that build millions of live objects."""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while openpyxl loads or saves: it builds millions of live objects,
    and the collector's passes over them cost a third of the time (measured: load 27 s -> 17 s, save
    19 s -> 13 s on 100k lines). Those phases make almost no cyclic garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def frozen_gc() -> Iterator[None]:
    """Everything alive now kept out of the collector's passes while the block runs (`gc.freeze()`): after
    a large read and check, ~1M objects stay alive while the summary and the outputs are built, and every
    full collection in between would walk them again for nothing (summary + JSON of 100k lines: 2.1 s ->
    1.2 s). Unfrozen at the end, so a long-running process (the UDFs, the test suite) can still collect
    cyclic garbage among them later; reference counting frees them either way."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def return_freed_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's `malloc_trim`, Linux only). A run of
    1,000,000 lines frees hundreds of MB of engine state that glibc keeps resident: the forked worker would
    hold it while the main process receives its results, and their sum is the run's memory peak."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # another C library (musl): nothing to give back this way
        return
    trim(0)
