"""rvucheck.refdata.benchmarks.lookup."""
