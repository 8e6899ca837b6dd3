"""Pause Python's cyclic garbage collector around phases that build millions of live objects."""

from __future__ import annotations

import gc
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
