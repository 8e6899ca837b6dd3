"""The command line: argument parsing, printing and exit codes only; the work is in the stages below.

`rvucheck` (the console script) is `rvucheck.cli.main:main`; `python -m rvucheck.cli` runs the same.
"""

from rvucheck.cli.main import main

__all__ = ["main"]
