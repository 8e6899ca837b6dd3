"""rvucheck.report.formats."""
