"""rvucheck.excel."""
