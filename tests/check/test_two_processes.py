"""Half the rules on the second core (pipeline.two_processes): the same report as one process, and one
process whenever forking is not safe or the child fails."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from rvucheck.engine import runner
from rvucheck.pipeline import two_processes
from rvucheck.session import Session
from rvucheck.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "sample-charges-2026-10.xlsx"
forks = pytest.mark.skipif(
    not Path("/proc/self/task").exists() or not hasattr(os, "fork"), reason="Linux fork"
)


def test_the_split_rules_give_the_one_process_report(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session.open(data_dir, Settings())
    read = session.read(SAMPLE)
    one = session.check(read.lines, read.unreadable)
    monkeypatch.setattr(runner, "SPLIT_LINES", 0)  # the sample month is below the size that forks
    pids: list[int] = []

    def recorded(here, there):  # type: ignore[no-untyped-def]
        pids.append(os.getpid())
        return two_processes(here, there)

    split = session.check(read.lines, read.unreadable, both=recorded)
    assert pids == [os.getpid()]  # it was asked
    assert sum(len(r.findings) for r in one.results) > 100  # the sample month has findings of many rules
    assert split == one  # every finding, in the same order on every line, and the same run notes


@forks
def test_the_other_half_runs_in_a_child_and_comes_back() -> None:
    mine, theirs = two_processes(lambda: ("here", os.getpid()), lambda: ("there", os.getpid()))
    assert mine == ("here", os.getpid())
    assert theirs[0] == "there" and theirs[1] != os.getpid()  # computed in the forked child


@forks
def test_a_failing_child_runs_its_half_here() -> None:
    parent = os.getpid()

    def there() -> int:
        if os.getpid() != parent:
            raise RuntimeError("lost in the child")  # the child says nothing and exits 1
        return 7

    assert two_processes(lambda: 1, there) == (1, 7)
    with pytest.raises(ZeroDivisionError):  # an error of the half itself reaches the caller, from here
        two_processes(lambda: 1, lambda: 1 // 0)


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert two_processes(os.getpid, os.getpid) == (os.getpid(), os.getpid())
    finally:
        stop.set()
        other.join()


@forks
def test_an_error_here_ends_the_child() -> None:
    children: list[int] = []

    def there() -> int:
        import time

        time.sleep(30)  # would outlive the parent's error if nothing ended it
        return 1

    def here() -> int:
        children.extend(
            int(pid) for pid in Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
        )
        raise ValueError("bad line")

    with pytest.raises(ValueError, match="bad line"):
        two_processes(here, there)
    assert len(children) == 1
    assert not Path(f"/proc/{children[0]}").exists()  # killed and reaped, not left running
