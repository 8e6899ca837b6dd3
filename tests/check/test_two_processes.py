"""The rules and the JSON's lines shared with a child on the second core (forks.shared), the file
validated in a child while the session opens (forks.two_processes): the same report and output as one
process, and one process whenever forking is not safe or the child fails."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest

from rvucheck.engine import runner
from rvucheck.forks import shared, two_processes
from rvucheck.session import Session
from rvucheck.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "sample-charges-2026-10.xlsx"
forks = pytest.mark.skipif(
    not Path("/proc/self/task").exists() or not hasattr(os, "fork"), reason="Linux fork"
)


def test_the_shared_rules_give_the_one_process_report(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = Session.open(data_dir, Settings())
    read = session.read(SAMPLE)
    one = session.check(read.lines, read.unreadable)
    monkeypatch.setattr(runner, "SPLIT_LINES", 0)  # the sample month is below the size that forks
    asked: list[tuple[int, list[int]]] = []

    def recorded(count, work, pinned):  # type: ignore[no-untyped-def]
        asked.append((count, sorted(pinned)))
        return shared(count, work, pinned)

    split = session.check(read.lines, read.unreadable, share=recorded)
    kinds = {rule.kind for rule in session.ruleset}
    # one unit per check kind of the rules run (a few need a column the sample lacks); the kinds whose memo
    # the run notes read stay here
    assert len(asked) == 1 and 30 < asked[0][0] <= len(kinds)
    assert len(asked[0][1]) == len(runner._NOTE_KINDS & kinds)
    assert sum(len(r.findings) for r in one.results) > 100  # the sample month has findings of many rules
    assert split == one  # every finding, in the same order on every line, and the same run notes


@pytest.fixture
def no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if no other thread ran: earlier tests (the web page, Spark) may leave one behind in pytest."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)


@forks
@pytest.mark.usefixtures("no_threads")
def test_the_other_half_runs_in_a_child_and_comes_back() -> None:
    mine, theirs = two_processes(lambda: ("here", os.getpid()), lambda: ("there", os.getpid()))
    assert mine == ("here", os.getpid())
    assert theirs[0] == "there" and theirs[1] != os.getpid()  # computed in the forked child


@forks
@pytest.mark.usefixtures("no_threads")
def test_a_failing_child_runs_its_half_here() -> None:
    parent = os.getpid()

    def there() -> int:
        if os.getpid() != parent:
            raise RuntimeError("lost in the child")  # the child says nothing and exits 1
        return 7

    assert two_processes(lambda: 1, there) == (1, 7)
    with pytest.raises(ZeroDivisionError):  # an error of the half itself reaches the caller, from here
        two_processes(lambda: 1, lambda: 1 // 0)


def test_a_second_process_only_with_a_core_to_spare(monkeypatch: pytest.MonkeyPatch) -> None:
    from rvucheck import pipeline

    if not hasattr(os, "sched_getaffinity") or not hasattr(os, "getloadavg"):
        pytest.skip("no affinity or load average here")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(os, "getloadavg", lambda: (0.7, 0.5, 0.4))
    assert pipeline.spare_core()
    monkeypatch.setattr(os, "getloadavg", lambda: (2.5, 2.0, 1.0))  # busy: both cores taken
    assert not pipeline.spare_core()
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))  # one core: nothing to spare
    assert not pipeline.spare_core()


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
@pytest.mark.usefixtures("no_threads")
def test_an_error_here_ends_the_child() -> None:
    def children() -> set[int]:  # this process's children (earlier tests may have left a JVM running)
        return {
            int(pid) for pid in Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
        }

    before = children()
    forked: list[int] = []

    def there() -> int:
        import time

        time.sleep(30)  # would outlive the parent's error if nothing ended it
        return 1

    def here() -> int:
        forked.extend(children() - before)
        raise ValueError("bad line")

    with pytest.raises(ValueError, match="bad line"):
        two_processes(here, there)
    assert len(forked) == 1
    assert not Path(f"/proc/{forked[0]}").exists()  # killed and reaped, not left running


def _bad_inputs(folder: Path) -> dict[str, tuple[Path, str]]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reader"))
    from test_safety import make_bad_inputs

    return make_bad_inputs(folder)  # type: ignore[no-any-return]


def test_one_large_file_opens_its_session_while_a_child_validates_it(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same output and the same one-line error, exit code included, as when the file is validated
    before the session opens: bad files, with and without a broken config beside them."""
    from rvucheck import pipeline
    from rvucheck.cli.main import main

    monkeypatch.setenv("RVUCHECK_DATA", str(data_dir))
    monkeypatch.setattr(pipeline, "spare_core", lambda: True)  # even on a busy machine
    config = tmp_path / "broken.toml"
    config.write_text("locality = [unclosed\n", encoding="utf-8")
    runs = [([str(SAMPLE)], "the sample month")]
    runs += [([str(path)], name) for name, (path, _) in _bad_inputs(tmp_path / "bad").items()]
    runs += [([*files, "--config", str(config)], f"{name}, broken config") for files, name in list(runs)]
    for files, name in runs:
        args = ["check", *files, "--no-annotate", "--format", "json", "--fail-on", "never"]
        monkeypatch.setattr(pipeline, "LARGE_FILE_BYTES", 10**12)  # validated first, in this process
        code = main(args)
        first = capsys.readouterr()
        monkeypatch.setattr(pipeline, "LARGE_FILE_BYTES", 0)  # every file is large: validated in the child
        assert main(args) == code, name
        assert capsys.readouterr() == first, name
        assert (code, len(first.err.strip().splitlines())) == (
            (0, 0) if name == "the sample month" else (2, 1)
        )


