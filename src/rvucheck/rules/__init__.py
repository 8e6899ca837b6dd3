"""rvucheck.rules."""
