"""Errors that end a run. Each carries one line for the user: the file and what to do."""

from __future__ import annotations


class RvucheckError(Exception):
    """A run failed (bad file, bad rule file, missing data). The message is shown as is, exit code 2."""


class DataNotInstalled(RvucheckError):
    pass


class InputFileError(RvucheckError):
    pass


class RuleFileError(RvucheckError):
    pass


class UnknownCode(RvucheckError):
    pass


class OutputError(InputFileError):
    """An output cannot be written (it would replace an input, it exists, the disk is full ...)."""


class HistoryError(RvucheckError):
    """The audit history or its secret is damaged or unsafe."""