@forks
@pytest.mark.usefixtures("no_threads")
def test_shared_units_come_back_in_order_and_the_free_process_takes_the_next() -> None:
    import time

    parent = os.getpid()

    def work(unit: int) -> tuple[int, int]:
        if unit == 0:
            time.sleep(1.0)  # pinned here: the child takes every other unit meanwhile
        return unit * unit, os.getpid()

    values = shared(6, work, pinned=[0])
    assert [value for value, _ in values] == [0, 1, 4, 9, 16, 25]
    assert values[0][1] == parent
    assert {pid for _, pid in values[1:]} == {values[1][1]} != {parent}  # a fixed split would give some here


@forks
@pytest.mark.usefixtures("no_threads")
def test_shared_units_a_failing_child_took_run_here() -> None:
    parent = os.getpid()

    def work(unit: int) -> tuple[int, bool]:
        if os.getpid() != parent:
            raise RuntimeError("lost in the child")  # the child says nothing and exits 1
        return unit, True

    assert shared(5, work) == [(unit, True) for unit in range(5)]
    with pytest.raises(ZeroDivisionError):  # an error of a unit itself reaches the caller, from here
        shared(3, lambda unit: 1 // (unit - 2))


def test_shared_units_stay_here_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert shared(3, lambda unit: (unit, os.getpid())) == [(unit, os.getpid()) for unit in range(3)]
    finally:
        stop.set()
        other.join()


@forks
@pytest.mark.usefixtures("no_threads")
def test_the_json_text_of_shared_chunks_is_the_one_process_text(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rvucheck.report import csv_json
    from rvucheck.report.formats import summarize

    session = Session.open(data_dir, Settings())
    read = session.read(SAMPLE)
    report = session.check(read.lines, read.unreadable)
    summary = summarize(report, tuple(read.totals_rows), read.blank_rows)
    monkeypatch.setattr(csv_json, "_CHUNK", 50)  # the sample month's lines in many chunks
    pids: set[int] = set()

    def recorded(count, work, pinned):  # type: ignore[no-untyped-def]
        done = shared(count, lambda unit: (os.getpid(), work(unit)), pinned)
        pids.update(pid for pid, _ in done)
        return [value for _, value in done]

    one = csv_json.to_json_text(report, summary)
    assert csv_json.to_json_text(report, summary, share=recorded) == one
    assert len(pids) == 2  # this process and the child both encoded lines


def test_warm_up_opens_the_reference_and_leaves_a_missing_one_to_the_check(
    data_dir: Path, tmp_path: Path
) -> None:
    from rvucheck import pipeline

    session = Session.open(data_dir, Settings())
    pipeline.warm_up(session)
    assert len(session._reference) == 1  # opened before any line is read
    missing = Session.open(tmp_path / "no-data", Settings())
    pipeline.warm_up(missing)  # no error here: the check says it, at the point it always did
    assert missing._reference == []


def test_warm_up_loads_the_tables_of_the_month_and_the_report_is_the_same(data_dir: Path) -> None:
    """The parent's idle time while the child scans the file: the release in force this month and last
    month (its RVU rows) and the ICD-10-CM code set, which a check otherwise loads whole at its first
    lines. Only caches are filled: the report of the sample month is the same either way."""
    from rvucheck import pipeline
    from rvucheck.report.csv_json import to_json_text
    from rvucheck.report.formats import summarize

    cold = Session.open(data_dir, Settings())
    warm = Session.open(data_dir, Settings())
    today = dt.date(2026, 11, 6)  # the sample is October's month, checked early in November
    pipeline.warm_up(warm, today)
    reference = warm.reference
    in_force = {reference.release_for(on).release_id for on in (today, dt.date(2026, 10, 1))}
    assert set(reference._rows) == in_force and "" not in in_force  # type: ignore[attr-defined]
    assert len(reference.dx_sets._tables) == 1  # type: ignore[attr-defined]
    assert not cold.reference._rows  # type: ignore[attr-defined]  # opened, nothing loaded yet
    texts = []
    for session in (cold, warm):
        read = session.read(SAMPLE)
        report = session.check(read.lines, read.unreadable)
        texts.append(to_json_text(report, summarize(report, tuple(read.totals_rows), read.blank_rows)))
    assert texts[0] == texts[1] and '"findings"' in texts[0]
