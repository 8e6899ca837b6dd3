"""The command line: argument parsing, printing and exit codes only; the work is in the stages below."""

from rvucheck.cli.main import main

__all__ = ["main"]
