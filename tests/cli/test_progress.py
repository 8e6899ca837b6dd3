"""Commands over a second show what they do on a terminal, and nothing in a pipe (issue 15, point 8)."""

from __future__ import annotations

import io
import sys

import pytest

from rvucheck.cli.progress import busy


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_busy_shows_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with busy("auditing the month"):
        pass
    assert "auditing the month" in screen.getvalue()


def test_busy_is_silent_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    with busy("auditing the month"):
        pass
    assert pipe.getvalue() == ""
