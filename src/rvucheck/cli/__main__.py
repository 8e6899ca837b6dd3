"""`python -m rvucheck.cli ...`: the same as the `rvucheck` command."""

import sys

from rvucheck.cli.main import main

sys.exit(main())
